"""Who may see and do what with case plans, crisis plans and exit plans: the policy for this app.

ICMS workers who see a young person see all of their plans, and make and change them; the
team's supervisor approves. A child protection practitioner sees the current action table of
a young person their referral became, read-only, and nothing else of the plan.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import is_icms_worker, seen_in
from caseplans.models import CasePlan, CrisisPlan, ExitPlan
from clients.rules import (
    supervises_young_person,
    works_with_young_person,
    young_people_visible_to,
)
from referrals.rules import young_people_referred_by


def case_plans_visible_to(user: User) -> QuerySet[CasePlan]:
    if not user.is_authenticated or not user.is_active:
        return CasePlan.objects.none()
    visible = Q(pk__in=[])
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        visible |= Q(young_person__in=young_people_visible_to(user))
    if user.has_role(Role.PRACTITIONER):
        referred = young_people_referred_by(user)
        visible |= Q(status=CasePlan.Status.CURRENT, young_person__in=referred)
    return CasePlan.objects.filter(visible)


def crisis_plans_visible_to(user: User) -> QuerySet[CrisisPlan]:
    """The crisis plans of the young people the user sees, as their record shows them."""
    return CrisisPlan.objects.filter(young_person__in=young_people_visible_to(user))


def exit_plans_visible_to(user: User) -> QuerySet[ExitPlan]:
    """The exit plans of the young people the user sees, as their record shows them."""
    return ExitPlan.objects.filter(young_person__in=young_people_visible_to(user))


@rules.predicate
def works_with_plan_young_person(user: User, plan: CasePlan) -> bool:
    """clients.rules.works_with_young_person, of the plan's young person (read by id)."""
    return (
        is_icms_worker(user)
        and young_people_visible_to(user).filter(pk=plan.young_person_id).exists()
    )


@rules.predicate
def supervises_plan_young_person(user: User, plan: CasePlan) -> bool:
    return supervises_young_person(user, plan.young_person)


# A practitioner's view of a plan is its action table (caseplans.views); the rest of the plan
# (drafts, strengths, progress notes, participation) is for ICMS workers.
rules.add_perm("caseplans.view_caseplan", seen_in(case_plans_visible_to))
rules.add_perm("caseplans.view_crisisplan", seen_in(crisis_plans_visible_to))
rules.add_perm("caseplans.view_exitplan", seen_in(exit_plans_visible_to))
rules.add_perm("caseplans.view_whole_plan", works_with_plan_young_person)
rules.add_perm("caseplans.change_caseplan", works_with_plan_young_person)
rules.add_perm("caseplans.approve_caseplan", supervises_plan_young_person)
rules.add_perm("caseplans.add_caseplan", works_with_young_person)
rules.add_perm("caseplans.change_crisisplan", works_with_young_person)
rules.add_perm("caseplans.change_exitplan", works_with_young_person)
