from django.apps import AppConfig


class CaseplansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"

    def ready(self) -> None:
        from caseplans import timeline  # noqa: F401 - registers its kinds of timeline entry
