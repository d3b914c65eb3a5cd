"""Leaving ICMS: closing an episode, the closure's summary (a page and a PDF), the after-care
follow-ups (the list and recording one), and reopening a closed file as a new episode."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clients.queries import OPEN_STATUSES, team_members, with_page_header
from clients.rules import young_people_visible_to
from exits import services
from exits.forms import CloseForm, FollowUpForm, ReopenForm
from exits.models import Closure
from exits.queries import (
    closure_page,
    exit_plan_written,
    follow_up_page,
    follow_ups_due,
    latest_closure_of,
    still_due,
    summary_shown,
)
from exits.rules import closures_visible_to, follow_ups_visible_to
from toolkit.access import (
    audit_detail,
    changes_closed_files,
    find_or_404,
    lists_client_records,
    require_permission,
)
from toolkit.forms import add_service_error, submitted
from toolkit.pdf import render_pdf

# --- Closing ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's supervisor closes the young person's episode: with the exit plan as it stands
    (what is in place, what is not yet), or with the reason there is none."""
    young_person = find_or_404(
        request,
        with_page_header(young_people_visible_to(request.user)).select_related("exit_plan"),
        pk=pk,
    )
    require_permission(request, "exits.close_episode", young_person)
    if young_person.status not in OPEN_STATUSES:
        messages.error(
            request,
            f"{young_person} is {young_person.get_status_display().lower()}: only an open "
            "episode is closed here.",
        )
        return redirect(young_person)
    exit_plan = getattr(young_person, "exit_plan", None)
    form = CloseForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.close_episode(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            follow_ups = closure.follow_ups.count()
            after_care = (
                f" {closure.last_case_manager} has {follow_ups} after-care "
                f"follow-up{pluralize(follow_ups)} to make."
                if follow_ups
                else ""
            )
            messages.success(request, f"{young_person}'s episode is closed.{after_care}")
            return redirect("exits:closure", pk=closure.pk)
    return render(
        request,
        "exits/close.html",
        {
            "young_person": young_person,
            "form": form,
            "exit_plan": exit_plan if exit_plan_written(exit_plan) else None,
        },
    )


def _closure_or_404(request: HttpRequest, pk: int) -> Closure:
    return find_or_404(request, closure_page(closures_visible_to(request.user)), pk=pk)


def _closure_context(request: HttpRequest, closure: Closure) -> dict:
    return {
        "closure": closure,
        "young_person": closure.young_person,
        "summary": summary_shown(closure.summary),
        # The last case manager sees the closure through their follow-ups, not the record.
        "can_see_record": request.user.has_perm("clients.view_youngperson", closure.young_person),
        "can_reopen": closure.young_person.status == "closed"
        and request.user.has_perm("exits.reopen_episode", closure.young_person),
        "today": timezone.localdate(),
    }


@require_GET
def closure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The episode's summary as it was written at closing, and its after-care follow-ups."""
    closure = _closure_or_404(request, pk)
    return render(request, "exits/closure.html", _closure_context(request, closure))


@require_GET
def closure_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    closure = _closure_or_404(request, pk)
    audit_detail(request, summary_pdf=True)
    return render_pdf(
        request,
        "exits/closure_pdf.html",
        _closure_context(request, closure),
        filename=f"episode-{closure.young_person_id}-{closure.closed_on:%Y%m%d}.pdf",
        instead="Use Print on the closure's page instead.",
    )


# --- After-care -------------------------------------------------------------------------------


@require_GET
@lists_client_records
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """The after-care follow-ups due this week or overdue: a worker's own (and those of a
    colleague they cover); a supervisor's, their team's."""
    require_permission(request, "exits.view_follow_ups")
    today = timezone.localdate()
    return render(
        request,
        "exits/follow_up_list.html",
        {
            "follow_ups": follow_ups_due(follow_ups_visible_to(request.user), today),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@changes_closed_files
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """What the worker needs to follow the young person up (how to reach them, the exit plan as
    it stood, the closure), and the form to record the follow-up."""
    follow_up = find_or_404(request, follow_up_page(follow_ups_visible_to(request.user)), pk=pk)
    require_permission(request, "exits.record_follow_up", follow_up)
    due = (
        not follow_up.is_made
        and still_due(follow_ups_visible_to(request.user)).filter(pk=follow_up.pk).exists()
    )
    form = FollowUpForm(submitted(request)) if due else None
    if request.method == "POST" and form is None:
        messages.error(request, "This follow-up is no longer due: nothing was recorded.")
        return redirect("exits:follow-up", pk=follow_up.pk)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.record_follow_up(follow_up, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The follow-up is recorded.")
            return redirect("exits:follow-up", pk=follow_up.pk)
    closure = follow_up.closure
    return render(
        request,
        "exits/follow_up.html",
        {
            "follow_up": follow_up,
            "young_person": follow_up.young_person,
            "closure": closure,
            "summary": summary_shown(closure.summary),
            "form": form,
            "today": timezone.localdate(),
        },
    )


# --- Reopening --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@changes_closed_files
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's supervisor reopens a closed file on a re-referral: a new episode on the same
    record, nothing keyed again."""
    young_person = find_or_404(
        request, with_page_header(young_people_visible_to(request.user)), pk=pk
    )
    require_permission(request, "exits.reopen_episode", young_person)
    if young_person.status != "closed":
        messages.error(request, f"{young_person}'s file is not closed.")
        return redirect(young_person)
    form = ReopenForm(submitted(request), workers=team_members(young_person.team))
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_episode(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{young_person}'s file is reopened: a new episode with "
                f"{form.cleaned_data['case_manager']}.",
            )
            return redirect(young_person)
    return render(
        request,
        "exits/reopen.html",
        {
            "young_person": young_person,
            "form": form,
            "closure": latest_closure_of(young_person),
        },
    )
