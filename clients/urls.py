from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("<int:pk>/", views.young_person_detail, name="detail"),
    path("<int:pk>/disclosures/new/", views.disclosure_create, name="disclosure-create"),
    path("after-hours/", views.break_glass_request, name="break-glass"),
    path("after-hours/<int:pk>/", views.break_glass_detail, name="break-glass-detail"),
    path("after-hours/<int:pk>/reviewed/", views.break_glass_review, name="break-glass-review"),
]
