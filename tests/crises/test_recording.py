"""Recording a crisis from the young person's record: what it refuses, what it derives, who may
record it and who may mark it entered in error."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from crises.models import CrisisEvent
from crises.rules import crisis_events_visible_to
from crises.services import mark_crisis_in_error, record_crisis
from tests.factories import CrisisEventFactory, CrisisPlanFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
THURSDAY_NOON = datetime(2026, 3, 12, 12, 0, tzinfo=MELBOURNE)


@pytest.fixture(autouse=True)
def _a_thursday(time_machine):
    time_machine.move_to(THURSDAY_NOON, tick=False)


def create_url(young_person) -> str:
    return reverse("crises:create", args=[young_person.pk])


def crisis_data(**changes) -> dict:
    return {
        "client_reference": str(uuid.uuid4()),
        "occurred_at": "2026-03-11T22:40",
        "caller": "Residential carer (Sam)",
        "caller_relationship": "residential",
        "what_happened": "Left the unit after an argument; said he would not come back.",
        "actions": ["ahcpes", "police"],
        "action_details": "Reported missing to police at 23:10.",
        "outcome": "Found by police at the station at 1 am; back at the unit.",
        "safe_at_end": "yes",
    } | changes


@pytest.fixture
def logged_in(client, log_in, case_manager):
    log_in(case_manager)
    return client


def test_a_worker_records_a_crisis_and_lands_on_it(logged_in, case_manager, own_young_person):
    response = logged_in.post(create_url(own_young_person), crisis_data(), follow=True)

    crisis = CrisisEvent.objects.get()
    assert response.redirect_chain == [(reverse("crises:detail", args=[crisis.pk]), 302)]
    assert crisis.young_person == own_young_person
    assert crisis.recorded_by == case_manager
    assert crisis.occurred_at == datetime(2026, 3, 11, 22, 40, tzinfo=MELBOURNE)
    assert crisis.actions == ["ahcpes", "police"]
    assert "Found by police at the station at 1 am" in response.text
    assert "After-hours child protection emergency service consulted" in response.text
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="crises.crisisevent")
    assert list(created.values_list("object_id", "actor")) == [(str(crisis.pk), case_manager.pk)]


@pytest.mark.parametrize(
    ("occurred_at", "after_hours"),
    [
        ("2026-03-07T10:00", True),  # a Saturday
        ("2026-03-11T10:00", False),  # a Wednesday, in office hours
        ("2026-03-11T17:30", True),  # the same Wednesday, in the evening
    ],
)
def test_after_hours_is_worked_out_from_the_time_never_typed(
    logged_in, own_young_person, occurred_at, after_hours
):
    logged_in.post(
        create_url(own_young_person), crisis_data(occurred_at=occurred_at, after_hours="on")
    )

    assert CrisisEvent.objects.get().after_hours is after_hours


def test_a_crisis_in_the_future_is_refused_with_a_message(logged_in, own_young_person):
    response = logged_in.post(
        create_url(own_young_person), crisis_data(occurred_at="2026-03-12T18:00")
    )

    assert response.status_code == 200
    assert "A crisis cannot be recorded as happening later." in response.text
    assert not CrisisEvent.objects.exists()


def test_the_service_refuses_a_crisis_in_the_future_too(case_manager, own_young_person):
    data = crisis_data(occurred_at=THURSDAY_NOON + timedelta(hours=1))
    data["client_reference"] = uuid.uuid4()

    with pytest.raises(ValidationError, match="happening later"):
        record_crisis(own_young_person, by=case_manager, **data)
    assert not CrisisEvent.objects.exists()


def test_the_database_refuses_a_crisis_after_it_was_recorded(own_young_person):
    with pytest.raises(IntegrityError, match="crisis_not_in_the_future"):
        CrisisEventFactory(
            young_person=own_young_person,
            occurred_at=THURSDAY_NOON,
            recorded_at=THURSDAY_NOON - timedelta(hours=1),
        )


def test_what_happened_and_the_outcome_are_required(logged_in, own_young_person):
    response = logged_in.post(
        create_url(own_young_person), crisis_data(what_happened="   ", outcome="")
    )

    assert "Say what happened." in response.text
    assert "Say how it ended." in response.text
    assert not CrisisEvent.objects.exists()


def test_a_young_person_the_worker_does_not_see_is_not_found(
    client, log_in, other_team_case_manager, own_young_person
):
    log_in(other_team_case_manager)

    assert client.get(create_url(own_young_person)).status_code == 404
    assert client.post(create_url(own_young_person), crisis_data()).status_code == 404
    assert not CrisisEvent.objects.exists()


def test_submitting_the_same_form_twice_records_one_crisis(logged_in, own_young_person):
    data = crisis_data()

    logged_in.post(create_url(own_young_person), data)
    second = logged_in.post(create_url(own_young_person), data)

    crisis = CrisisEvent.objects.get()
    assert second.url == reverse("crises:detail", args=[crisis.pk])


def test_the_form_shows_the_young_person_crisis_plan(logged_in, own_young_person):
    CrisisPlanFactory(young_person=own_young_person, after_hours_steps="Ring his nan first.")

    assert "Ring his nan first." in logged_in.get(create_url(own_young_person)).text


def test_a_crisis_marked_in_error_is_kept_marked_and_says_why(
    client, log_in, supervisor, case_manager, own_young_person
):
    crisis = CrisisEventFactory(young_person=own_young_person, recorded_by=case_manager)
    log_in(supervisor)
    in_error = reverse("crises:in-error", args=[crisis.pk])

    client.post(in_error, {"reason": ""})
    crisis.refresh_from_db()
    assert crisis.entered_in_error_at is None

    client.post(in_error, {"reason": "Recorded against the wrong young person."})
    page = client.get(reverse("crises:detail", args=[crisis.pk])).text

    crisis.refresh_from_db()
    assert crisis.entered_in_error_by == supervisor
    assert "Entered in error" in page
    assert "Recorded against the wrong young person." in page
    assert "Left the unit at 10 pm" in page  # kept


def test_only_its_recorder_or_the_supervisor_marks_a_crisis_in_error(
    client, log_in, case_manager, care_team_young_person
):
    someone_else = care_team_young_person.primary_case_manager
    crisis = CrisisEventFactory(young_person=care_team_young_person, recorded_by=someone_else)
    log_in(case_manager)  # on the care team: sees the crisis

    page = client.get(reverse("crises:detail", args=[crisis.pk])).text
    response = client.post(reverse("crises:in-error", args=[crisis.pk]), {"reason": "Mine?"})

    assert "Mark as entered in error" not in page
    assert response.status_code == 403
    crisis.refresh_from_db()
    assert crisis.entered_in_error_at is None


def test_the_service_asks_why_a_crisis_is_in_error(case_manager, own_young_person):
    crisis = CrisisEventFactory(young_person=own_young_person, recorded_by=case_manager)

    with pytest.raises(ValidationError, match="Say why"):
        mark_crisis_in_error(crisis, by=case_manager, reason=" ")


@pytest.mark.parametrize(
    "persona",
    [
        "case_manager",
        "other_team_case_manager",
        "supervisor",
        "practitioner",
        "register_coordinator",
        "administrator",
    ],
)
def test_seeing_a_crisis_is_seeing_its_young_person(
    request, persona, own_young_person, care_team_young_person, other_young_person
):
    user = request.getfixturevalue(persona)
    crises = [
        CrisisEventFactory(young_person=young_person)
        for young_person in (own_young_person, care_team_young_person, other_young_person)
    ]

    for crisis in crises:
        visible = crisis_events_visible_to(user).filter(pk=crisis.pk).exists()
        assert user.has_perm("crises.view_crisisevent", crisis) is visible
        assert visible is user.has_perm("clients.view_youngperson", crisis.young_person)
