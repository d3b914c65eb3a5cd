from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = "Leaving ICMS: exit planning, closing and after-care"

    def ready(self) -> None:
        from clients.services import settles_merges
        from exits import timeline  # noqa: F401 - registers its kinds of timeline entry
        from exits.services import settle_merged_closures

        settles_merges(settle_merged_closures)
