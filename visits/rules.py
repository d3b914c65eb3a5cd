"""Who may see and do what with visit plans: the policy for this app.

An ICMS worker going out alone makes a visit plan; they see their own plans, and the supervisor
of their team sees the team's. Either may check the worker in or put the time back later (the
supervisor, say, after ringing them). After hours, the worker on call for the team (or the
backup) is told first of a missed check-in, so while on call they see, and may check in, the
team's plans of the last day (LONGEST_VISIT). Nobody else sees a plan.
"""

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.rules import is_icms_worker, is_supervisor, supervises_team, teams_supervised_by
from oncall.queries import teams_on_call_for
from visits.models import LONGEST_VISIT, VisitPlan


def visit_plans_visible_to(user: User) -> QuerySet[VisitPlan]:
    if not user.is_authenticated or not user.is_active:
        return VisitPlan.objects.none()
    now = timezone.now()
    visible = Q(worker=user) | Q(
        worker__team__in=teams_on_call_for(user, now), leaves_at__gte=now - LONGEST_VISIT
    )
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(worker__team__in=teams_supervised_by(user))
    return VisitPlan.objects.filter(visible)


@rules.predicate
def made_the_plan(user: User, plan: VisitPlan) -> bool:
    return plan.worker_id == user.pk


@rules.predicate
def supervises_plan_worker(user: User, plan: VisitPlan) -> bool:
    return supervises_team(user, plan.worker.team)


@rules.predicate
def on_call_for_plan(user: User, plan: VisitPlan) -> bool:
    now = timezone.now()
    return (
        plan.leaves_at >= now - LONGEST_VISIT
        and teams_on_call_for(user, now).filter(pk=plan.worker.team_id).exists()
    )


rules.add_perm("safety.view_visits", is_icms_worker)
# Watching the team's workers out on visits (the list shows a supervisor their team's plans).
rules.add_perm("safety.view_team_visits", is_supervisor)
rules.add_perm("safety.add_visitplan", is_icms_worker)
rules.add_perm(
    "safety.change_visitplan",
    made_the_plan | (is_supervisor & supervises_plan_worker) | on_call_for_plan,
)
