import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8)
def send_notification_email(*, notification_id: int) -> None:
    """E-mail a notice that something is waiting in ICMS. Mail leaves the secure system, so it
    names no young person: the message itself is read in the app. Safe to run twice."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return
    link = f"{settings.SITE_URL}/notifications/"
    send_mail(
        subject="ICMS: you have a new notification",
        message=(
            f"Hello {notification.recipient.first_name or notification.recipient.username},\n\n"
            f"There is something new for you in ICMS. Log in to read it:\n{link}\n"
        ),
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    logger.info("notification %s e-mailed", notification.pk)
