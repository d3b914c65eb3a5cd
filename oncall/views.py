"""The on-call pages: who is on call now, a team's roster with a week's form, handing a shift
on, the handover note, and an after-hours alert with its "I'm on it"."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Team, User
from oncall import services
from oncall.forms import HandoverForm, SwapForm, WeekForm
from oncall.models import AfterHoursAlert, OnCallShift, periods_between
from oncall.queries import (
    alerts_waiting,
    monday_of,
    outlook,
    roster_weeks,
    shifts_of_now_for,
    shifts_with_people,
)
from oncall.rules import alerts_visible_to, rosters_visible_to, shifts_visible_to
from toolkit.access import find_or_404, require_permission
from toolkit.forms import add_service_error, submitted
from toolkit.validators import validate_plausible_day


def _members(team: Team):
    return User.objects.filter(team=team, is_active=True).order_by("first_name", "last_name")


@require_GET
def on_call_now(request: HttpRequest) -> HttpResponse:
    """Who is on call tonight for each team the user sees, and the user's own alerts and
    shifts."""
    require_permission(request, "oncall.view_on_call")
    user = request.user
    return render(
        request,
        "oncall/tonight.html",
        {
            "tonight": outlook(rosters_visible_to(user), days=1).tonight,
            "alerts": alerts_waiting(alerts_visible_to(user)),
            "my_shifts": shifts_of_now_for(user, shifts_visible_to(user)),
        },
    )


@require_GET
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    team = find_or_404(request, rosters_visible_to(request.user), pk=pk)
    require_permission(request, "oncall.view_roster", team)
    this_week = monday_of(timezone.localdate())
    return render(
        request,
        "oncall/roster.html",
        {
            "team": team,
            "weeks": roster_weeks(team, this_week),
            "may_set": request.user.has_perm("oncall.set_roster", team),
        },
    )


def _week_or_404(week: str) -> date:
    try:
        day = date.fromisoformat(week)
        validate_plausible_day(day)  # year 1 or 9999 has no week before or after it
    except (ValueError, ValidationError):
        raise Http404 from None
    if day.weekday() != 0:
        raise Http404
    return day


@require_http_methods(["GET", "POST"])
def set_week(request: HttpRequest, pk: int, week: str) -> HttpResponse:
    """A week's shifts on one form; "same as last week" fills it from the week before."""
    team = find_or_404(request, rosters_visible_to(request.user), pk=pk)
    require_permission(request, "oncall.set_roster", team)
    week_of = _week_or_404(week)
    periods = periods_between(week_of, week_of + timedelta(days=6))
    copy = request.GET.get("copy") == "last"
    shown = week_of - timedelta(weeks=1) if copy else week_of
    shifts = {
        timezone.localtime(shift.starts_at).replace(tzinfo=None): shift
        # a day's margin either side: a week across a change of daylight saving
        for shift in shifts_visible_to(request.user).filter(
            team=team,
            starts_at__gte=periods[0].starts_at - (week_of - shown) - timedelta(days=1),
            starts_at__lt=periods[-1].ends_at - (week_of - shown) + timedelta(days=1),
        )
    }
    initial = {}
    for number, period in enumerate(periods):
        shift = shifts.get(
            timezone.localtime(period.starts_at).replace(tzinfo=None) - (week_of - shown)
        )
        if shift is not None:
            initial[f"worker_{number}"] = str(shift.worker_id)
            initial[f"backup_{number}"] = str(shift.backup_id or "")
    form = WeekForm(
        submitted(request), periods=periods, members=list(_members(team)), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_week(
                team, week_of=week_of, rostered=form.rostered(), by=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"The roster is saved: {changed} shift{pluralize(changed)} set or changed.",
            )
            return redirect("oncall:roster", pk=team.pk)
    return render(
        request,
        "oncall/week_form.html",
        {
            "team": team,
            "form": form,
            "week_of": week_of,
            "copied": copy,
            "previous_week": week_of - timedelta(weeks=1),
            "next_week": week_of + timedelta(weeks=1),
        },
    )


def _shift_or_404(request: HttpRequest, pk: int) -> OnCallShift:
    return find_or_404(request, shifts_with_people(shifts_visible_to(request.user)), pk=pk)


@require_http_methods(["GET", "POST"])
def swap(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_or_404(request, pk)
    require_permission(request, "oncall.swap_shift", shift)
    members = _members(shift.team).exclude(pk__in=[shift.worker_id, shift.backup_id or 0])
    form = SwapForm(submitted(request), members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_shift(shift, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{form.cleaned_data['to_worker']} is now on call for this shift; both were told.",
            )
            return redirect("oncall:roster", pk=shift.team_id)
    return render(request, "oncall/swap_form.html", {"shift": shift, "form": form})


@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift_or_404(request, pk)
    require_permission(request, "oncall.leave_handover", shift)
    form = HandoverForm(submitted(request), initial={"note": shift.handover_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_handover(shift, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your handover is saved for the morning summary.")
            return redirect("oncall:now")
    return render(request, "oncall/handover_form.html", {"shift": shift, "form": form})


def _alert_or_404(request: HttpRequest, pk: int) -> AfterHoursAlert:
    return find_or_404(
        request,
        alerts_visible_to(request.user)
        .select_related("team", "acknowledged_by")
        .prefetch_related("told"),
        pk=pk,
    )


@require_GET
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert_or_404(request, pk)
    require_permission(request, "oncall.view_afterhoursalert", found)
    return render(request, "oncall/alert.html", {"alert": found})


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert_or_404(request, pk)
    require_permission(request, "oncall.acknowledge_alert", found)
    services.acknowledge(found, by=request.user)
    messages.success(request, "You are on it: the supervisor will not be woken for this alert.")
    return redirect(found)
