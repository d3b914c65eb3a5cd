from django.urls import path  # noqa: F401 - the pages come with the issue's parts

app_name = "exits"
urlpatterns: list = []
