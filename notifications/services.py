from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification


def notify(
    recipients: Iterable[User], *, message: str, url: str = "", key: str = "", email: bool = True
) -> list[Notification]:
    """Tell each recipient `message` (in the app; by e-mail too if `email`). With a `key`, a
    recipient is told once however often this is called. The e-mail is sent by a worker after
    the transaction commits, so a rolled-back change announces nothing."""
    from notifications.tasks import send_notification_email

    created = []
    for recipient in {user.pk: user for user in recipients if user.is_active}.values():
        if key:
            notification, made = Notification.objects.get_or_create(
                recipient=recipient, key=key, defaults={"message": message, "url": url}
            )
        else:
            notification, made = (
                Notification.objects.create(recipient=recipient, message=message, url=url),
                True,
            )
        if made:
            created.append(notification)
            if email and recipient.email:
                transaction.on_commit(
                    lambda pk=notification.pk: send_notification_email.delay(notification_id=pk)
                )
    return created


def mark_read(notifications: Iterable[Notification]) -> int:
    ids = [notification.pk for notification in notifications if notification.read_at is None]
    return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
