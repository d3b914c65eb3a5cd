"""Who may see and do what with the crisis and after-hours log: the policy for this app.

A crisis event belongs to the young person's record: whoever sees the young person sees their
crises, nobody else. The ICMS workers who work with the young person record them; the team's
supervisor reads the team's log each morning.
"""

import rules
from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import is_supervisor, seen_in
from clients.rules import (
    holds_the_case_of,
    restricted_entries_supervised_by,
    supervises_young_person,
    works_with_young_person,
    wrote_the_entry,
    young_people_visible_to,
)
from crises.models import CrisisEvent


def crisis_events_visible_to(user: User) -> QuerySet[CrisisEvent]:
    """The crisis events of the young people the user sees."""
    return CrisisEvent.objects.filter(young_person__in=young_people_visible_to(user))


def crisis_read_logs_visible_to(user: User) -> QuerySet[CrisisEvent]:
    """The restricted crises whose "who has read this" the user may see (clients.rules)."""
    return restricted_entries_supervised_by(crisis_events_visible_to(user), user)


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
# Restricted crises follow clients.rules: the author restricts; the author, the primary case
# manager or the supervisor lifts; the supervisor sees who read it.
rules.add_perm("crises.restrict_crisisevent", wrote_the_entry)
rules.add_perm("crises.lift_crisisevent_restriction", wrote_the_entry | holds_the_case_of)
rules.add_perm("crises.view_crisisevent_read_log", seen_in(crisis_read_logs_visible_to))
