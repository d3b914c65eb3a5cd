"""Who may see and do what with young people: the one statement of the policy for this app.

The visibility queryset is the rule; the permission predicates are defined from it, so a list
and a detail page cannot disagree about who sees a record.
"""

import operator
from functools import reduce

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from clients.models import YoungPerson


def young_people_visible_to(user: User) -> QuerySet[YoungPerson]:
    """DOMAIN.md: a case manager sees the young people they are allocated to; a supervisor sees
    their team's. Administrators configure the system and see no client record here."""
    if not user.is_authenticated or not user.is_active:
        return YoungPerson.objects.none()
    conditions = []
    if user.has_role(Role.CASE_MANAGER):
        conditions.append(Q(pk__in=YoungPerson.objects.allocated_to(user).values("pk")))
    if user.has_role(Role.SUPERVISOR):
        conditions.append(Q(team__supervisor=user))
    if not conditions:
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(reduce(operator.or_, conditions))


@rules.predicate
def can_see_young_person(user: User, young_person: YoungPerson) -> bool:
    return young_people_visible_to(user).filter(pk=young_person.pk).exists()


rules.add_perm("clients.view_youngperson", can_see_young_person)
