from celery import shared_task
from django.utils import timezone

from icms.models import TaskRun

HEARTBEAT = "heartbeat"


@shared_task
def heartbeat() -> None:
    """Prove that beat schedules, the broker delivers and a worker writes to the database."""
    TaskRun.objects.update_or_create(name=HEARTBEAT, defaults={"last_run_at": timezone.now()})
