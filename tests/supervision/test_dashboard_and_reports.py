"""The team's dashboard (charts with their tables and CSVs) and the agency's reports."""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from caseplans.models import CasePlan, ExitPlan, Goal
from exits.services import close_episode
from icms.database_roles import as_owner
from referrals.models import Consultation, Referral
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    GoalFactory,
    ReferralFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def resident_memory() -> int:
    """This process's resident memory now, in bytes (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_dashboard_charts_this_weeks_contacts_with_the_table_beneath(
    supervisor_client, team, case_manager, own_young_person, other_young_person
):
    ContactFactory(young_person=own_young_person, started_at=timezone.now() - timedelta(hours=1))
    ContactFactory(young_person=own_young_person, reached_young_person=False,
                   started_at=timezone.now() - timedelta(hours=2))  # fmt: skip
    ContactFactory(young_person=other_young_person)  # another team's: not counted

    response = supervisor_client.get(reverse("supervision:dashboard", args=[team.pk]))

    contacts = response.context["charts"][0]
    assert len(contacts.labels) == 12
    assert {line: sum(figures) for line, figures in contacts.lines.items()} == {
        "Reached the young person": 1,
        "Attempts that did not": 1,
        "After hours": 0,
    }
    page = response.content.decode()
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page
    assert '<canvas data-chart="contacts"' in page
    assert 'id="contacts"' in page
    assert "<caption>Weeks start on Monday." in page


def test_referrals_per_month_count_received_accepted_and_declined_with_reasons(
    supervisor_client, team, other_team
):
    ReferralFactory(team=team)
    ReferralFactory(team=team, status=Referral.Status.ACCEPTED, decided_at=timezone.now())
    ReferralFactory.create_batch(
        2, team=team, status=Referral.Status.DECLINED, decided_at=timezone.now(),
        decline_reason=Referral.DeclineReason.CAPACITY,
    )  # fmt: skip
    ReferralFactory(
        team=other_team,
        status=Referral.Status.DECLINED,
        decided_at=timezone.now(),
        decline_reason=Referral.DeclineReason.ELIGIBILITY,
    )

    charts = supervisor_client.get(reverse("supervision:dashboard", args=[team.pk])).context[
        "charts"
    ]

    referrals = next(chart for chart in charts if chart.name == "referrals")
    assert referrals.rows[-1][1] == [4, 1, 2]
    reasons = next(chart for chart in charts if chart.name == "decline-reasons")
    assert dict(reasons.rows)["No capacity"] == [2]


def test_each_chart_downloads_as_csv_audited_and_an_unknown_chart_is_not_found(
    supervisor_client, supervisor, team, case_manager, own_young_person
):
    response = supervisor_client.get(
        reverse("supervision:chart-export", args=[team.pk, "caseload-weights"])
    )

    assert csv_rows(response) == [
        ["", "Weighted load", "Young people"],
        [str(case_manager), "1.0", "1"],
    ]
    assert AuditEvent.objects.filter(actor=supervisor, action=AuditAction.EXPORT).count() == 1
    missing = reverse("supervision:chart-export", args=[team.pk, "salaries"])
    assert supervisor_client.get(missing).status_code == 404


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_dashboard_runs_the_same_queries_whatever_the_data(
    supervisor_client, team, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        young_person = YoungPersonFactory(team=team, primary_case_manager=worker)
        ContactFactory(young_person=young_person, recorded_by=worker)
        ReferralFactory(team=team, status=Referral.Status.ACCEPTED, decided_at=timezone.now())

    # user, OTP device, team, groups; contacts, caseload weights, referrals received, decided,
    # decline reasons, register reviews; unread notifications; the read recorded in the audit
    # trail (savepoint, insert, release)
    with django_assert_num_queries(14):
        supervisor_client.get(reverse("supervision:dashboard", args=[team.pk]))


# --- Reports ----------------------------------------------------------------------------------


def period(days: int = 30) -> dict[str, str]:
    today = timezone.localdate()
    return {"starts_on": (today - timedelta(days=days)).isoformat(), "ends_on": today.isoformat()}


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(supervisor_client):
    today = timezone.localdate()
    bad = {"starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()}

    page = supervisor_client.get(reverse("supervision:reports"), bad)
    export = supervisor_client.get(reverse("supervision:report-export", args=["referrals"]), bad)

    assert page.status_code == export.status_code == 400
    assert "The period ends before it starts." in page.content.decode()
    assert page.context["tables"] == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_reports_count_referrals_decisions_and_after_hours_by_team_and_division(
    supervisor_client, team, other_team, own_young_person
):
    decided = timezone.now() - timedelta(days=2)
    ReferralFactory(
        team=team,
        status=Referral.Status.ACCEPTED,
        young_person=own_young_person,
        submitted_at=decided - timedelta(days=3),
        decided_at=decided,
    )
    ReferralFactory(team=team)
    ReferralFactory(
        team=other_team,
        status=Referral.Status.DECLINED,
        decided_at=decided,
        submitted_at=decided - timedelta(days=1),
        decline_reason="capacity",
    )
    ContactFactory(young_person=own_young_person, started_at=decided + timedelta(days=1))
    ContactFactory(young_person=own_young_person, after_hours=True,
                   started_at=decided + timedelta(hours=30))  # fmt: skip

    tables = {
        table.name: table
        for table in supervisor_client.get(reverse("supervision:reports"), period()).context[
            "tables"
        ]
    }

    assert tables["referrals"].rows == [["North", 2, 1, 0, 0, 1], ["West", 1, 0, 1, 0, 0]]
    north = tables["time-to-decision"].rows[0]
    assert north == ["ICMS North", 1, 3.0, 1, 1.0, 0]
    assert tables["after-hours"].rows == [["ICMS North", 2, 1, 50, 0]]
    only_west = supervisor_client.get(
        reverse("supervision:reports"), {**period(), "team": other_team.pk}
    ).context["tables"]
    assert [table.rows for table in only_west if table.name == "referrals"] == [
        [["West", 1, 0, 1, 0, 0]]
    ]


def test_episodes_exits_and_goals_are_reported(supervisor_client, supervisor, team, case_manager):
    leaving = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    ReferralFactory(team=team, status=Referral.Status.ACCEPTED, young_person=leaving,
                    decided_at=timezone.now() - timedelta(days=10))  # fmt: skip
    ExitPlan.objects.create(
        young_person=leaving,
        accommodation="Lead tenant flat",
        accommodation_in_place=True,
        updated_by=case_manager,
    )
    plan = CasePlanFactory(young_person=leaving, status=CasePlan.Status.CURRENT,
                           approved_at=timezone.now() - timedelta(days=5))  # fmt: skip
    GoalFactory(plan=plan, domain="housing", status=Goal.Status.ACHIEVED)
    GoalFactory(plan=plan, domain="housing")
    close_episode(
        leaving, by=supervisor, closed_on=timezone.localdate(), reason="goals_achieved",
        destination="lead_tenant",
    )  # fmt: skip

    tables = {
        table.name: table
        for table in supervisor_client.get(reverse("supervision:reports"), period()).context[
            "tables"
        ]
    }

    assert tables["episodes"].rows == [["ICMS North", 1, 10.0, 10.0]]
    assert tables["exits"].rows == [["ICMS North", 1, 1, 1, 0, 0]]
    assert tables["goals"].rows == [["Housing", 2, 1, 0, 1, 0, 50]]


def test_consultations_are_counted_by_division_and_team_over_the_period(
    supervisor_client, supervisor, team, other_team
):
    today = timezone.localdate()
    declined = ReferralFactory(
        team=team, status=Referral.Status.DECLINED, decline_reason="capacity"
    )

    def consultation(team, days_ago, referral=None):
        Consultation.objects.create(
            team=team, referral=referral, asked_by="A practitioner", organisation="CP",
            asked_on=today - timedelta(days=days_ago), question="?", advice="Advice.",
            given_by=supervisor,
        )  # fmt: skip

    consultation(team, 0, declined)  # today: the last day of the period
    consultation(team, 30)  # the first day of the period
    consultation(team, 31)  # the day before it
    consultation(other_team, 2)

    page = supervisor_client.get(reverse("supervision:reports"), period())
    tables = {table.name: table for table in page.context["tables"]}
    export = supervisor_client.get(
        reverse("supervision:report-export", args=["consultations"]), period()
    )

    assert tables["consultations"].rows == [
        ["North", "ICMS North", 2, 1, 1],
        ["West", "ICMS West", 1, 0, 1],
    ]
    assert "Consultations" in page.text
    assert csv_rows(export) == [
        ["Division", "Team", "Consultations", "Answering a referral", "Other requests"],
        ["North", "ICMS North", "2", "1", "1"],
        ["West", "ICMS West", "1", "0", "1"],
    ]
    only_west = supervisor_client.get(
        reverse("supervision:reports"), {**period(), "division": other_team.division_id}
    ).context["tables"]
    assert [table.rows for table in only_west if table.name == "consultations"] == [
        [["West", "ICMS West", 1, 0, 1]]
    ]


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_reports_run_the_same_queries_whatever_the_data(
    supervisor_client, team, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        young_person = YoungPersonFactory(team=team)
        ContactFactory(young_person=young_person)
        ReferralFactory(team=team, status=Referral.Status.ACCEPTED, decided_at=timezone.now())

    # user, OTP device, groups; ten reports (one query each, the after-hours activity two:
    # contacts and crises); the team and division choices; unread notifications
    with django_assert_num_queries(17):
        supervisor_client.get(reverse("supervision:reports"), period())


# Loaded as the owner's role with the triggers off, as the benchmarks load (no history rows for
# generated contacts), so outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_an_export_of_100000_contacts_is_streamed_with_flat_memory(
    supervisor_client, own_young_person, case_manager
):
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO clients_contact (young_person_id, started_at, duration_minutes, mode,
                location, kind, reached_young_person, participants, notes, follow_up,
                after_hours, recorded_by_id, recorded_at, client_reference,
                entered_in_error_reason, version)
            SELECT %s, now() - n * interval '10 seconds', 30, 'phone', '', 'outreach', true,
                   '{}', 'A contact.', '', false, %s, now(), gen_random_uuid(), '', 1
            FROM generate_series(1, 100000) AS n
            """,
            [own_young_person.pk, case_manager.pk],
        )

    baseline = resident_memory()
    response = supervisor_client.get(
        reverse("supervision:report-export", args=["activity"]), period(days=20)
    )
    assert response.streaming
    rows, peak = 0, resident_memory()
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        if rows % 5000 == 0:
            peak = max(peak, resident_memory())

    assert rows == 100_001  # the header and every contact
    # Holding the 100,000 rows at once would take several times this.
    assert peak - baseline < 25 * 1024 * 1024
