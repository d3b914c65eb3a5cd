from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Event feeds (webhooks)"

    def ready(self) -> None:
        from clients.services import follows_status_changes
        from webhooks.events import announce_status_change

        follows_status_changes(announce_status_change)
