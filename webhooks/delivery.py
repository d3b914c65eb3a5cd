"""Sending deliveries: a POST of the body, signed, to the subscription's address.

A 2xx answer delivers it. Anything else (another status, a redirect, no connection, no answer
within TIMEOUT) schedules the next attempt, the wait doubling from FIRST_WAIT to LONGEST_WAIT,
until GIVE_UP_AFTER_ATTEMPTS (about three days of tries) are spent; the administrator may then
send it again. Each delivery is sent in a transaction holding its row locked
(select_for_update, skip_locked): a second worker, or the every-minute job meeting the first
attempt, passes over it rather than sending it twice. A worker that dies after the receiver
answered may leave it to be sent again; receivers handle each event id once.
"""

import http.client
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from webhooks.models import Delivery
from webhooks.signing import signature_header

logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# 30 s doubling to 6 h (ten attempts, about 8.5 hours), then every 6 h: about three days.
GIVE_UP_AFTER_ATTEMPTS = 21
# What one run of the every-minute job sends at most, and for how long it goes on picking more.
DUE_PER_RUN = 200
RUN_BUDGET = 50  # seconds


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other that is not 2xx: the body goes only where the
    administrator said."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def wait_after(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return min(FIRST_WAIT * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


def _due(now: datetime) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        delivered_at__isnull=True,
        gave_up_at__isnull=True,
        next_attempt_at__lte=now,
        subscription__active=True,
    )


def _locked(deliveries: QuerySet[Delivery]) -> Delivery | None:
    return (
        deliveries.select_for_update(skip_locked=True, of=("self",))
        .select_related("subscription")
        .order_by("next_attempt_at", "pk")
        .first()
    )


def post(delivery: Delivery, *, timestamp: int) -> tuple[int | None, str]:
    """POST the delivery's body; the answer's status code (None without one) and what went
    wrong ("" for a 2xx)."""
    subscription = delivery.subscription
    body = delivery.body.encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked on the subscription
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ICMS-Webhooks/1",
            "ICMS-Event-Id": str(delivery.event_id),
            "ICMS-Timestamp": str(timestamp),
            "ICMS-Signature": signature_header(subscription.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"The receiver answered {error.code} {error.reason}."
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"No answer: {reason}."
    if 200 <= status < 300:
        return status, ""
    return status, f"The receiver answered {status}."


def _send(delivery: Delivery, *, now: datetime) -> bool:
    status, error = post(delivery, timestamp=int(now.timestamp()))
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    delivery.last_error = error[:200]
    if not error:
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= GIVE_UP_AFTER_ATTEMPTS:
        delivery.gave_up_at = now
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + wait_after(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "gave_up_at",
            "next_attempt_at",
        ]
    )
    logger.info(
        "webhook delivery %s attempt %s: %s", delivery.pk, delivery.attempts, error or status
    )
    return not error


def attempt(delivery_id: int) -> bool | None:
    """Send the delivery if it is due and no other worker is sending it: whether it was
    delivered, or None if it was not sent."""
    with transaction.atomic():
        delivery = _locked(_due(timezone.now()).filter(pk=delivery_id))
        if delivery is None:
            return None
        return _send(delivery, now=timezone.now())


def send_due() -> int:
    """Send the deliveries that are due, each once; how many were sent (delivered or not)."""
    sent, started = 0, time.monotonic()
    while sent < DUE_PER_RUN and time.monotonic() - started < RUN_BUDGET:
        with transaction.atomic():
            delivery = _locked(_due(timezone.now()))
            if delivery is None:
                break
            _send(delivery, now=timezone.now())
        sent += 1
    return sent
