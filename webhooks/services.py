"""The administrator's changes to the event feeds: each audited, each whole or not at all."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ExternalSystem, User
from audit.models import AuditAction
from audit.services import record
from webhooks.models import Delivery, Subscription
from webhooks.tasks import attempt_delivery


@transaction.atomic
def create_subscription(
    *, system: ExternalSystem, url: str, kinds: Iterable[str], by: User
) -> Subscription:
    """A new subscription, with a new secret (to be shown once, on the answer to this)."""
    if not system.account.is_active:
        raise ValidationError(
            {"system": f"{system}'s account is switched off: it is sent nothing."}
        )
    subscription = Subscription(
        system=system, url=url.strip(), kinds=sorted(set(kinds)), created_by=by
    )
    subscription.full_clean()
    subscription.save()
    record(
        AuditAction.CREATE,
        actor=by,
        obj=subscription,
        detail={"url": subscription.url, "events": subscription.kinds},
    )
    return subscription


@transaction.atomic
def deactivate_subscription(subscription: Subscription, *, by: User) -> Subscription:
    """Nothing more is sent to it, retries included; its history stays."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.active:
        subscription.active = False
        subscription.deactivated_at = timezone.now()
        subscription.deactivated_by = by
        subscription.save(update_fields=["active", "deactivated_at", "deactivated_by"])
        record(AuditAction.CHANGE, actor=by, obj=subscription, detail={"active": [True, False]})
    return subscription


@transaction.atomic
def send_again(delivery: Delivery, *, by: User) -> Delivery:
    """A failed delivery tried again now, with a fresh run of retries; the same event id, so a
    receiver that did get it after all handles it once."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .get(pk=delivery.pk)
    )
    if delivery.delivered_at is not None:
        raise ValidationError("It was delivered: there is nothing to send again.")
    if not delivery.failed:
        raise ValidationError("Its first attempt is still to come.")
    if not delivery.subscription.active:
        raise ValidationError("The subscription is stopped: nothing is sent to it.")
    delivery.attempts = 0
    delivery.gave_up_at = None
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["attempts", "gave_up_at", "next_attempt_at"])
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=delivery.subscription,
        detail={"sent again": str(delivery.event_id)},
    )
    transaction.on_commit(lambda: attempt_delivery.delay(delivery_id=delivery.pk), robust=True)
    return delivery
