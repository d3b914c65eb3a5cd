"""The agency's outcome report, checked against the demo's reviews and placement moves
(devtools/demo/outcomes.py) counted by hand; and its query count whatever the data."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from tests.factories import AgreementFactory, YoungPersonFactory
from tests.outcomes.conftest import review


def last_year(**extra: object) -> dict:
    today = timezone.localdate()
    return {
        "starts_on": (today - timedelta(days=364)).isoformat(),
        "ends_on": today.isoformat(),
        **extra,
    }


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]


@pytest.fixture
def demo(db, settings, client, log_in):
    settings.DEBUG = True
    call_command("seed_demo")
    log_in(User.objects.get(username="sup.demo"))
    return Team.objects.get(name="ICMS North")


def test_the_outcome_report_counts_the_demo_as_by_hand(demo, client):
    page = client.get(reverse("outcomes:report"), last_year(team=demo.pk))
    tables = {table.name: table for table in page.context["tables"]}

    # Reviewed at intake and again in the year: Jay, Mia and Chloe (Liam has only his intake).
    # Risk totals: Jay 18 -> 13 (six at 2, offending 3), Mia 6 -> 7, Chloe 12 -> 0: means 12.0
    # and 20/3 = 6.67, change -5.33; Jay and Chloe improved, Mia worse.
    # Domains (mean): Jay 2 -> 3, Mia 3 -> 3, Chloe 2 -> 4: 7/3 = 2.33 -> 10/3 = 3.33.
    latest = {row[0]: row[1:] for row in tables["to-latest"].rows}
    assert latest["Risk: sum of the ratings"] == [3, 12.0, 6.67, -5.33, 2, 0, 1]
    assert latest["Life domains: mean of the ratings"] == [3, 2.33, 3.33, 1.0, 2, 1, 0]
    # Self-harm: 3 -> 2, 1 -> 1, 2 -> 0. Offending: 3 -> 3, 1 -> 1, 2 -> 0.
    # Substance use: 3 -> 2, 1 -> 2, 2 -> 0.
    assert latest["Self-harm or suicide"] == [3, 2.0, 1.0, -1.0, 2, 1, 0]
    assert latest["Offending"] == [3, 2.0, 1.33, -0.67, 1, 2, 0]
    assert latest["Substance use"] == [3, 2.0, 1.33, -0.67, 2, 0, 1]
    # To exit: Chloe alone, risk 12 -> 0, domains 2 -> 4.
    to_exit = {row[0]: row[1:] for row in tables["to-exit"].rows}
    assert to_exit["Risk: sum of the ratings"] == [1, 12.0, 0.0, -12.0, 1, 0, 0]
    assert to_exit["Life domains: mean of the ratings"] == [1, 2.0, 4.0, 2.0, 1, 0, 0]
    # Jay moved twice (a breakdown, a planned move); Mia's change was a correction, no move.
    # 2 moves / 3 young people / (365 days / 365.25) = 0.67 a year.
    assert tables["placement"].rows == [["Reviewed in the period", 3, 2, 0.67, 1]]
    # Engaged at intake: Mia (school); latest: Jay (training), Mia, Chloe (employed); at exit:
    # Chloe.
    assert tables["engagement"].rows == [
        ["At intake", 3, 1, 33],
        ["Latest review", 3, 3, 100],
        ["At exit", 1, 1, 100],
    ]
    export = client.get(
        reverse("outcomes:report-export", args=["placement"]), last_year(team=demo.pk)
    )
    assert rows_of(export) == [["Reviewed in the period", "3", "2", "0.67", "1"]]


def test_the_other_team_and_a_period_before_the_reviews_show_none_of_them(demo, client):
    west = Team.objects.get(name="ICMS West")
    long_ago = {"starts_on": "2020-01-01", "ends_on": "2020-12-31", "team": demo.pk}

    for query in (last_year(team=west.pk), long_ago):
        tables = {
            t.name: t for t in client.get(reverse("outcomes:report"), query).context["tables"]
        }
        assert tables["placement"].rows == [["Reviewed in the period", 0, 0, None, 0]]


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(supervisor_client):
    today = timezone.localdate()
    bad = {"starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()}

    page = supervisor_client.get(reverse("outcomes:report"), bad)
    export = supervisor_client.get(reverse("outcomes:report-export", args=["to-latest"]), bad)

    assert page.status_code == export.status_code == 400
    assert "The period ends before it starts." in page.content.decode()


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_outcome_report_runs_the_same_queries_whatever_the_data(
    supervisor_client, team, case_manager, icms_review, item_count, django_assert_num_queries
):
    today = timezone.localdate()
    for _ in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        AgreementFactory(young_person=young_person, agreed_on=today - timedelta(days=40))
        review(
            young_person,
            case_manager,
            icms_review,
            on=today - timedelta(days=40),
            occasion="intake",
            ratings={"Risk": 3},
        )
        review(young_person, case_manager, icms_review, on=today - timedelta(days=2),
               occasion="exit", ratings={"Risk": 1})  # fmt: skip

    # user, OTP device, groups; the default instrument, the instrument chosen; the reviews,
    # their ratings, the items, the placement moves; unread notifications; the form's
    # divisions, teams, instruments (the choices, and the one chosen)
    with django_assert_num_queries(14):
        response = supervisor_client.get(reverse("outcomes:report"), last_year())
    assert response.context["tables"][1].rows[0][1] == item_count
