"""The supervisor's pages: the caseload review of a team, the team's dashboard, and the
agency's reports."""

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.models import Team
from accounts.rules import teams_supervised_by
from clients.rules import young_people_visible_to
from icms.access import require_permission
from icms.exports import csv_download
from supervision.forms import ReportForm
from supervision.queries import caseload_review, team_dashboard
from supervision.reports import ACTIVITY_HEADER, REPORTS, activity_rows


def _team_or_404(request: HttpRequest, pk: int) -> Team:
    team = get_object_or_404(teams_supervised_by(request.user).select_related("division"), pk=pk)
    require_permission(request, "supervision.review_team", team)
    return team


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the review of the supervisor's team; a choice when they lead several."""
    require_permission(request, "supervision.view_reports")
    teams = list(teams_supervised_by(request.user))
    if len(teams) == 1:
        return redirect("supervision:review", teams[0].pk)
    return render(request, "supervision/index.html", {"teams": teams})


@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    visible = young_people_visible_to(request.user)
    return render(
        request,
        "supervision/review.html",
        {"review": caseload_review(team, visible=visible), "team": team},
    )


REVIEW_HEADER = [
    "Worker",
    "Young people",
    "Weighted load",
    "Weighted limit",
    "Overloaded",
    "Contacts this fortnight",
    "Contacts expected",
    "Contacts they made",
    "After hours (%)",
    "Without contact past threshold",
    "Overdue tasks",
    "Plan reviews overdue",
    "Register reviews overdue",
]


@require_GET
def review_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    team = _team_or_404(request, pk)
    review = caseload_review(team, visible=young_people_visible_to(request.user))
    rows = (
        [
            str(load.worker),
            load.young_people,
            load.weighted,
            load.limit,
            "yes" if load.overloaded else "no",
            load.contacts,
            load.contacts_expected,
            load.contacts_made,
            "" if load.after_hours_percent is None else load.after_hours_percent,
            load.without_contact,
            load.overdue_tasks,
            load.plan_reviews_overdue,
            load.register_reviews_overdue,
        ]
        for load in review.workers
    )
    return csv_download(
        request,
        name=f"caseload-review-{team.pk}",
        header=REVIEW_HEADER,
        rows=rows,
        detail={"team": team.pk, "rows": len(review.workers)},
    )


@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    charts = team_dashboard(team, user=request.user)
    return render(request, "supervision/dashboard.html", {"team": team, "charts": charts})


@require_GET
def chart_export(request: HttpRequest, pk: int, chart: str) -> StreamingHttpResponse:
    """One chart's table, as on the dashboard."""
    team = _team_or_404(request, pk)
    series = {series.name: series for series in team_dashboard(team, user=request.user)}
    if chart not in series:
        raise Http404
    shown = series[chart]
    return csv_download(
        request,
        name=f"{chart}-{team.pk}",
        header=["", *shown.lines],
        rows=([label, *figures] for label, figures in shown.rows),
        detail={"team": team.pk, "chart": chart, "rows": len(shown.labels)},
    )


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    require_permission(request, "supervision.view_reports")
    form = ReportForm(request.GET)
    tables = [report(form.scope()) for report in REPORTS.values()] if form.is_valid() else []
    return render(
        request,
        "supervision/reports.html",
        {"form": form, "tables": tables, "query": request.GET.urlencode()},
        status=200 if form.is_valid() else 400,
    )


@require_GET
def report_export(request: HttpRequest, report: str) -> HttpResponse:
    """One report's table as CSV; "activity" is every contact of the period, one row each."""
    require_permission(request, "supervision.view_reports")
    if report != "activity" and report not in REPORTS:
        raise Http404
    form = ReportForm(request.GET)
    if not form.is_valid():
        return reports(request)
    scope = form.scope()
    if report == "activity":
        return csv_download(
            request, name="activity", header=ACTIVITY_HEADER, rows=activity_rows(scope), detail={}
        )
    table = REPORTS[report](scope)
    return csv_download(
        request,
        name=report,
        header=table.header,
        rows=iter(table.rows),
        detail={"rows": len(table.rows)},
    )
