from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    # Retention: the archive, the review, legal holds and disposal.
    path("archive/", views.archive_search, name="archive"),
    path("retention/", views.retention_review, name="retention"),
    path("disposals/", views.disposal_register, name="disposals"),
    path("young-person/<int:pk>/legal-hold/", views.legal_hold, name="legal-hold"),
    path("young-person/<int:pk>/dispose/", views.dispose, name="dispose"),
]
