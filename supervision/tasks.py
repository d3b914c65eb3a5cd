from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from notifications.models import Notification
from supervision.services import send_weekly_digests
from toolkit.jobs import daily_job


@daily_job
def weekly_digests() -> int:
    return send_weekly_digests(timezone.localdate())


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8)
def send_weekly_digest_email(*, notification_ids: list[int]) -> None:
    """The weekly digest by e-mail: the counts themselves (they name nobody), and where to look.
    Safe to run twice."""
    waiting = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    digests = list(waiting.select_related("recipient"))
    if not digests:
        return
    recipient = digests[0].recipient
    body = "\n\n".join(
        f"{digest.message}\nThe caseload review: {settings.SITE_URL}{digest.url}"
        for digest in digests
    )
    send_mail(
        subject="ICMS: your weekly supervision digest",
        message=f"Hello {recipient.first_name or recipient.username},\n\n{body}\n",
        from_email=None,
        recipient_list=[recipient.email],
    )
    waiting.update(emailed_at=timezone.now())
