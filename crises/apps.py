from django.apps import AppConfig


class CrisesConfig(AppConfig):
    name = "crises"
    verbose_name = "Crisis and after-hours log"

    def ready(self) -> None:
        from crises import timeline  # noqa: F401 - registers its kinds of timeline entry
