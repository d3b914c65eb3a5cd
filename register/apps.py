from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "High-risk youth register"

    def ready(self) -> None:
        from register import timeline  # noqa: F401 - registers its kinds of timeline entry
