from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/documents/", views.document_list, name="list"),
    path("<int:pk>/documents/new/", views.document_create, name="create"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/new-version/", views.version_create, name="version-create"),
    path("documents/<int:pk>/in-error/", views.document_mark_in_error, name="in-error"),
    path("documents/<int:pk>/restriction/", views.document_restriction, name="restriction"),
    path("documents/<int:pk>/reads/", views.document_read_log, name="reads"),
    path(
        "documents/<int:pk>/versions/<int:version_pk>/",
        views.version_download,
        name="download",
    ),
]
