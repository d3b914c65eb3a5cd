from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/<int:pk>/", views.review, name="review"),
    path("teams/<int:pk>/review.csv", views.review_export, name="review-export"),
    path("teams/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("teams/<int:pk>/dashboard/<slug:chart>.csv", views.chart_export, name="chart-export"),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:report>.csv", views.report_export, name="report-export"),
    path("returns/quarterly.csv", views.quarterly_return_export, name="quarterly-return"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/actions/<int:pk>/done/", views.action_done, name="action-done"),
]
