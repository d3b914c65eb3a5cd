"""Who may see and do what with closings and after-care: the policy for this app.

A closure belongs to the young person's file: whoever sees the young person sees it (once the
file is closed, their team's supervisor; a colleague covering the team). The worker who makes an
after-care follow-up is no longer allocated to the young person, so they do not see the record
itself: they see their follow-ups (and a colleague covering them sees theirs), with what a
follow-up needs, and the closure those follow-ups come from. The team's supervisor sees every
follow-up of the team. Child protection, the register and the administrator see none.

Closing an episode and reopening a closed file are the team's supervisor's, as allocation is.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.cover import workers_covered_by
from accounts.models import User
from accounts.rules import is_icms_worker, seen_in, teams_supervised_by
from clients.rules import supervises_young_person, young_people_visible_to
from exits.models import Closure, FollowUp


def _is_icms_worker(user: User) -> bool:
    return user.is_active and is_icms_worker(user)


def follow_ups_visible_to(user: User) -> QuerySet[FollowUp]:
    """The after-care follow-ups the user makes (as the worker named), makes for a colleague
    they cover, or supervises (their teams'); and those on the files the user sees (a file
    reopened: its earlier follow-ups are part of it)."""
    if not _is_icms_worker(user):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        Q(worker=user)
        | Q(worker__in=workers_covered_by(user))
        | Q(young_person__team__in=teams_supervised_by(user))
        | Q(young_person__in=young_people_visible_to(user))
    )


def closures_visible_to(user: User) -> QuerySet[Closure]:
    """The closures on the files of the young people the user sees, and those whose after-care
    follow-ups the user sees."""
    if not _is_icms_worker(user):
        return Closure.objects.none()
    return Closure.objects.filter(
        Q(young_person__in=young_people_visible_to(user))
        | Q(pk__in=follow_ups_visible_to(user).values("closure"))
    )


rules.add_perm("exits.view_closure", seen_in(closures_visible_to))
rules.add_perm("exits.view_followup", seen_in(follow_ups_visible_to))
# Whoever sees a follow-up may record it: the worker named, their cover, the supervisor.
rules.add_perm("exits.record_follow_up", seen_in(follow_ups_visible_to))
# "My after-care follow-ups": the ICMS workers' list (a supervisor's shows their team's).
rules.add_perm("exits.view_follow_ups", is_icms_worker)
# On a young person of their team, as allocation and status changes are.
rules.add_perm("exits.close_episode", supervises_young_person)
rules.add_perm("exits.reopen_episode", supervises_young_person)
