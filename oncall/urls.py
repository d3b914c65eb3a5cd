from django.urls import path

from oncall import views

app_name = "oncall"

urlpatterns = [
    path("", views.on_call_now, name="now"),
    path("team/<int:pk>/", views.roster, name="roster"),
    path("team/<int:pk>/week/<str:week>/", views.set_week, name="week"),
    path("shift/<int:pk>/swap/", views.swap, name="swap"),
    path("shift/<int:pk>/handover/", views.handover, name="handover"),
    path("alert/<int:pk>/", views.alert, name="alert"),
    path("alert/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
