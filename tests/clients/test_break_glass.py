from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from clients.models import BreakGlassAccess
from tests.factories import CrisisPlanFactory, OnCallShiftFactory, WorkerSafetyAlertFactory
from toolkit.hours import is_after_hours

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 15, tzinfo=MELBOURNE)
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=MELBOURNE)


@pytest.mark.parametrize(
    ("moment", "after_hours"),
    [
        (datetime(2026, 11, 24, 10, 0, tzinfo=MELBOURNE), False),  # Tuesday, office hours
        (datetime(2026, 11, 24, 8, 59, tzinfo=MELBOURNE), True),  # before opening
        (datetime(2026, 11, 24, 17, 0, tzinfo=MELBOURNE), True),  # closing time
        (datetime(2026, 11, 28, 11, 0, tzinfo=MELBOURNE), True),  # Saturday
        (
            datetime(2026, 11, 3, 11, 0, tzinfo=MELBOURNE),
            True,
        ),  # Melbourne Cup day, a Victorian holiday
        (datetime(2026, 12, 25, 11, 0, tzinfo=MELBOURNE), True),  # Christmas
        (
            datetime(2026, 12, 28, 11, 0, tzinfo=MELBOURNE),
            True,
        ),  # Boxing Day observed on the Monday
    ],
)
def test_after_hours_follows_office_hours_weekends_and_victorian_holidays(moment, after_hours):
    assert is_after_hours(moment) is after_hours


@pytest.fixture(autouse=True)
def _saturday_night(time_machine, case_manager):
    """On call on a Saturday night (the case manager is rostered for it); tests that need office
    hours move the clock themselves."""
    time_machine.move_to(SATURDAY_NIGHT, tick=False)
    OnCallShiftFactory(
        worker=case_manager,
        starts_at=SATURDAY_NIGHT.replace(hour=17, minute=0),
        ends_at=SATURDAY_NIGHT.replace(hour=9, minute=0) + timedelta(days=1),
    )


def open_safety_plan(client, young_person, reason="Police called: missing since 9 pm."):
    return client.post(
        reverse("clients:break-glass"),
        {"child_protection_number": young_person.child_protection_number, "reason": reason},
    )


@pytest.fixture
def in_crisis(other_young_person):
    other_young_person.child_protection_number = "CP-555001"
    other_young_person.save()
    WorkerSafetyAlertFactory(young_person=other_young_person, details="Visit in pairs")
    CrisisPlanFactory(young_person=other_young_person, warning_signs="Stops answering texts")
    return other_young_person


def test_on_call_worker_opens_another_teams_safety_plan_after_hours(
    client, log_in, case_manager, in_crisis
):
    log_in(case_manager)
    response = open_safety_plan(client, in_crisis)
    page = client.get(response.url)

    assert "Visit in pairs" in page.text
    assert "Stops answering texts" in page.text
    access = BreakGlassAccess.objects.get()
    assert access.expires_at - access.granted_at == timedelta(hours=4)
    granted = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert granted.young_person_id == in_crisis.pk
    assert granted.detail["reason"] == "Police called: missing since 9 pm."
    viewed = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert viewed.detail == {"break_glass": access.pk}


def test_the_safety_plan_closes_when_the_access_expires(
    client, log_in, case_manager, in_crisis, time_machine
):
    log_in(case_manager)
    url = open_safety_plan(client, in_crisis).url

    time_machine.move_to(SATURDAY_NIGHT + timedelta(hours=4, minutes=1), tick=False)
    log_in(case_manager)
    assert client.get(url).status_code == 404


def test_break_glass_gives_no_access_to_the_full_record(client, log_in, case_manager, in_crisis):
    log_in(case_manager)
    open_safety_plan(client, in_crisis)
    response = client.get(reverse("clients:detail", args=[in_crisis.pk]))

    assert response.status_code == 404


def test_during_office_hours_break_glass_is_refused(
    client, log_in, case_manager, in_crisis, time_machine
):
    time_machine.move_to(TUESDAY_MORNING, tick=False)
    log_in(case_manager)
    response = open_safety_plan(client, in_crisis)

    assert "After-hours access is for evenings, weekends and public holidays" in response.text
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Missing tonight, police asking"}, "Give the child protection client number"),
        ({"child_protection_number": "CP-000000", "reason": "Missing tonight"}, "No open case"),
        ({"child_protection_number": "CP-555001", "reason": "need it"}, "Say why you need"),
        ({"child_protection_number": "CP-555001"}, "This field is required"),
    ],
)
def test_break_glass_needs_an_exact_young_person_and_a_reason(
    client, log_in, case_manager, in_crisis, data, message
):
    log_in(case_manager)
    response = client.post(reverse("clients:break-glass"), data)

    assert message in response.text
    assert not BreakGlassAccess.objects.exists()


def test_break_glass_finds_by_family_name_and_date_of_birth(
    client, log_in, case_manager, in_crisis
):
    log_in(case_manager)
    client.post(
        reverse("clients:break-glass"),
        {
            "family_name": in_crisis.family_name.upper(),
            "date_of_birth": in_crisis.date_of_birth.isoformat(),
            "reason": "Hospital called about an overdose",
        },
    )

    assert BreakGlassAccess.objects.get().young_person == in_crisis


def test_own_caseload_needs_no_break_glass(client, log_in, case_manager, own_young_person):
    own_young_person.child_protection_number = "CP-555002"
    own_young_person.save()
    log_in(case_manager)
    response = open_safety_plan(client, own_young_person)

    assert "This young person is on your caseload" in response.text


@pytest.mark.parametrize("persona", ["practitioner", "register_coordinator", "administrator"])
def test_only_icms_workers_may_break_glass(client, log_in, in_crisis, persona, request):
    log_in(request.getfixturevalue(persona))
    response = open_safety_plan(client, in_crisis)

    assert response.status_code == 403


def test_the_young_persons_supervisor_reviews_the_access_next_day(
    client, log_in, case_manager, in_crisis, other_team
):
    from tests.factories import UserFactory

    log_in(case_manager)
    open_safety_plan(client, in_crisis)
    west_supervisor = UserFactory(role="Supervisor", team=other_team)
    other_team.supervisor = west_supervisor
    other_team.save()
    log_in(west_supervisor)

    home = client.get(reverse("home"))
    assert "After-hours access to review" in home.text
    assert "Police called: missing since 9 pm." in home.text
    access = BreakGlassAccess.objects.get()
    client.post(reverse("clients:break-glass-review", args=[access.pk]))

    access.refresh_from_db()
    assert access.reviewed_by == west_supervisor
    assert "After-hours access to review" not in client.get(reverse("home")).text


def test_another_supervisor_cannot_review_it(client, log_in, case_manager, in_crisis, supervisor):
    log_in(case_manager)
    open_safety_plan(client, in_crisis)
    access = BreakGlassAccess.objects.get()
    log_in(supervisor)

    response = client.post(reverse("clients:break-glass-review", args=[access.pk]))

    assert response.status_code == 404
    access.refresh_from_db()
    assert access.reviewed_at is None
