"""The diary's reminders: tomorrow's appointments each afternoon, and each morning the past
ones with no outcome; once each, and no young person named in the e-mail."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from diary.services import record_not_attended
from diary.tasks import appointments_tomorrow, appointments_without_outcome
from notifications.models import Notification
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_tomorrows_appointments_remind_the_worker_once_naming_nobody_in_the_email(
    time_machine, case_manager, own_young_person, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime(2026, 11, 2, 15, tzinfo=ZONE), tick=False)
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Court",
        starts_at=datetime(2026, 11, 3, 9, 30, tzinfo=ZONE),
    )
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Cancelled one",
        starts_at=datetime(2026, 11, 3, 11, tzinfo=ZONE),
        outcome="cancelled",
        outcome_at=timezone.now(),
        outcome_by=case_manager,
    )

    with django_capture_on_commit_callbacks(execute=True):
        appointments_tomorrow()
        appointments_tomorrow()

    assert told(case_manager) == ["Tomorrow (3 Nov 2026): 09:30 Court with Jayden Own"]
    assert len(mail.outbox) == 1
    email = mail.outbox[0].subject + mail.outbox[0].body
    assert "Jayden" not in email
    assert "Own" not in email


def test_a_past_appointment_without_an_outcome_reminds_the_next_morning(
    time_machine, case_manager, own_young_person
):
    time_machine.move_to(datetime(2026, 11, 3, 7, tzinfo=ZONE), tick=False)
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="School meeting",
        starts_at=datetime(2026, 11, 2, 10, tzinfo=ZONE),
    )
    marked = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        starts_at=datetime(2026, 11, 2, 14, tzinfo=ZONE),
    )
    record_not_attended(marked, by=case_manager)
    AppointmentFactory(  # today's: not yet
        young_person=own_young_person,
        booked_by=case_manager,
        starts_at=datetime(2026, 11, 3, 6, tzinfo=ZONE),
    )

    appointments_without_outcome()
    appointments_without_outcome()

    assert told(case_manager) == [
        "School meeting with Jayden Own on 2 Nov 2026, 10:00 has no outcome: record it as a "
        "contact, or mark it not attended or cancelled."
    ]
