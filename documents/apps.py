from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents on the young person's file"

    def ready(self) -> None:
        from documents import timeline  # noqa: F401 - registers its kinds of timeline entry
