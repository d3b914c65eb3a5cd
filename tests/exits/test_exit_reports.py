"""The agency's reports of leaving ICMS: exits by reason and destination, with accommodation,
supports and supportive adults in place, the length of episodes, and the after-care follow-ups
due in the period with what they found."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans.models import ExitPlan
from exits.services import record_follow_up, reopen_episode
from tests.exits.conftest import close, take_on
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def period(days: int = 90) -> dict[str, str]:
    today = timezone.localdate()
    return {"starts_on": (today - timedelta(days=days)).isoformat(), "ends_on": today.isoformat()}


def tables(client, **scope) -> dict:
    response = client.get(reverse("supervision:reports"), period() | scope)
    return {table.name: table for table in response.context["tables"]}


@pytest.fixture
def exits(team, other_team, supervisor, case_manager, other_team_case_manager, leaving):
    """Four exits of the first team in the last 90 days, one of the other team's, and one of
    the first team's long ago."""
    today = timezone.localdate()
    close(leaving, supervisor, closed_on=today - timedelta(days=50))  # plan: housed, adults
    housed = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    take_on(housed, case_manager)
    ExitPlan.objects.create(young_person=housed, accommodation="Kinship with Nan",
                            accommodation_in_place=True, supports="Headspace",
                            supports_in_place=True)  # fmt: skip
    close(housed, supervisor, closed_on=today - timedelta(days=5), destination="kinship")
    for reason, destination in (("absconded", "unknown"), ("moved_interstate", "interstate")):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        take_on(young_person, case_manager)
        close(young_person, supervisor, reason=reason, destination=destination,
              no_exit_plan_because=reason, closed_on=today - timedelta(days=20))  # fmt: skip
    theirs = YoungPersonFactory(team=other_team, primary_case_manager=other_team_case_manager)
    take_on(theirs, other_team_case_manager)
    close(theirs, supervisor, reason="turned_18", destination="independent",
          no_exit_plan_because="transferred", closed_on=today - timedelta(days=10))  # fmt: skip
    long_ago = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    take_on(long_ago, case_manager, days_ago=400)
    close(long_ago, supervisor, no_exit_plan_because="absconded", reason="absconded",
          destination="unknown", closed_on=today - timedelta(days=300))  # fmt: skip
    return leaving


def test_exits_are_counted_with_what_was_in_place_as_they_left(supervisor_client, exits):
    counted = tables(supervisor_client)

    assert counted["exits"].rows == [
        ["ICMS North", 4, 2, 2, 1, 1],
        ["ICMS West", 1, 0, 0, 0, 0],
    ]
    assert counted["exit-reasons"].rows == [
        ["Case plan goals achieved", 2, 2],
        ["Turned 18", 1, 0],
        ["Moved interstate", 1, 0],
        ["Absconded, whereabouts unknown", 1, 0],
    ]
    assert counted["exit-destinations"].rows == [
        ["Kinship care", 1, 1],
        ["Lead tenant", 1, 1],
        ["Own tenancy or shared housing", 1, 0],
        ["Interstate", 1, 0],
        ["Not known", 1, 0],
    ]
    # From the referral's acceptance, 100 days before today, to the closing.
    assert counted["episodes"].rows == [["ICMS North", 4, 80.0, 50.0], ["ICMS West", 1, 90.0, 90.0]]


def test_the_exit_reports_follow_the_team_chosen(supervisor_client, exits, other_team):
    counted = tables(supervisor_client, team=other_team.pk)

    assert counted["exit-reasons"].rows == [["Turned 18", 1, 0]]
    assert counted["exits"].rows == [["ICMS West", 1, 0, 0, 0, 0]]


def test_after_care_follow_ups_due_in_the_period_are_counted_with_what_they_found(
    supervisor_client, exits, supervisor, case_manager
):
    first_team = exits.closures.get().follow_ups.get(months=1)  # due 20 days ago

    record_follow_up(first_team, by=case_manager, made_on=timezone.localdate(), mode="phone",
                     reached=True, holding="partly")  # fmt: skip
    # Of the ones who left 20 days ago, none is due yet; the one who left 300 days ago was
    # due long before the period. Of the West team's, none is due.
    reopened = YoungPersonFactory(team=exits.team, primary_case_manager=case_manager)
    take_on(reopened, case_manager)
    close(reopened, supervisor, no_exit_plan_because="absconded", reason="absconded",
          destination="unknown", closed_on=timezone.localdate() - timedelta(days=45))  # fmt: skip
    reopen_episode(reopened, by=supervisor, referred_by="young_person", why="Came back.",
                   case_manager=case_manager, intensity=reopened.intensity)  # fmt: skip

    counted = tables(supervisor_client)

    assert counted["after-care"].header[1:] == [
        "Due in the period", "Made", "Reached the young person", "Supports holding",
        "Partly holding", "Not holding", "Could not tell", "Not made", "No longer due (reopened)",
    ]  # fmt: skip
    assert counted["after-care"].rows == [["ICMS North", 2, 1, 1, 0, 1, 0, 0, 0, 1]]


def test_the_exit_tables_export_as_csv(supervisor_client, exits):
    response = supervisor_client.get(
        reverse("supervision:report-export", args=["exit-reasons"]), period()
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Exit reason", "Left ICMS", "Accommodation in place"]
    assert rows[1] == ["Case plan goals achieved", "2", "2"]
