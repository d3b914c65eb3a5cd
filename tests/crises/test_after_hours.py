"""One definition of an after-hours crisis (crises.models.AFTER_HOURS_CRISIS): the crisis log
and the agency's reports count the same crises, for any period, as the app's after-hours rule
(toolkit.hours.is_after_hours) says."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crises.services import mark_crisis_in_error, record_crisis
from supervision.reports import Scope, after_hours_activity
from toolkit.hours import is_after_hours

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
NOW = datetime(2027, 2, 1, 12, 0, tzinfo=MELBOURNE)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def record(young_person, by, at: datetime):
    return record_crisis(
        young_person,
        by=by,
        client_reference=uuid.uuid4(),
        occurred_at=at,
        caller="Residential carer (Sam)",
        caller_relationship="residential",
        what_happened="Left the unit after an argument.",
        actions=["ahcpes"],
        outcome="Back at the unit by 1 am.",
        safe_at_end="yes",
    )


def log_count(client, since: date, until: date) -> int:
    """How many crises the crisis log lists as after hours in the period."""
    page = client.get(
        reverse("crises:list"),
        {"since": since.isoformat(), "until": until.isoformat(), "after_hours": "yes"},
    )
    return page.context["page"].paginator.count


def report_count(team, since: date, until: date) -> int:
    """The after-hours crises the agency's report gives the team for the period."""
    rows = after_hours_activity(Scope(starts_on=since, ends_on=until, team_id=team.pk)).rows
    return sum(row[4] for row in rows if row[0] == team.name)


def test_an_after_hours_crisis_in_the_log_is_counted_by_the_report(
    client, log_in, supervisor, case_manager, own_young_person, team
):
    saturday_night = datetime(2027, 1, 16, 23, 20, tzinfo=MELBOURNE)
    record(own_young_person, case_manager, saturday_night)
    log_in(supervisor)
    period = {"starts_on": "2027-01-01", "ends_on": "2027-02-01"}

    log = client.get(reverse("crises:list"), {"after_hours": "yes"})
    reports = client.get(reverse("supervision:reports"), period)

    assert log.context["page"].paginator.count == 1
    assert "after hours</span>" in log.text
    after_hours = next(table for table in reports.context["tables"] if table.name == "after-hours")
    assert after_hours.header[4] == "After-hours crises"
    assert after_hours.rows == [["ICMS North", 0, 0, 0, 1]]


# Days where the rule is easy to get wrong: Melbourne's daylight saving starts (4 Oct 2026) and
# ends (5 Apr 2026); Good Friday to Easter Monday 2026; Melbourne Cup day (3 Nov 2026, a
# Victorian holiday); Christmas and Boxing Day (a Friday and a Saturday); Australia Day 2027;
# and plain weekdays and weekends beside them.
DAYS = [
    date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6),
    date(2026, 10, 2), date(2026, 10, 3), date(2026, 10, 4), date(2026, 10, 5),
    date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4),
    date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28),
    date(2027, 1, 25), date(2027, 1, 26), date(2027, 1, 27),
]  # fmt: skip
# The edges of office hours (09:00-17:00), midnight, and the hour daylight saving skips or
# repeats.
TIMES = [
    time(0, 0), time(0, 1), time(2, 30), time(3, 0), time(8, 59), time(9, 0), time(12, 0),
    time(16, 59), time(17, 0), time(23, 59),
]  # fmt: skip

moments = st.builds(
    lambda day, at, minutes: (
        timezone.make_aware(datetime.combine(day, at)) + timedelta(minutes=minutes)
    ),
    st.sampled_from(DAYS),
    st.sampled_from(TIMES),
    st.sampled_from([0, 0, 0, 1, -1, 90]),
)
crises = st.lists(st.tuples(moments, st.booleans(), st.booleans()), min_size=1, max_size=8)
periods = st.tuples(st.sampled_from(DAYS), st.integers(min_value=0, max_value=40))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crises=crises, period=periods)
def test_the_log_and_the_report_count_the_same_after_hours_crises(
    client, log_in, supervisor, case_manager, own_young_person, other_young_person,
    other_team_case_manager, team, crises, period,
):  # fmt: skip
    """Random crises (some entered in error, some another team's) over a random period: the
    log, the report and the rule applied by hand agree."""
    since, length = period
    until = since + timedelta(days=length)
    log_in(supervisor)
    with transaction.atomic():
        expected = 0
        for moment, in_error, other_team in crises:
            young_person, worker = (
                (other_young_person, other_team_case_manager)
                if other_team
                else (own_young_person, case_manager)
            )
            crisis = record(young_person, worker, moment)
            if in_error:
                mark_crisis_in_error(crisis, by=worker, reason="Wrong young person")
            expected += (
                not other_team
                and not in_error
                and is_after_hours(moment)
                and since <= timezone.localdate(moment) <= until
            )

        assert log_count(client, since, until) == report_count(team, since, until) == expected
        transaction.set_rollback(True)
