from celery import shared_task
from django.utils import timezone

from audit.partitions import create_partitions_ahead


@shared_task
def create_audit_partitions() -> list[str]:
    """Keep the audit trail's monthly partitions three months ahead of the calendar."""
    return create_partitions_ahead(timezone.now().date())
