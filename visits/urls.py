from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_create, name="create"),
    path("<int:pk>/", views.visit_detail, name="plan"),
    path("<int:pk>/check-in/", views.visit_check_in, name="check-in"),
    path("<int:pk>/extend/", views.visit_extend, name="extend"),
]
