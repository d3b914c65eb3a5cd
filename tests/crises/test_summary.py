"""The supervisors' morning summary of their team's crises: one a day per supervisor however
often the job runs, none when there was no crisis, only their own team's."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from crises.tasks import crisis_summaries
from notifications.models import Notification
from tests.factories import CrisisEventFactory, UserFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
TUESDAY_MORNING = datetime(2026, 3, 3, 7, 0, tzinfo=MELBOURNE)
WEDNESDAY_MORNING = datetime(2026, 3, 4, 7, 0, tzinfo=MELBOURNE)


def logged(young_person, *, at: datetime, after_hours: bool = True, **fields):
    return CrisisEventFactory(
        young_person=young_person,
        occurred_at=at,
        after_hours=after_hours,
        recorded_at=at + timedelta(minutes=45),
        **fields,
    )


@pytest.fixture
def other_supervisor(other_team):
    user = UserFactory(username="other_supervisor", role=Role.SUPERVISOR, team=other_team)
    other_team.supervisor = user
    other_team.save(update_fields=["supervisor"])
    return user


@pytest.fixture
def tuesday_crises(own_young_person, care_team_young_person, other_young_person):
    """Two of the first team's young people in crisis on Tuesday, one in office hours, and one
    of the other team's that night."""
    return [
        logged(
            own_young_person, at=datetime(2026, 3, 3, 10, 0, tzinfo=MELBOURNE), after_hours=False
        ),
        logged(care_team_young_person, at=datetime(2026, 3, 3, 22, 30, tzinfo=MELBOURNE)),
        logged(own_young_person, at=datetime(2026, 3, 4, 2, 0, tzinfo=MELBOURNE)),
        logged(other_young_person, at=datetime(2026, 3, 3, 23, 0, tzinfo=MELBOURNE)),
    ]


def summaries_of(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).values_list("message", "url"))


def test_each_supervisor_is_told_of_their_own_team_crises_once(
    time_machine, supervisor, other_supervisor, tuesday_crises
):
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(seconds=20), tick=False)

    crisis_summaries()

    log = reverse("crises:list")
    period = (
        "logged_from=2026-03-03T07%3A00%3A00%2B11%3A00"
        "&logged_before=2026-03-04T07%3A00%3A00%2B11%3A00"
    )
    assert summaries_of(supervisor) == [
        (
            "3 crises logged for your team since 3 Mar 2026, 07:00 (2 after hours): "
            "Jayden Own, Noah Shared.",
            f"{log}?{period}",
        )
    ]
    assert summaries_of(other_supervisor) == [
        (
            "1 crisis logged for your team since 3 Mar 2026, 07:00 (1 after hours): Zara Other.",
            f"{log}?{period}",
        )
    ]


def test_the_summary_is_sent_once_however_often_the_job_runs(
    time_machine, supervisor, own_young_person, tuesday_crises
):
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)
    crisis_summaries()
    crisis_summaries()
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(hours=3), tick=False)
    logged(own_young_person, at=WEDNESDAY_MORNING + timedelta(hours=1))
    crisis_summaries()

    assert Notification.objects.filter(recipient=supervisor).count() == 1


def test_the_next_morning_summary_counts_only_the_crises_logged_since_the_last(
    time_machine, supervisor, own_young_person, tuesday_crises
):
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)
    crisis_summaries()
    late = CrisisEventFactory(
        young_person=own_young_person,
        occurred_at=datetime(2026, 3, 2, 23, 0, tzinfo=MELBOURNE),  # logged two days late
        recorded_at=WEDNESDAY_MORNING + timedelta(hours=2),
    )
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(days=1), tick=False)

    crisis_summaries()

    newest = Notification.objects.filter(recipient=supervisor).first()
    assert newest.message.startswith("1 crisis logged for your team since 4 Mar 2026, 07:00")
    assert late.young_person.display_name in newest.message


def test_no_summary_when_the_team_had_no_crisis(
    time_machine, supervisor, own_young_person, other_young_person
):
    logged(own_young_person, at=TUESDAY_MORNING - timedelta(hours=2))  # the day before
    logged(
        own_young_person,
        at=TUESDAY_MORNING + timedelta(hours=3),
        entered_in_error_at=TUESDAY_MORNING + timedelta(hours=5),
        entered_in_error_reason="Wrong young person.",
    )
    logged(other_young_person, at=TUESDAY_MORNING + timedelta(hours=3))
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)

    crisis_summaries()

    assert summaries_of(supervisor) == []


def test_the_summary_opens_the_log_of_those_crises(
    client, log_in, time_machine, supervisor, own_young_person, tuesday_crises
):
    logged(own_young_person, at=TUESDAY_MORNING - timedelta(hours=2))  # summarised the day before
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(minutes=5), tick=False)
    crisis_summaries()
    log_in(supervisor)

    response = client.get(Notification.objects.get(recipient=supervisor).url)

    assert list(response.context["page"]) == [
        tuesday_crises[2],
        tuesday_crises[1],
        tuesday_crises[0],
    ]


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_job_runs_a_constant_number_of_queries(
    time_machine, supervisor, other_supervisor, team, django_assert_num_queries, item_count
):
    for number in range(item_count):
        logged(YoungPersonFactory(team=team), at=TUESDAY_MORNING + timedelta(hours=number + 1))
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)

    # the covers of the day; the period's crises with their supervisors; the night's handover
    # notes (oncall); the supervisors' addresses; the insert; and the job's one transaction (a
    # savepoint and its release, inside the test's)
    with django_assert_num_queries(7):
        crisis_summaries()
    assert Notification.objects.get(recipient=supervisor).message.startswith(f"{item_count} cris")
