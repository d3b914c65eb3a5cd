from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.queries import covering_now, teams_serving
from accounts.rules import teams_supervised_by
from caseplans.queries import plans_for_supervision, with_plan_review
from caseplans.rules import case_plans_visible_to
from clients.queries import (
    break_glass_to_review,
    caseload_for,
    team_workers_with_caseload,
    unallocated_young_people,
)
from clients.rules import young_people_visible_to
from crises.queries import team_crises_since_yesterday_morning
from diary.queries import appointments_today
from diary.rules import appointments_visible_to
from exits.planning import exits_coming_panel
from icms.health import OK, health_report
from icms.queries import configuration_summary
from oncall.queries import alerts_told_to, outlook, shifts_of_now_for
from oncall.rules import alerts_visible_to, shifts_visible_to
from referrals.queries import waiting_for
from referrals.rules import referrals_visible_to
from register.queries import (
    escalations_shown,
    open_escalations,
    reviews_to_hold,
    with_register_review,
)
from register.rules import (
    escalations_visible_to,
    listing_requests_visible_to,
    listings_waiting,
    open_reviews_of_division,
)
from toolkit.access import shows_list, shows_restricted_content
from visits.queries import overdue_visits
from visits.rules import visit_plans_visible_to


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it works with; a person with several roles sees each part."""
    user = request.user
    visible = young_people_visible_to(user)
    context: dict[str, object] = {}
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        context["covering"] = covering_now(user)
        context["alerts"] = alerts_told_to(user, alerts_visible_to(user))
        context["my_shifts"] = shifts_of_now_for(user, shifts_visible_to(user))
    if user.has_role(Role.CASE_MANAGER):
        context["caseload"] = with_register_review(
            with_plan_review(caseload_for(user, visible=visible))
        )
        context["appointments_today"] = appointments_today(user, appointments_visible_to(user))
        context["now"] = timezone.now()
    if user.has_role(Role.SUPERVISOR):
        teams = teams_supervised_by(user).select_related("division")
        context["teams_led"] = teams
        context["on_call"] = outlook(teams_supervised_by(user))
        context["team_workers"] = team_workers_with_caseload(teams)
        context["unallocated"] = unallocated_young_people(teams, visible=visible)
        context["break_glass_to_review"] = break_glass_to_review(user)
        context["recent_crises"] = recent_crises = list(team_crises_since_yesterday_morning(user))
        shows_restricted_content(
            request, [crisis for crisis in recent_crises if crisis.content_readable]
        )
        context["plans"] = plans_for_supervision(case_plans_visible_to(user), teams)
        context["escalations"] = escalations_shown(
            (escalations_visible_to(user) & open_escalations()).filter(young_person__team__in=teams)
        ).order_by("raised_at")
        context["register_overdue"] = with_register_review(
            visible.filter(team__in=teams).open().select_related("primary_case_manager")
        ).filter(register_review_overdue=True)
        context["overdue_visits"] = overdue_visits(visit_plans_visible_to(user))
        context["referrals_waiting"] = waiting_for(user).count()
        context |= exits_coming_panel(visible.filter(team__in=teams), today=timezone.localdate())
    if user.has_role(Role.PRACTITIONER):
        context["my_referrals"] = referrals_visible_to(user).filter(referred_by=user)[:5]
    if user.has_role(Role.REGISTER_COORDINATOR):
        context["listings_waiting"] = listings_waiting(
            listing_requests_visible_to(user)
        ).select_related("referral__team", "young_person__team", "requested_by")
        context["register_reviews"] = reviews_to_hold(open_reviews_of_division(user))
    if user.has_role(Role.PRACTITIONER) or user.has_role(Role.REGISTER_COORDINATOR):
        context["division_teams"] = teams_serving(user.division)
    if user.has_role(Role.ADMINISTRATOR):
        context["configuration"] = configuration_summary()
    if user.roles & {
        Role.CASE_MANAGER,
        Role.SUPERVISOR,
        Role.PRACTITIONER,
        Role.REGISTER_COORDINATOR,
    }:
        shows_list(request, "home")  # their young people, referrals, or register
    return render(request, "home.html", context)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(report[part] == OK for part in ("database", "broker", "beat"))
    return JsonResponse(report, status=200 if healthy else 503)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The not-found page; under /api/, the REST API's own answer (JSON, as its schema says),
    also for an address no route of the API matches."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
