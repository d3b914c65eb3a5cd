"""The referrals that brought the young person, and their decisions, on the young person's
timeline (clients.timeline), as the referral's moves record them: who, when, with what note.
Only the referrals the user may see (referrals.rules): a case manager sees the accepted ones,
the team's supervisor the team's."""

from clients.timeline import Moment, TimelineKind, by_pk, register
from referrals.models import Referral, ReferralMove
from referrals.rules import referrals_visible_to

DECISIONS = [Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.WITHDRAWN]


def _moves_to(statuses):
    def records(young_person, user):
        return ReferralMove.objects.filter(
            referral__in=referrals_visible_to(user).filter(young_person=young_person),
            to_status__in=statuses,
        )

    return records


_moves = by_pk(ReferralMove.objects.select_related("referral__referred_by", "referral__team", "by"))

register(
    TimelineKind(
        "referral",
        "Referrals",
        "referrals/timeline_entry.html",
        (
            Moment(13, "submitted", _moves_to([Referral.Status.SUBMITTED]), "at", _moves),
            Moment(14, "decided", _moves_to(DECISIONS), "at", _moves),
        ),
    )
)
