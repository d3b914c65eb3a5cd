from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Outreach visit plans and their check-ins. The app label stays "safety", the app's first
    name, so that its tables, permissions and migrations keep theirs (README, Layout)."""

    name = "visits"
    label = "safety"
    verbose_name = "Worker safety"
