from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.queries import recent_views_of
from audit.services import record_view
from clients.forms import BreakGlassForm, DisclosureForm, ReviewForm
from clients.queries import find_for_break_glass, young_person_record
from clients.rules import (
    active_break_glass_for,
    break_glass_accesses_visible_to,
    young_people_visible_to,
)
from clients.services import (
    grant_break_glass,
    is_after_hours,
    record_disclosure,
    review_break_glass,
)
from icms.forms import submitted


@require_GET
def young_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = get_object_or_404(
        young_person_record(young_people_visible_to(request.user)), pk=pk
    )
    record_view(request, young_person)
    can_see_access_log = request.user.has_perm("clients.view_access_log", young_person)
    return render(
        request,
        "clients/young_person_detail.html",
        {
            "young_person": young_person,
            "access_log": recent_views_of(young_person) if can_see_access_log else None,
            "can_add_disclosure": request.user.has_perm("clients.add_disclosure", young_person),
        },
    )


@require_http_methods(["GET", "POST"])
def disclosure_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = get_object_or_404(young_people_visible_to(request.user), pk=pk)
    if not request.user.has_perm("clients.add_disclosure", young_person):
        raise PermissionDenied
    form = DisclosureForm(submitted(request), initial={"disclosed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record_disclosure(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The disclosure is recorded.")
            return redirect("clients:detail", pk=young_person.pk)
    return render(
        request, "clients/disclosure_form.html", {"form": form, "young_person": young_person}
    )


@require_http_methods(["GET", "POST"])
def break_glass_request(request: HttpRequest) -> HttpResponse:
    """After hours: open the safety information of a young person not on one's caseload."""
    if not request.user.has_perm("clients.add_breakglassaccess"):
        raise PermissionDenied
    form = BreakGlassForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        young_person = find_for_break_glass(
            child_protection_number=data["child_protection_number"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if young_person is None:
            form.add_error(None, "No open case matches exactly. Check the number or the name.")
        else:
            try:
                access = grant_break_glass(young_person, worker=request.user, reason=data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("clients:break-glass-detail", pk=access.pk)
    return render(
        request,
        "clients/break_glass_form.html",
        {
            "form": form,
            "after_hours": is_after_hours(timezone.now()),
            "break_glass_hours": settings.BREAK_GLASS_MINUTES // 60,
            "active_accesses": active_break_glass_for(request.user).select_related("young_person"),
        },
    )


@require_GET
def break_glass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's alerts and crisis plan, while the worker's access lasts."""
    access = get_object_or_404(
        active_break_glass_for(request.user).select_related(
            "young_person__crisis_plan", "young_person__team__supervisor"
        ),
        pk=pk,
    )
    young_person = access.young_person
    record_view(request, young_person, break_glass=access.pk)
    alerts = young_person.alerts.filter(active=True)
    return render(
        request,
        "clients/break_glass_detail.html",
        {"access": access, "young_person": young_person, "alerts": alerts},
    )


@require_POST
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(
        break_glass_accesses_visible_to(request.user).select_related("young_person__team"), pk=pk
    )
    if not request.user.has_perm("clients.review_breakglassaccess", access):
        raise PermissionDenied
    if ReviewForm(request.POST).is_valid():
        review_break_glass(access, by=request.user)
        messages.success(request, f"Marked as reviewed: {access}.")
    return redirect("home")
