"""The event feed's promise, end to end against a real receiver on loopback: each event arrives
once, signed; a receiver down for a minute still gets it (retries, backing off); a captured
delivery replayed later is refused by its timestamp and known by its id."""

import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from clients.models import IntensityLevel, YoungPerson
from clients.services import change_status
from referrals.services import accept_referral
from tests.factories import ReferralFactory, listed_by_coordinator
from tests.webhooks.factories import DeliveryFactory
from webhooks import delivery as sending
from webhooks.events import publish
from webhooks.models import Delivery, EventKind
from webhooks.signing import SignatureError, sign, verify
from webhooks.tasks import send_due_deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(team, practitioner, register_coordinator):
    referral = ReferralFactory(team=team, referred_by=practitioner, status="considering")
    listed_by_coordinator(referral, register_coordinator)
    return referral


def accept(referral, supervisor, case_manager):
    return accept_referral(
        referral,
        by=supervisor,
        case_manager=case_manager,
        intensity=IntensityLevel.objects.get(name="High"),
        agreed_on=timezone.localdate(),
        parties="The young person\nCasey, case manager",
        terms="We agree to meet weekly.",
    )


def replay(captured: dict, url: str) -> int:
    """Post a captured delivery again, byte for byte, as an attacker who recorded it would."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=captured["body"], headers=captured["headers"], method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_each_event_arrives_once_signed_and_after_the_receiver_was_down_for_a_minute(
    django_capture_on_commit_callbacks,
    receiver,
    subscribed,
    referral,
    supervisor,
    case_manager,
):
    with django_capture_on_commit_callbacks(execute=True):
        accept(referral, supervisor, case_manager)

    assert [delivery["payload"]["kind"] for delivery in receiver.received] == [
        EventKind.REFERRAL_DECIDED,
        EventKind.YOUNG_PERSON_ACCEPTED,
    ]
    assert receiver.refused == []
    assert receiver.duplicates == []
    young_person = YoungPerson.objects.get(referrals=referral)
    assert receiver.received[1]["payload"]["young_person"] == {
        "id": young_person.pk,
        "status": "active",
        "team": young_person.team_id,
    }

    # The receiver goes down; the young person starts exiting.
    receiver.stop()
    started = timezone.now()
    with (
        time_machine.travel(started, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        change_status(young_person, to="exiting", by=supervisor, reason="Goals met.")
    exiting = Delivery.objects.get(event__kind=EventKind.YOUNG_PERSON_EXITING)
    assert (exiting.attempts, exiting.delivered_at) == (1, None)
    assert exiting.last_error.startswith("No answer")
    assert exiting.next_attempt_at == started + timedelta(seconds=30)

    # Still down at the first retry: the wait doubles.
    with time_machine.travel(started + timedelta(seconds=31), tick=False):
        assert send_due_deliveries() == 1
    exiting.refresh_from_db()
    assert exiting.attempts == 2
    assert exiting.next_attempt_at == started + timedelta(seconds=31 + 60)

    # Back up after a minute and a half: the next run delivers it, and the one after sends nothing.
    receiver.start()
    with time_machine.travel(started + timedelta(seconds=95), tick=False):
        assert send_due_deliveries() == 1
        assert send_due_deliveries() == 0
    exiting.refresh_from_db()
    assert (exiting.attempts, exiting.last_status_code) == (3, 204)
    assert exiting.delivered_at == started + timedelta(seconds=95)
    assert [delivery["payload"]["kind"] for delivery in receiver.received] == [
        EventKind.REFERRAL_DECIDED,
        EventKind.YOUNG_PERSON_ACCEPTED,
        EventKind.YOUNG_PERSON_EXITING,
    ]
    assert len(set(receiver.event_ids)) == 3
    assert receiver.duplicates == []

    # A delivery captured on the way and replayed ten minutes later: its timestamp is too old
    # (and a fresh one would not match its signature), and its id has been seen.
    captured = receiver.received[2]
    with time_machine.travel(started + timedelta(minutes=10), tick=False):
        assert replay(captured, receiver.url) == 400
        with pytest.raises(SignatureError, match="timestamp"):
            verify(subscribed.secret, captured["headers"], captured["body"])
    assert len(receiver.refused) == 1
    assert "timestamp" in receiver.refused[0]
    assert captured["payload"]["id"] in receiver.event_ids
    # Replayed at once, within the window, it is known by its id and handled once.
    with time_machine.travel(started + timedelta(seconds=95), tick=False):
        assert replay(captured, receiver.url) == 204
    assert receiver.duplicates == [captured["payload"]["id"]]
    assert len(receiver.received) == 3


@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_by_one_worker_is_passed_over_by_another(receiver, subscribed):
    """The every-minute job skips a delivery another worker holds (select_for_update,
    skip_locked): no delivery is sent twice at once."""
    delivery = DeliveryFactory(subscription=subscribed, attempts=0)
    sent_by_the_other_worker = []

    def other_worker():
        try:
            sent_by_the_other_worker.append(sending.send_due())
        finally:
            connection.close()

    with transaction.atomic():
        Delivery.objects.select_for_update().get(pk=delivery.pk)  # this worker is sending it
        worker = threading.Thread(target=other_worker)
        worker.start()
        worker.join()

    assert sent_by_the_other_worker == [0]
    assert receiver.received == []
    assert sending.send_due() == 1
    assert receiver.event_ids == [str(delivery.event_id)]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver, subscribed, own_young_person):
    subscribed.url = receiver.url.replace("/icms/events", "/moved")
    subscribed.save(update_fields=["url"])
    publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=1)

    assert sending.send_due() == 1
    delivery = Delivery.objects.get()
    assert (delivery.delivered_at, delivery.last_status_code) == (None, 307)
    assert delivery.next_attempt_at is not None
    assert receiver.received == []


def test_the_wait_doubles_from_thirty_seconds_to_six_hours_and_it_gives_up_after_three_days():
    waits = [sending.wait_after(attempts) for attempts in range(1, sending.GIVE_UP_AFTER_ATTEMPTS)]

    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=6)
    assert timedelta(days=2, hours=18) < sum(waits, timedelta()) < timedelta(days=3, hours=6)


def test_a_delivery_given_up_on_is_not_sent_again_by_the_job(
    subscribed, own_young_person, closed_port
):
    subscribed.url = f"http://127.0.0.1:{closed_port}/"
    subscribed.save(update_fields=["url"])
    publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=1)
    Delivery.objects.update(attempts=sending.GIVE_UP_AFTER_ATTEMPTS - 1)

    assert sending.send_due() == 1
    delivery = Delivery.objects.get()
    assert delivery.gave_up_at is not None
    assert delivery.next_attempt_at is None
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert sending.send_due() == 0


def test_verify_accepts_a_fresh_signature_and_refuses_a_changed_body():
    body = b'{"id":"4f1c","kind":"case_plan.approved"}'
    headers = {
        "icms-event-id": "4f1c",
        "ICMS-Timestamp": "1700000000",
        "ICMS-Signature": f"v1={sign('s3cret', 1700000000, body)}",
    }

    assert verify("s3cret", headers, body, now=1700000100) == "4f1c"
    with pytest.raises(SignatureError, match="does not match"):
        verify("s3cret", headers, body.replace(b"approved", b"returned"), now=1700000100)
    with pytest.raises(SignatureError, match="does not match"):
        verify("another", headers, body, now=1700000100)
    with pytest.raises(SignatureError, match="id of the event"):
        verify("s3cret", headers | {"icms-event-id": "9999"}, body, now=1700000100)
    with pytest.raises(SignatureError, match="missing"):
        verify("s3cret", {}, body)
