from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "High-risk youth register"

    def ready(self) -> None:
        # What this app adds to the young person's record: its kinds of timeline entry, and
        # its part of merging two records.
        from clients.services import settles_merges
        from register import timeline  # noqa: F401 - registers its kinds of timeline entry
        from register.services import settle_merged_register_entries

        settles_merges(settle_merged_register_entries)
