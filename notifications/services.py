from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from accounts.models import User
from notifications.models import Notification
from notifications.tasks import send_digest_email, send_notification_email


def notify(
    recipients: Iterable[User], *, message: str, url: str = "", key: str = ""
) -> list[Notification]:
    """Tell each recipient `message`, in the app and by e-mail. With a `key`, a recipient is
    told once however often this is called. The e-mail is sent by a worker after the
    transaction commits, so a rolled-back change announces nothing; if the broker is down then,
    the change still stands and send_waiting_emails sends it later."""
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
            if recipient.email:
                transaction.on_commit(
                    lambda pk=notification.pk: send_notification_email.delay(notification_id=pk),
                    robust=True,
                )
    return created


def mark_read(notifications: Iterable[Notification]) -> int:
    ids = [notification.pk for notification in notifications if notification.read_at is None]
    return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())


@dataclass(frozen=True)
class Notice:
    """One reminder for one person; `key` names the thing and the day."""

    recipient_id: int
    key: str
    message: str
    url: str = ""


def notify_many(notices: Iterable[Notice], *, email_subject: str = "") -> int:
    """The reminder jobs' notify: set-based, each (recipient, key) once however often or however
    concurrently it runs (the database's unique key decides, not a Python check). Each person
    told of anything new gets one e-mail for the lot, after the transaction commits: by default
    a digest that counts them; with `email_subject`, for messages that name nobody, one that
    gives them (notifications.tasks.send_digest_email). Returns how many notifications were
    new."""
    rows = {(notice.recipient_id, notice.key): notice for notice in notices}
    emails = dict(
        User.objects.filter(
            pk__in={recipient for recipient, _ in rows}, is_active=True
        ).values_list("pk", "email")
    )  # the active recipients
    rows = {key: notice for key, notice in rows.items() if key[0] in emails}
    if not rows:
        return 0
    now = timezone.now()
    with connection.cursor() as cursor:
        new = execute_values(
            cursor,
            "INSERT INTO notifications_notification (recipient_id, key, message, url, created_at) "
            "VALUES %s ON CONFLICT DO NOTHING RETURNING id, recipient_id",
            [(n.recipient_id, n.key, n.message[:300], n.url, now) for n in rows.values()],
            fetch=True,
            page_size=1000,
        )
    by_recipient: dict[int, list[int]] = {}
    for notification_id, recipient_id in new:
        by_recipient.setdefault(recipient_id, []).append(notification_id)
    for recipient_id in (recipient for recipient in by_recipient if emails[recipient]):
        transaction.on_commit(
            lambda recipient_id=recipient_id: send_digest_email.delay(
                notification_ids=by_recipient[recipient_id], subject=email_subject
            ),
            robust=True,
        )
    return len(new)
