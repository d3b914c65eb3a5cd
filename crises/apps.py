from django.apps import AppConfig


class CrisesConfig(AppConfig):
    name = "crises"
    verbose_name = "Crisis and after-hours log"
