import logging
from datetime import timedelta

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


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8)
def send_digest_email(*, notification_ids: list[int], subject: str = "") -> None:
    """One e-mail for what a job gave one person (never one per notice). Like every ICMS e-mail
    it names no young person: by default it only counts the reminders; with a `subject`, for
    notices whose messages name nobody (the weekly supervision digest's counts), it gives each
    message and where to look. Safe to run twice."""
    waiting = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    notifications = list(waiting.select_related("recipient"))
    if not notifications:
        return
    recipient = notifications[0].recipient
    count = len(notifications)
    if subject:
        said = "\n\n".join(
            f"{notification.message}\nSee {settings.SITE_URL}{notification.url}"
            for notification in notifications
        )
    else:
        subject = f"ICMS: {count} new reminder{'s' if count > 1 else ''}"
        said = (
            f"ICMS has {count} new reminder{'s' if count > 1 else ''} for you. Log in to read "
            f"{'them' if count > 1 else 'it'}:\n{settings.SITE_URL}/notifications/"
        )
    send_mail(
        subject=subject,
        message=f"Hello {recipient.first_name or recipient.username},\n\n{said}\n",
        from_email=None,
        recipient_list=[recipient.email],
    )
    waiting.update(emailed_at=timezone.now())
    logger.info("digest of %s notifications e-mailed", count)


# An e-mail not sent this long after its notification is sent by send_waiting_emails; one not
# sent within two days is let go (the notification itself stays in the app).
EMAIL_LATE_AFTER = timedelta(minutes=10)
EMAIL_GIVE_UP_AFTER = timedelta(days=2)


@shared_task
def send_waiting_emails() -> int:
    """Every ten minutes: e-mail what was not e-mailed when its notification was made (the
    broker was down, or a worker died first), one digest per person. Returns how many people."""
    now = timezone.now()
    waiting = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - EMAIL_LATE_AFTER,
            created_at__gte=now - EMAIL_GIVE_UP_AFTER,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .values_list("pk", "recipient_id")
    )
    by_recipient: dict[int, list[int]] = {}
    for notification_id, recipient_id in waiting:
        by_recipient.setdefault(recipient_id, []).append(notification_id)
    for notification_ids in by_recipient.values():
        send_digest_email.delay(notification_ids=notification_ids)
    return len(by_recipient)
