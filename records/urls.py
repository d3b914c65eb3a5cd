from django.urls import path

from records import release_views, views

app_name = "records"

urlpatterns = [
    # Retention: the archive, the review, legal holds and disposal.
    path("archive/", views.archive_search, name="archive"),
    path("retention/", views.retention_review, name="retention"),
    path("disposals/", views.disposal_register, name="disposals"),
    path("young-person/<int:pk>/legal-hold/", views.legal_hold, name="legal-hold"),
    path("young-person/<int:pk>/dispose/", views.dispose, name="dispose"),
    # Releases of a young person's file.
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
