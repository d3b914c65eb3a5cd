"""Lone outreach: the "going out" form, the worker's plan with its check-in, and the list of
the team's visits."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.models import YoungPerson
from clients.queries import active_alerts
from clients.rules import young_people_visible_to
from toolkit.access import (
    changes_closed_files,
    find_or_404,
    found_record,
    lists_client_records,
    require_permission,
)
from toolkit.formats import show_time
from toolkit.forms import add_service_error, submitted
from visits import services
from visits.forms import CheckInForm, ExtendForm, VisitPlanForm
from visits.models import VisitPlan
from visits.queries import visits_of_today
from visits.rules import visit_plans_visible_to

USUAL_VISIT = timedelta(hours=1)
EXTEND_BY = timedelta(minutes=30)
# What a link may fill in on the "going out" form (?place=…&back_by=…).
PREFILLED = ("place", "purpose", "leaves_at", "back_by")


def _plan_or_404(request: HttpRequest, pk: int) -> VisitPlan:
    return find_or_404(
        request,
        visit_plans_visible_to(request.user).select_related(
            "worker__team", "checked_in_by", "young_person"
        ),
        pk=pk,
    )


def _young_person_with_alerts(request: HttpRequest, pk: object) -> YoungPerson | None:
    """The young person, with the alerts in force, if the user sees them (and None if not)."""
    if not str(pk).isdigit():
        return None
    visible = young_people_visible_to(request.user).prefetch_related(active_alerts())
    return visible.filter(pk=pk).first()


@require_GET
@lists_client_records
def visit_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "safety.view_visits")
    return render(
        request,
        "visits/visit_list.html",
        {"plans": visits_of_today(visit_plans_visible_to(request.user))},
    )


@require_http_methods(["GET", "POST"])
@lists_client_records
def visit_create(request: HttpRequest) -> HttpResponse:
    """Going out: where, and when the worker expects to be back."""
    require_permission(request, "safety.add_visitplan")
    open_plan = (
        visit_plans_visible_to(request.user)
        .filter(worker=request.user, checked_in_at__isnull=True)
        .first()
    )
    young_people = (
        young_people_visible_to(request.user).open().order_by("family_name", "given_name")
    )
    chosen = _young_person_with_alerts(request, request.GET.get("young_person", ""))
    if chosen is not None:
        found_record(request, chosen)
    now = timezone.localtime().replace(second=0, microsecond=0)
    # Filled in by the link that opened the form (an appointment's "start a lone visit"); the
    # form checks the values when it is sent, as it checks typed ones.
    given = {name: request.GET[name] for name in PREFILLED if request.GET.get(name)}
    form = VisitPlanForm(
        submitted(request),
        young_people=young_people,
        initial={"young_person": chosen, "leaves_at": now, "back_by": now + USUAL_VISIT, **given},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.start_visit(worker=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your visit plan is on. Check in here when you are back.")
            return redirect(plan)
    return render(
        request,
        "visits/visit_form.html",
        {"form": form, "open_plan": open_plan, "young_person": chosen},
    )


def _plan_page(
    request: HttpRequest,
    plan: VisitPlan,
    *,
    check_in_form: CheckInForm | None = None,
    extend_form: ExtendForm | None = None,
) -> HttpResponse:
    can_change = plan.is_open and request.user.has_perm("safety.change_visitplan", plan)
    later = max(plan.back_by, timezone.now()) + EXTEND_BY
    return render(
        request,
        "visits/visit_detail.html",
        {
            "plan": plan,
            "young_person": _young_person_with_alerts(request, plan.young_person_id),
            "check_in_form": (check_in_form or CheckInForm()) if can_change else None,
            "extend_form": (
                extend_form
                or ExtendForm(initial={"back_by": timezone.localtime(later).replace(second=0)})
            )
            if can_change
            else None,
        },
    )


@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    return _plan_page(request, plan)


@require_POST
@changes_closed_files  # a worker out alone checks in, whatever became of the file meanwhile
def visit_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "safety.change_visitplan", plan)
    if not plan.is_open:
        messages.error(request, services.checked_in_already(plan))
        return redirect(plan)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, check_in_form=form)
    try:
        services.check_in(plan, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if plan.worker_id == request.user.pk:
            messages.success(request, "Welcome back: you are checked in.")
        else:
            messages.success(request, f"{plan.worker} is checked in.")
    return redirect(plan)


@require_POST
@changes_closed_files  # a worker out alone checks in, whatever became of the file meanwhile
def visit_extend(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "safety.change_visitplan", plan)
    if not plan.is_open:
        messages.error(request, services.checked_in_already(plan))
        return redirect(plan)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            plan = services.extend_visit(
                plan, by=request.user, back_by=form.cleaned_data["back_by"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Expected back by {show_time(plan.back_by)} now.")
            return redirect(plan)
    return _plan_page(request, plan, extend_form=form)
