from celery import shared_task

from webhooks import delivery


@shared_task
def attempt_delivery(*, delivery_id: int) -> bool | None:
    """The first attempt, queued when the event's transaction commits. Retries are the
    every-minute job's (send_due_deliveries), so nothing is lost if this never runs."""
    return delivery.attempt(delivery_id)


@shared_task
def send_due_deliveries() -> int:
    """Every minute: send each delivery whose next attempt is due (retries, and first attempts
    not queued because the broker was down)."""
    return delivery.send_due()
