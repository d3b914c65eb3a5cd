"""Who may see and do what with the crisis and after-hours log: the policy for this app.

A crisis event belongs to the young person's record: whoever sees the young person sees their
crises, nobody else. The ICMS workers who work with the young person record them; the team's
supervisor reads the team's log each morning.
"""

import rules
from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import is_supervisor, seen_in
from clients.rules import supervises_young_person, works_with_young_person, young_people_visible_to
from crises.models import CrisisEvent


def crisis_events_visible_to(user: User) -> QuerySet[CrisisEvent]:
    """The crisis events of the young people the user sees."""
    return CrisisEvent.objects.filter(young_person__in=young_people_visible_to(user))


@rules.predicate
def recorded_the_crisis(user: User, crisis: CrisisEvent) -> bool:
    return crisis.recorded_by_id == user.pk


@rules.predicate
def supervises_crisis_young_person(user: User, crisis: CrisisEvent) -> bool:
    return supervises_young_person(user, crisis.young_person)


rules.add_perm("crises.view_crisisevent", seen_in(crisis_events_visible_to))
rules.add_perm("crises.add_crisisevent", works_with_young_person)
rules.add_perm("crises.view_crisis_log", is_supervisor)
# As with contacts: the worker who recorded it, or the team's supervisor, marks it in error.
rules.add_perm(
    "crises.mark_crisisevent_in_error", recorded_the_crisis | supervises_crisis_young_person
)
