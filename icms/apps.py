from django.apps import AppConfig


class IcmsConfig(AppConfig):
    """The project package is also an app for what belongs to no domain: the heartbeat of the
    periodic jobs, the schedules and the demo data."""

    name = "icms"
    verbose_name = "System"
