from django.urls import path

from exits import views

app_name = "exits"
urlpatterns = [
    path("young-person/<int:pk>/close/", views.close, name="close"),
    path("young-person/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("closures/<int:pk>/", views.closure_detail, name="closure"),
    path("closures/<int:pk>/summary.pdf", views.closure_pdf, name="closure-pdf"),
    path("follow-ups/", views.follow_up_list, name="follow-ups"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow-up"),
]
