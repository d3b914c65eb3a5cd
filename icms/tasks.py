from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from icms.models import TaskRun

HEARTBEAT = "heartbeat"
# The daily jobs: a database briefly unreachable is tried again later, backing off (each job is
# safe to repeat).
DAILY_JOB = {"autoretry_for": (OperationalError,), "retry_backoff": 60, "max_retries": 5}


@shared_task
def heartbeat() -> None:
    """Prove that beat schedules, the broker delivers and a worker writes to the database."""
    TaskRun.objects.update_or_create(name=HEARTBEAT, defaults={"last_run_at": timezone.now()})
