"""Orders and consents remind the case manager DOCUMENT_EXPIRY_NOTICE_DAYS before they expire,
once, and the case manager and supervisor once more when expired; other kinds never."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.tasks import document_expiry_reminders
from notifications.models import Notification
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def expiring(young_person, *, days: int, kind: str = "consent", **fields):
    return DocumentFactory(
        young_person=young_person,
        kind=kind,
        title="Consent to share with school",
        expires_on=timezone.localdate() + timedelta(days=days),
        **fields,
    )


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_a_consent_reminds_30_days_ahead_exactly_once(
    time_machine, case_manager, supervisor, own_young_person
):
    today = timezone.localdate()
    consent = expiring(own_young_person, days=31)

    document_expiry_reminders()
    before = told(case_manager)
    time_machine.move_to(timezone.now() + timedelta(days=1))
    document_expiry_reminders()
    document_expiry_reminders()
    time_machine.move_to(timezone.now() + timedelta(days=1))
    document_expiry_reminders()

    assert before == []
    expires = f"{consent.expires_on:%-d %b %Y}"
    assert told(case_manager) == [
        f"The consent “Consent to share with school” on {own_young_person.display_name}'s file "
        f"expires on {expires}."
    ]
    assert told(supervisor) == []
    assert consent.expires_on - timedelta(days=30) == today + timedelta(days=1)


def test_once_expired_the_case_manager_and_supervisor_are_told_once(
    time_machine, case_manager, supervisor, own_young_person
):
    expiring(own_young_person, days=2, kind="court_order")
    document_expiry_reminders()
    time_machine.move_to(timezone.now() + timedelta(days=3))

    document_expiry_reminders()
    document_expiry_reminders()

    assert sorted("expired on" in message for message in told(case_manager)) == [False, True]
    assert len(told(supervisor)) == 1
    assert "expired on" in told(supervisor)[0]


def test_a_photo_never_reminds(case_manager, own_young_person):
    DocumentFactory(young_person=own_young_person, kind="photo")
    expiring(own_young_person, days=10, in_error_at=timezone.now(), in_error_reason="Wrong")

    assert document_expiry_reminders() == 0
    assert told(case_manager) == []


def test_a_restricted_consent_is_not_named_in_the_reminder(case_manager, own_young_person):
    expiring(own_young_person, days=10, restricted_because="health")

    document_expiry_reminders()

    assert told(case_manager) == [
        f"A restricted document on {own_young_person.display_name}'s file expires on "
        f"{timezone.localdate() + timedelta(days=10):%-d %b %Y}."
    ]
