from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("young-person/<int:pk>/", views.young_person_outcomes, name="young-person"),
    path("young-person/<int:pk>/new/", views.review_create, name="review-create"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/in-error/", views.review_in_error, name="review-in-error"),
    path("report/", views.report, name="report"),
    path("report/<slug:table>.csv", views.report_export, name="report-export"),
]
