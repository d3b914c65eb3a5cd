"""Where crises show: the young person's timeline and record, the crisis page, the supervisor's
crisis log and home page; each in a constant number of queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from tests.factories import (
    CrisisEventFactory,
    WorkerSafetyAlertFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
WEDNESDAY_NOON = datetime(2026, 3, 11, 12, 0, tzinfo=MELBOURNE)


@pytest.fixture(autouse=True)
def _a_wednesday(time_machine):
    time_machine.move_to(WEDNESDAY_NOON, tick=False)


def crisis(young_person, *, at: datetime, after_hours: bool = True, **fields):
    return CrisisEventFactory(
        young_person=young_person,
        occurred_at=at,
        after_hours=after_hours,
        recorded_at=at + timedelta(minutes=30),
        **fields,
    )


def log_of(client, **filters) -> list:
    return list(client.get(reverse("crises:list"), filters).context["page"])


def test_the_timeline_shows_the_crisis(client, log_in, case_manager, own_young_person):
    event = crisis(own_young_person, at=WEDNESDAY_NOON - timedelta(hours=14))
    log_in(case_manager)

    response = client.get(reverse("clients:timeline", args=[own_young_person.pk]))
    only_crises = client.get(
        reverse("clients:timeline", args=[own_young_person.pk]), {"kind": "crisis"}
    )

    assert [(entry.kind, entry.item) for entry in only_crises.context["entries"]] == [
        ("crisis", event)
    ]
    assert reverse("crises:detail", args=[event.pk]) in response.text
    assert "Left the unit at 10 pm after an argument" in response.text


def test_the_young_person_record_shows_the_latest_crises_and_offers_to_record_one(
    client, log_in, case_manager, own_young_person
):
    newest_first = [
        crisis(own_young_person, at=WEDNESDAY_NOON - timedelta(days=days, hours=1))
        for days in range(4)
    ]
    log_in(case_manager)

    page = client.get(reverse("clients:detail", args=[own_young_person.pk])).text

    assert reverse("crises:create", args=[own_young_person.pk]) in page
    shown = [reverse("crises:detail", args=[event.pk]) in page for event in newest_first]
    assert shown == [True, True, True, False]
    assert "11 Mar 2026, 11:00" in page


def test_the_crisis_page_says_what_happened_and_records_the_view(
    client, log_in, supervisor, own_young_person
):
    event = crisis(
        own_young_person,
        at=datetime(2026, 3, 10, 22, 15, tzinfo=MELBOURNE),
        actions=["ahcpes", "crisis_plan"],
        safe_at_end="unknown",
    )
    log_in(supervisor)

    page = client.get(reverse("crises:detail", args=[event.pk])).text

    assert "Crisis, 10 Mar 2026, 22:15" in page
    assert "after hours" in page
    assert "Residential carer (Sam) (residential staff)" in page
    assert "Crisis plan followed" in page
    assert "Not known" in page
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="crises.crisisevent")
    assert list(views.values_list("actor", "young_person")) == [
        (supervisor.pk, own_young_person.pk)
    ]


def test_the_log_shows_the_team_crises_newest_first_and_no_other_team(
    client, log_in, supervisor, own_young_person, care_team_young_person, other_young_person
):
    older = crisis(own_young_person, at=WEDNESDAY_NOON - timedelta(days=3))
    newer = crisis(care_team_young_person, at=WEDNESDAY_NOON - timedelta(days=1))
    crisis(other_young_person, at=WEDNESDAY_NOON - timedelta(hours=2))
    log_in(supervisor)

    assert log_of(client) == [newer, older]


def test_the_log_filters_by_period_and_after_hours(client, log_in, supervisor, own_young_person):
    saturday = crisis(own_young_person, at=datetime(2026, 3, 7, 10, 0, tzinfo=MELBOURNE))
    monday_office = crisis(
        own_young_person, at=datetime(2026, 3, 9, 10, 0, tzinfo=MELBOURNE), after_hours=False
    )
    tuesday_night = crisis(own_young_person, at=datetime(2026, 3, 10, 23, 0, tzinfo=MELBOURNE))
    log_in(supervisor)

    assert log_of(client, since="2026-03-09") == [tuesday_night, monday_office]
    assert log_of(client, until="2026-03-09") == [monday_office, saturday]
    assert log_of(client, after_hours="yes") == [tuesday_night, saturday]
    assert log_of(client, since="2026-03-08", after_hours="no") == [monday_office]
    backwards = client.get(reverse("crises:list"), {"since": "2026-03-10", "until": "2026-03-01"})
    assert "The period must end on or after the day it starts." in backwards.text
    assert list(backwards.context["page"]) == []


def test_the_log_shows_the_crises_logged_in_the_morning_summary_period(
    client, log_in, supervisor, own_young_person
):
    late = CrisisEventFactory(
        young_person=own_young_person,
        occurred_at=datetime(2026, 3, 6, 22, 0, tzinfo=MELBOURNE),
        recorded_at=datetime(2026, 3, 10, 9, 0, tzinfo=MELBOURNE),
    )
    crisis(own_young_person, at=datetime(2026, 3, 9, 22, 0, tzinfo=MELBOURNE))
    log_in(supervisor)

    response = client.get(
        reverse("crises:list"),
        {"logged_from": "2026-03-10T07:00:00+11:00", "logged_before": "2026-03-11T07:00:00+11:00"},
    )

    assert list(response.context["page"]) == [late]
    assert "Logged from 10 Mar 2026, 07:00 until 11 Mar 2026, 07:00" in response.text


def test_the_log_pages_by_25(client, log_in, supervisor, own_young_person):
    for hours in range(26):
        crisis(own_young_person, at=WEDNESDAY_NOON - timedelta(hours=hours + 1))
    log_in(supervisor)

    first = client.get(reverse("crises:list"), {"after_hours": "yes"})
    second = client.get(reverse("crises:list"), {"after_hours": "yes", "page": "2"})

    assert len(first.context["page"]) == 25
    assert "after_hours=yes&amp;page=2" in first.text
    assert [c.occurred_at for c in second.context["page"]] == [WEDNESDAY_NOON - timedelta(hours=26)]


def test_the_supervisor_home_shows_the_team_crises_since_yesterday_morning(
    client, log_in, supervisor, own_young_person, care_team_young_person, other_young_person
):
    crisis(own_young_person, at=datetime(2026, 3, 10, 23, 5, tzinfo=MELBOURNE))
    crisis(care_team_young_person, at=datetime(2026, 3, 10, 6, 0, tzinfo=MELBOURNE))  # before
    crisis(other_young_person, at=datetime(2026, 3, 10, 23, 0, tzinfo=MELBOURNE))
    crisis(
        care_team_young_person,
        at=datetime(2026, 3, 11, 1, 0, tzinfo=MELBOURNE),
        entered_in_error_at=WEDNESDAY_NOON,
        entered_in_error_reason="Duplicate.",
    )
    log_in(supervisor)

    home = client.get(reverse("home"))

    section = home.text.split('id="crises-heading"')[1].split("</section>")[0]
    assert "Jayden Own" in section
    assert "10 Mar 2026, 23:05" in section
    assert "Noah Shared" not in section
    assert "Zara Other" not in section


def test_the_supervisor_home_says_when_there_was_no_crisis(client, log_in, supervisor):
    log_in(supervisor)

    assert "No crisis has been logged for your team since yesterday morning." in (
        client.get(reverse("home")).text
    )


# --- Query counts -----------------------------------------------------------------------------


@pytest.fixture
def team_crises(team, supervisor):
    def make(count: int) -> list:
        made = []
        for number in range(count):
            young_person = YoungPersonFactory(team=team)
            WorkerSafetyAlertFactory(young_person=young_person)
            made.append(crisis(young_person, at=WEDNESDAY_NOON - timedelta(hours=number + 1)))
        return made

    return make


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_crisis_log_runs_a_constant_number_of_queries(
    client, log_in, supervisor, team_crises, django_assert_num_queries, item_count
):
    team_crises(item_count)
    log_in(supervisor)

    # user, OTP device, groups; how many crises, the page of them with their young people and
    # recorders; unread notifications; the read recorded (savepoint, insert, release)
    with django_assert_num_queries(9):
        response = client.get(reverse("crises:list"))
    assert len(response.context["page"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_crisis_page_runs_a_constant_number_of_queries(
    client, log_in, supervisor, own_young_person, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        WorkerSafetyAlertFactory(young_person=own_young_person)
        event = crisis(own_young_person, at=WEDNESDAY_NOON - timedelta(hours=item_count))
    log_in(supervisor)

    # user, OTP device, groups; the crisis with its young person, team, recorder; the young
    # person's alerts; unread notifications; the read recorded (savepoint, insert, release)
    with django_assert_num_queries(9):
        client.get(reverse("crises:detail", args=[event.pk]))


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_supervisor_home_crisis_section_runs_one_query(
    client, log_in, supervisor, team_crises, django_assert_num_queries, item_count
):
    team_crises(item_count)
    log_in(supervisor)

    # as tests/test_home.py counts it, the crises since yesterday morning among them
    with django_assert_num_queries(25):
        response = client.get(reverse("home"))
    assert len(response.context["recent_crises"]) == item_count
