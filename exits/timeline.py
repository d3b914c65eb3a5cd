"""Leaving ICMS on the young person's timeline (clients.timeline): the episode closed, each
after-care follow-up made, and the file reopened on a re-referral."""

from django.db.models import QuerySet

from accounts.models import User
from clients.models import YoungPerson
from clients.timeline import Moment, TimelineKind, by_pk, register
from exits.models import Closure, FollowUp, Reopening
from exits.rules import closures_visible_to, follow_ups_visible_to


def _closures(young_person: YoungPerson, user: User) -> QuerySet[Closure]:
    return closures_visible_to(user).filter(young_person=young_person)


def _follow_ups_made(young_person: YoungPerson, user: User) -> QuerySet[FollowUp]:
    return follow_ups_visible_to(user).filter(young_person=young_person, made_on__isnull=False)


def _reopenings(young_person: YoungPerson, user: User) -> QuerySet[Reopening]:
    # A reopening is seen by whoever sees the closure it followed.
    return Reopening.objects.filter(closure__in=_closures(young_person, user))


register(
    TimelineKind(
        "leaving",
        "Leaving ICMS and after-care",
        "exits/timeline_entry.html",
        (
            Moment(
                60,
                "closed",
                _closures,
                "recorded_at",
                by_pk(Closure.objects.select_related("closed_by")),
            ),
            Moment(
                61,
                "followed_up",
                _follow_ups_made,
                "recorded_at",
                by_pk(FollowUp.objects.select_related("made_by")),
            ),
            Moment(
                62,
                "reopened",
                _reopenings,
                "recorded_at",
                by_pk(Reopening.objects.select_related("reopened_by", "case_manager")),
            ),
        ),
        accent="dark",
    )
)
