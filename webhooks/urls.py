from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="subscriptions"),
    path("new/", views.subscription_create, name="subscription-create"),
    path("<int:pk>/", views.subscription_detail, name="subscription"),
    path("<int:pk>/deactivate/", views.subscription_deactivate, name="subscription-deactivate"),
    path("deliveries/<int:pk>/send-again/", views.delivery_send_again, name="send-again"),
]
