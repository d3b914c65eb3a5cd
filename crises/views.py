"""The crisis and after-hours log: recording a crisis from the young person's record, reading
one, marking one entered in error, and the supervisor's log of the team's crises."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.queries import active_alerts, team_members
from clients.rules import with_readable_content, young_people_visible_to
from clients.views import read_log, restriction_actions, save_restriction
from crises import services
from crises.forms import CrisisForm, CrisisLogFilter, InErrorForm
from crises.models import CrisisEvent
from crises.queries import crisis_record
from crises.rules import crisis_events_visible_to
from toolkit.access import (
    find_or_404,
    lists_client_records,
    require_permission,
    shows_restricted_content,
)
from toolkit.forms import add_service_error, submitted

LOG_PAGE = 25


def _crisis_or_404(request: HttpRequest, pk: int) -> CrisisEvent:
    visible = with_readable_content(crisis_events_visible_to(request.user), request.user)
    return find_or_404(request, crisis_record(visible), pk=pk)


@require_http_methods(["GET", "POST"])
def crisis_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a crisis for a young person, with their crisis plan at hand."""
    young_person = find_or_404(
        request,
        young_people_visible_to(request.user)
        .select_related("team", "crisis_plan")
        .prefetch_related(active_alerts()),
        pk=pk,
    )
    require_permission(request, "crises.add_crisisevent", young_person)
    form = CrisisForm(
        submitted(request),
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
        readers=team_members(young_person.team).exclude(pk=request.user.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            crisis = services.record_crisis(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Crisis recorded: {crisis}.")
            return redirect("crises:detail", pk=crisis.pk)
    return render(request, "crises/crisis_form.html", {"form": form, "young_person": young_person})


@require_GET
def crisis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A crisis. A restricted one shows its content to its readers (audited as such), and to
    the others only that it exists, when and by whom (as clients.views.contact_detail)."""
    crisis = _crisis_or_404(request, pk)
    user = request.user
    if crisis.content_readable:
        shows_restricted_content(request, [crisis])
    return render(
        request,
        "crises/crisis_detail.html",
        {
            "crisis": crisis,
            "young_person": crisis.young_person,
            "can_mark_in_error": user.has_perm("crises.mark_crisisevent_in_error", crisis),
            "error_form": InErrorForm(),
            **restriction_actions(user, crisis),
        },
    )


@require_POST
def crisis_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict a crisis, change why or who else reads it (its author), or lift the
    restriction (they, the primary case manager or the supervisor)."""
    crisis = _crisis_or_404(request, pk)
    save_restriction(request, crisis, what="crisis record")
    return redirect("crises:detail", pk=crisis.pk)


@require_GET
def crisis_read_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has read a restricted crisis record, and who opened its page: for the supervisor."""
    crisis = _crisis_or_404(request, pk)
    return read_log(request, crisis, reverse("crises:detail", args=[crisis.pk]))


@require_POST
def crisis_mark_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _crisis_or_404(request, pk)
    require_permission(request, "crises.mark_crisisevent_in_error", crisis)
    form = InErrorForm(request.POST)
    if form.is_valid():
        try:
            services.mark_crisis_in_error(
                crisis, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The crisis is marked as entered in error. It is kept.")
    else:
        messages.error(request, "Say why this crisis is in error.")
    return redirect("crises:detail", pk=crisis.pk)


@require_GET
@lists_client_records
def crisis_log(request: HttpRequest) -> HttpResponse:
    """The supervisor's log of the team's crises, newest first, by period and after hours; the
    morning summary links here."""
    require_permission(request, "crises.view_crisis_log")
    crises = with_readable_content(
        crisis_events_visible_to(request.user), request.user
    ).select_related("young_person", "recorded_by")
    log = CrisisLogFilter(request.GET, queryset=crises)
    valid = log.is_valid()
    page = Paginator(log.qs if valid else crises.none(), LOG_PAGE).get_page(request.GET.get("page"))
    shows_restricted_content(request, [crisis for crisis in page if crisis.content_readable])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "crises/crisis_log.html",
        {
            "log": log,
            "page": page,
            "query": query.urlencode(),
            "filters": log.form.cleaned_data if valid else {},
        },
    )
