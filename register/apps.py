from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "High-risk youth register"

    def ready(self) -> None:
        from clients.services import settles_merges
        from register.services import settle_merged_register_entries

        settles_merges(settle_merged_register_entries)
