"""Restricted crisis records: marked when recorded or later, shown only to their readers on the
crisis page, the log and the supervisor's home, and named in no on-call alert."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from crises.models import CrisisEvent
from oncall.models import AfterHoursAlert
from tests.factories import CareTeamFactory, CrisisEventFactory, OnCallShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
WEDNESDAY_NIGHT = datetime(2026, 3, 11, 23, 30, tzinfo=MELBOURNE)
SECRET = "Picked up from an older man at a flat; disclosed being given alcohol for sex"


@pytest.fixture(autouse=True)
def _a_wednesday_night(time_machine):
    time_machine.move_to(WEDNESDAY_NIGHT, tick=False)


@pytest.fixture
def author(team, care_team_young_person):
    worker = UserFactory(role=Role.CASE_MANAGER, team=team)
    CareTeamFactory(young_person=care_team_young_person, worker=worker)
    return worker


@pytest.fixture
def restricted_crisis(care_team_young_person, author):
    return CrisisEventFactory(
        young_person=care_team_young_person,
        recorded_by=author,
        what_happened=SECRET,
        caller_relationship="police",
        restricted_because="sexual_exploitation",
        occurred_at=WEDNESDAY_NIGHT - timedelta(hours=2),
        recorded_at=WEDNESDAY_NIGHT - timedelta(hours=1),
    )


def reads_of(crisis, actor):
    return AuditEvent.objects.filter(
        action=AuditAction.READ_RESTRICTED, actor=actor, object_id=str(crisis.pk)
    ).count()


def test_a_care_team_member_who_is_not_a_reader_sees_only_that_it_exists(
    client, log_in, case_manager, restricted_crisis
):
    log_in(case_manager)

    response = client.get(reverse("crises:detail", args=[restricted_crisis.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in text
    assert "Restricted entry" in text
    assert "Sexual exploitation" not in text
    assert "Police" not in text
    assert reads_of(restricted_crisis, case_manager) == 0


@pytest.mark.parametrize("who", ["author", "supervisor", "primary_case_manager"])
def test_its_readers_read_it_and_the_read_is_audited(
    request, client, log_in, restricted_crisis, who
):
    reader = (
        restricted_crisis.young_person.primary_case_manager
        if who == "primary_case_manager"
        else request.getfixturevalue(who)
    )
    log_in(reader)

    text = client.get(reverse("crises:detail", args=[restricted_crisis.pk])).content.decode()

    assert SECRET in text
    assert "Restricted: sexual exploitation" in text
    assert reads_of(restricted_crisis, reader) == 1


def test_the_crisis_log_and_home_show_it_to_the_supervisor_and_audit_each_read(
    client, log_in, supervisor, restricted_crisis
):
    log_in(supervisor)

    log = client.get(reverse("crises:list")).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert "Restricted: sexual exploitation" in log
    assert "Restricted: sexual exploitation" in home
    assert reads_of(restricted_crisis, supervisor) == 2


def test_a_crisis_restricted_when_recorded_after_hours_alerts_without_who_raised_it(
    client, log_in, author, care_team_young_person
):
    OnCallShiftFactory(worker=author)
    log_in(author)

    client.post(
        reverse("crises:create", args=[care_team_young_person.pk]),
        {
            "client_reference": str(uuid.uuid4()),
            "occurred_at": "2026-03-11T22:40",
            "caller": "Police (Sgt Lee)",
            "caller_relationship": "police",
            "what_happened": SECRET,
            "outcome": "Home with carer at 1 am.",
            "safe_at_end": "yes",
            "restricted_because": "sexual_exploitation",
        },
    )

    crisis = CrisisEvent.objects.get()
    alert = AfterHoursAlert.objects.get()
    assert crisis.restricted_because == "sexual_exploitation"
    assert "restricted" in alert.message
    assert "police" not in alert.message.lower()


def test_its_author_restricts_it_later_and_names_a_reader(
    client, log_in, case_manager, author, care_team_young_person
):
    crisis = CrisisEventFactory(young_person=care_team_young_person, recorded_by=author)
    log_in(author)

    client.post(
        reverse("crises:restriction", args=[crisis.pk]),
        {"restricted_because": "health", "restricted_readers": [case_manager.pk]},
    )

    crisis.refresh_from_db()
    assert crisis.restricted_because == "health"
    assert list(crisis.restricted_readers.all()) == [case_manager]
    log_in(case_manager)
    assert (
        crisis.what_happened
        in client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    ), "the reader named reads it"


def test_the_supervisor_sees_who_read_the_crisis_record(
    client, log_in, supervisor, author, restricted_crisis
):
    log_in(author)
    client.get(reverse("crises:detail", args=[restricted_crisis.pk]))
    log_in(supervisor)

    response = client.get(reverse("crises:reads", args=[restricted_crisis.pk]))

    rows = {(row.actor, row.action) for row in response.context["reads"]}
    assert rows == {
        (author, AuditAction.READ_RESTRICTED),
        (author, AuditAction.VIEW),
    }
