from django.urls import path

from register import views

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("new/", views.entry_create, name="create"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/review/", views.review_record, name="review"),
    path("<int:pk>/remove/", views.entry_remove, name="remove"),
    path("listings/<int:pk>/", views.listing_confirm, name="listing"),
    path("listings/<int:pk>/not-listed/", views.listing_not_listed, name="listing-not-listed"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation-resolve"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
