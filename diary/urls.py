from django.urls import path

from diary import views

app_name = "diary"

urlpatterns = [
    path("", views.diary_day, name="mine"),
    path("week/", views.diary_week, name="week"),
    path("team/<int:pk>/", views.diary_team, name="team"),
    path("young-person/<int:pk>/new/", views.appointment_create, name="create"),
    path("<int:pk>/", views.appointment_detail, name="appointment"),
    path("<int:pk>/edit/", views.appointment_edit, name="edit"),
    path("<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("<int:pk>/contact/", views.appointment_contact, name="contact"),
    path("<int:pk>/not-attended/", views.appointment_not_attended, name="not-attended"),
    path("calendar/", views.feed_settings, name="feed-settings"),
    path("calendar/stop/", views.feed_revoke, name="feed-revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
