from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished, request_started

from icms import database


def _bound_page_statements(**_kwargs: object) -> None:
    database.bound_statements(settings.DATABASE_STATEMENT_TIMEOUT)


def _unbound_statements(**_kwargs: object) -> None:
    database.bound_statements(None)


class IcmsConfig(AppConfig):
    """The project package is also an app for what belongs to no domain: the heartbeat of the
    periodic jobs, the schedules and the demo data."""

    name = "icms"
    verbose_name = "System"

    def ready(self) -> None:
        # A page's statements get the page's timeout (icms/database), until its answer is sent.
        request_started.connect(_bound_page_statements, dispatch_uid="icms-page-statements")
        request_finished.connect(_unbound_statements, dispatch_uid="icms-page-statements-end")
