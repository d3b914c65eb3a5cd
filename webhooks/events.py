"""Publishing an event: called by the service where the thing happens, inside its transaction.

The event and its deliveries are written in that transaction, so a change rolled back
announces nothing; the first attempt of each delivery is queued only once it commits (and if
the broker is down then, the every-minute job sends it: webhooks.delivery).

A subscription is sent an event only if its system's account may see what the event is about:
the young person (clients.rules) or the referral (referrals.rules), by the same policy as a
person. Its body then carries ids and coded facts of what that account sees, never a name or
a note.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from accounts.models import User
from clients.models import YoungPerson
from clients.rules import young_people_visible_to
from referrals.models import Referral
from referrals.rules import referrals_visible_to
from webhooks.models import Delivery, Event, EventKind, Subscription
from webhooks.tasks import attempt_delivery

DECISIONS = {Referral.Status.ACCEPTED, Referral.Status.DECLINED}


@transaction.atomic
def publish(
    kind: EventKind,
    *,
    young_person: YoungPerson | None = None,
    referral: Referral | None = None,
    **data: object,
) -> Event:
    """Record the event, and a delivery of it to each active subscription wanting `kind` whose
    system may see it; `data` is a few ids and codes (never names or notes)."""
    event = Event.objects.create(kind=kind, young_person=young_person, referral=referral, data=data)
    wanting = Subscription.objects.filter(active=True, kinds__contains=[kind]).select_related(
        "system__account"
    )
    deliveries = []
    for subscription in wanting:
        payload = payload_for(event, subscription.system.account)
        if payload is not None:
            deliveries.append(
                Delivery(
                    event=event,
                    subscription=subscription,
                    body=json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")),
                    created_at=event.occurred_at,
                    next_attempt_at=event.occurred_at,
                )
            )
    for delivery in Delivery.objects.bulk_create(deliveries):
        transaction.on_commit(
            lambda pk=delivery.pk: attempt_delivery.delay(delivery_id=pk), robust=True
        )
    return event


def payload_for(event: Event, account: User) -> dict | None:
    """What `account` is told of `event`, or None if it may see nothing of it."""
    young_person, referral = event.young_person, event.referral
    sees_young_person = (
        young_person is not None
        and young_people_visible_to(account).filter(pk=young_person.pk).exists()
    )
    sees_referral = (
        referral is not None and referrals_visible_to(account).filter(pk=referral.pk).exists()
    )
    if not (sees_young_person or sees_referral):
        return None
    payload: dict[str, object] = {
        "id": str(event.id),
        "kind": event.kind,
        "occurred_at": event.occurred_at,
    }
    if sees_young_person:
        payload["young_person"] = {
            "id": young_person.pk,
            "status": young_person.status,
            "team": young_person.team_id,
        }
    if sees_referral:
        payload["referral"] = {
            "id": referral.pk,
            "status": referral.status,
            "decision": referral.status if referral.status in DECISIONS else None,
            "decline_reason": referral.decline_reason or None,
        }
    payload["data"] = event.data
    return payload


# --- What each service announces -------------------------------------------------------------


def announce_referral_decision(referral: Referral) -> None:
    """A referral accepted or declined; an acceptance is also the young person taken on."""
    publish(EventKind.REFERRAL_DECIDED, referral=referral, young_person=referral.young_person)
    if referral.status == Referral.Status.ACCEPTED:
        publish(
            EventKind.YOUNG_PERSON_ACCEPTED,
            young_person=referral.young_person,
            referral=referral,
        )


def announce_status_change(young_person: YoungPerson, *, previous: str, by: User) -> None:
    """Registered with clients.services.change_status: a young person now exiting. (A closing
    is announced by exits.services.close_episode, with its closure.)"""
    if young_person.status == YoungPerson.Status.EXITING != previous:
        publish(EventKind.YOUNG_PERSON_EXITING, young_person=young_person)
