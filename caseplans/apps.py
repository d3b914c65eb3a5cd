from django.apps import AppConfig


class CaseplansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"
