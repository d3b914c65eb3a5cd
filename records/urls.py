from django.urls import path

from records import release_views

app_name = "records"
urlpatterns: list = []

# --- Releases of a young person's file (records.release_views) -------------------------------
urlpatterns += [
    path("young-person/<int:pk>/release/", release_views.release_file, name="release"),
    path(
        "young-person/<int:pk>/releases/",
        release_views.young_person_releases,
        name="young-person-releases",
    ),
    path("releases/<int:pk>/", release_views.release_detail, name="release-detail"),
    path("releases/<int:pk>/file.pdf", release_views.release_pdf, name="release-pdf"),
    path(
        "releases/<int:pk>/documents.zip",
        release_views.release_documents,
        name="release-documents",
    ),
]
