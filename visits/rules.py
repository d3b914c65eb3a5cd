"""Who may see and do what with visit plans: the policy for this app.

An ICMS worker going out alone makes a visit plan; they see their own plans, and the supervisor
of their team sees the team's. Either may check the worker in or put the time back later (the
supervisor, say, after ringing them). Nobody else sees a plan.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import is_icms_worker, is_supervisor, supervises_team, teams_supervised_by
from visits.models import VisitPlan


def visit_plans_visible_to(user: User) -> QuerySet[VisitPlan]:
    if not user.is_authenticated or not user.is_active:
        return VisitPlan.objects.none()
    visible = Q(worker=user)
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(worker__team__in=teams_supervised_by(user))
    return VisitPlan.objects.filter(visible)


@rules.predicate
def made_the_plan(user: User, plan: VisitPlan) -> bool:
    return plan.worker_id == user.pk


@rules.predicate
def supervises_plan_worker(user: User, plan: VisitPlan) -> bool:
    return supervises_team(user, plan.worker.team)


rules.add_perm("safety.view_visits", is_icms_worker)
# Watching the team's workers out on visits (the list shows a supervisor their team's plans).
rules.add_perm("safety.view_team_visits", is_supervisor)
rules.add_perm("safety.add_visitplan", is_icms_worker)
rules.add_perm("safety.change_visitplan", made_the_plan | (is_supervisor & supervises_plan_worker))
