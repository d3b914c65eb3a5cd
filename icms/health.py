"""The checks behind /healthz: is each part the app needs up? Each answers within its bound,
so /healthz answers within about four seconds whatever is down (monitoring and the container
health check give it five)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from icms import database
from icms.celery import app as celery_app
from icms.models import TaskRun
from icms.tasks import HEARTBEAT

logger = logging.getLogger(__name__)

OK = "ok"
# Seconds for the database's part, reconnecting included (icms/database).
DATABASE_CHECK_SECONDS = 1.5
# Seconds for the broker's part (Redis).
BROKER_CHECK_SECONDS = 2


def database_status() -> str:
    try:
        with database.within(DATABASE_CHECK_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("healthz: database down: %s", error)
        return "down"
    return OK


def broker_status() -> str:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_CHECK_SECONDS)
    except Exception as error:  # any failure to connect means "down"
        logger.warning("healthz: broker down: %s", error)
        return "down"
    return OK


def beat_last_run() -> timezone.datetime | None:
    with database.within(DATABASE_CHECK_SECONDS):
        run = TaskRun.objects.filter(name=HEARTBEAT).first()
    return run.last_run_at if run else None


def beat_status(last_run: timezone.datetime | None) -> str:
    if last_run is None:
        return "never run"
    stale_after = timedelta(minutes=settings.HEARTBEAT_STALE_AFTER_MINUTES)
    return OK if timezone.now() - last_run <= stale_after else "stale"


def health_report() -> dict[str, str | None]:
    """Each part's status; the heartbeat is read only when the database answers."""
    report: dict[str, str | None] = {"database": database_status(), "broker": broker_status()}
    if report["database"] == OK:
        last_run = beat_last_run()
        report["beat"] = beat_status(last_run)
        report["beat_last_run"] = timezone.localtime(last_run).isoformat() if last_run else None
    else:
        report["beat"] = "unknown"
        report["beat_last_run"] = None
    return report
