"""Who may see and do what in the diary: the policy for this app.

An appointment is part of the young person's record: whoever sees the young person sees their
appointments, and whoever may log a contact for them may book, change and give an outcome to
one. A team's diary is for the team's supervisor and whoever covers the team. Each ICMS worker
has a diary of their own, and may make (and end) their own calendar link.
"""

import rules
from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import is_icms_worker, seen_in, supervises_team
from clients.rules import works_with_young_person, young_people_visible_to
from diary.models import Appointment


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    """The appointments of the young people the user sees (clients.rules)."""
    return Appointment.objects.filter(young_person__in=young_people_visible_to(user))


@rules.predicate
def works_with_appointment_young_person(user: User, appointment: Appointment) -> bool:
    return works_with_young_person(user, appointment.young_person)


rules.add_perm("diary.view_diary", is_icms_worker)
rules.add_perm("diary.view_appointment", seen_in(appointments_visible_to))
# On a young person: booking is logging what is planned, as logging a contact is what happened.
rules.add_perm("diary.add_appointment", works_with_young_person)
rules.add_perm("diary.change_appointment", works_with_appointment_young_person)
rules.add_perm("diary.view_team_diary", supervises_team)
rules.add_perm("diary.make_feed_link", is_icms_worker)
