from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = "Leaving ICMS: exit planning, closing and after-care"
