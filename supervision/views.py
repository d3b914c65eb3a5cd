"""The supervisor's pages: the caseload review of a team, the team's dashboard, the agency's
reports, and supervision sessions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Team, User
from accounts.rules import teams_supervised_by
from audit.exports import csv_download
from clients.rules import young_people_visible_to
from supervision import services
from supervision.forms import ReportForm, SessionActionFormSet, SessionFilter, SessionForm
from supervision.models import figure_rows
from supervision.queries import (
    DASHBOARD_CHARTS,
    actions_at,
    caseload_review,
    cases_to_discuss,
    discussed_young_people,
    needs_discussion,
    open_actions_for,
    sessions_listed,
    snapshot_of,
    team_dashboard,
    worker_load,
)
from supervision.reports import ACTIVITY_HEADER, REPORTS, activity_rows
from supervision.returns import RETURN_HEADER, quarterly_return, return_rows, scope_named
from supervision.rules import (
    supervision_actions_visible_to,
    supervision_sessions_visible_to,
    workers_supervised_by,
)
from toolkit.access import find_or_404, require_permission
from toolkit.forms import add_service_error, submitted


def _team_or_404(request: HttpRequest, pk: int) -> Team:
    team = find_or_404(request, teams_supervised_by(request.user).select_related("division"), pk=pk)
    require_permission(request, "supervision.review_team", team)
    return team


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The review of the supervisor's team; a choice when they lead several (or none)."""
    require_permission(request, "supervision.view_reports")
    teams = list(teams_supervised_by(request.user))
    if len(teams) == 1:
        return review(request, teams[0].pk)
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
    if chart not in DASHBOARD_CHARTS:
        raise Http404
    shown = DASHBOARD_CHARTS[chart](team, request.user)
    return csv_download(
        request,
        name=f"{chart}-{team.pk}",
        header=["", *shown.lines],
        rows=iter(shown.table_rows),
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


@require_GET
def quarterly_return_export(request: HttpRequest) -> HttpResponse:
    """The quarterly return for the period and scope of the reports page, as one CSV: a row per
    figure (README.md, "The quarterly return")."""
    require_permission(request, "supervision.view_reports")
    form = ReportForm(request.GET)
    if not form.is_valid():
        return reports(request)
    scope = form.scope()
    lines = quarterly_return(scope)
    named = scope_named(division=form.cleaned_data["division"], team=form.cleaned_data["team"])
    return csv_download(
        request,
        name="quarterly-return",
        header=RETURN_HEADER,
        rows=return_rows(lines, scope=scope, named=named),
        detail={"rows": len(lines)},
    )


# --- Supervision sessions ---------------------------------------------------------------------

SESSIONS_PAGE = 25


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """A supervisor's sessions held (by worker), a worker's sessions about them; newest first."""
    require_permission(request, "supervision.view_sessions")
    visible = supervision_sessions_visible_to(request.user)
    workers = User.objects.filter(pk__in=visible.values("worker")).order_by(
        "first_name", "last_name"
    )
    sessions = SessionFilter(request.GET, queryset=sessions_listed(visible), workers=workers)
    valid = sessions.is_valid()
    page = Paginator(sessions.qs if valid else visible.none(), SESSIONS_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    can_hold = request.user.has_perm("supervision.hold_sessions")
    return render(
        request,
        "supervision/session_list.html",
        {
            "sessions": sessions,
            "page": page,
            "query": query.urlencode(),
            "workers_to_see": list(workers_supervised_by(request.user)) if can_hold else [],
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    """A session with `?worker=`, pre-filled from the data: the worker's caseload figures, the
    young people who need discussing ticked, and what the last sessions left open."""
    require_permission(request, "supervision.hold_sessions")
    worker_pk = request.GET.get("worker", "")
    if not worker_pk:
        return redirect("supervision:sessions")
    if not worker_pk.isdigit():
        raise Http404
    worker = find_or_404(
        request, workers_supervised_by(request.user).select_related("team"), pk=worker_pk
    )
    require_permission(request, "supervision.add_supervisionsession", worker)
    visible = young_people_visible_to(request.user)
    load = worker_load(worker, visible=visible)
    cases = cases_to_discuss(worker, visible=visible)
    case_list = list(cases)
    open_actions = list(
        open_actions_for(worker, actions=supervision_actions_visible_to(request.user))
    )
    form = SessionForm(
        submitted(request),
        cases=cases,
        open_actions=open_actions,
        initial={
            "held_on": timezone.localdate(),
            "young_people": [case.pk for case in case_list if needs_discussion(case)],
        },
    )
    actions = SessionActionFormSet(submitted(request), prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        try:
            session = services.hold_session(
                supervisor=request.user,
                worker=worker,
                held_on=form.cleaned_data["held_on"],
                figures=snapshot_of(load),
                young_people=list(form.cleaned_data["young_people"]),
                debriefing=form.cleaned_data["debriefing"],
                safety_matters=form.cleaned_data["safety_matters"],
                notes=form.cleaned_data["notes"],
                actions=[
                    {name: row[name] for name in ("description", "owner", "due_on")}
                    for row in actions.cleaned_data
                    if row
                ],
                done=form.done_actions(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The supervision session with {worker} is recorded.")
            return redirect("supervision:session", pk=session.pk)
    ticked = form.ticked()
    return render(
        request,
        "supervision/session_form.html",
        {
            "form": form,
            "actions": actions,
            "worker": worker,
            "figures": figure_rows(snapshot_of(load)),
            "cases": [(case, str(case.pk) in ticked) for case in case_list],
        },
    )


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = find_or_404(
        request,
        supervision_sessions_visible_to(request.user).select_related("supervisor", "worker"),
        pk=pk,
    )
    actions = list(actions_at(session, actions=supervision_actions_visible_to(request.user)))
    user = request.user
    return render(
        request,
        "supervision/session_detail.html",
        {
            "session": session,
            "young_people": discussed_young_people(session, visible=young_people_visible_to(user)),
            "actions": [
                (
                    action,
                    action.done_on is None
                    and user.has_perm("supervision.change_supervisionaction", action),
                )
                for action in actions
            ],
        },
    )


@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = find_or_404(
        request, supervision_actions_visible_to(request.user).select_related("session"), pk=pk
    )
    require_permission(request, "supervision.change_supervisionaction", action)
    try:
        services.complete_action(action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Done: {action}.")
    back_to = request.POST.get("session", "")
    if (
        back_to.isdigit()
        and supervision_sessions_visible_to(request.user).filter(pk=back_to).exists()
    ):
        return redirect("supervision:session", pk=int(back_to))
    return redirect("supervision:session", pk=action.session_id)
