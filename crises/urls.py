from django.urls import path

from crises import views

app_name = "crises"

urlpatterns = [
    path("", views.crisis_log, name="list"),
    path("young-person/<int:pk>/new/", views.crisis_create, name="create"),
    path("<int:pk>/", views.crisis_detail, name="detail"),
    path("<int:pk>/in-error/", views.crisis_mark_in_error, name="in-error"),
    path("<int:pk>/restriction/", views.crisis_restriction, name="restriction"),
    path("<int:pk>/reads/", views.crisis_read_log, name="reads"),
]
