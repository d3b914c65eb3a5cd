from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from accounts.rules import teams_supervised_by
from clients.models import YoungPerson
from referrals.models import OPEN_STATUSES, Referral, ReferralAttachment
from referrals.rules import referrals_visible_to


def waiting_for(supervisor: User) -> QuerySet[Referral]:
    """Submitted referrals to the supervisor's teams still waiting for a decision."""
    return referrals_visible_to(supervisor).filter(
        team__in=teams_supervised_by(supervisor), status__in=OPEN_STATUSES - {Referral.Status.DRAFT}
    )


def referrals_on_record(young_person: YoungPerson, user: User) -> QuerySet[Referral]:
    """The referrals that brought the young person to ICMS, newest first; `seen` when the user
    may open the referral itself (referrals.rules)."""
    return (
        Referral.objects.filter(young_person=young_person, status=Referral.Status.ACCEPTED)
        .select_related("referred_by")
        .annotate(seen=Exists(referrals_visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("-submitted_at")
    )


def documents_on_file(young_person: YoungPerson) -> QuerySet[ReferralAttachment]:
    """The documents of the referrals the young person came with, on their file for whoever
    sees the record; a withdrawn one stays listed, as withdrawn, and is no longer offered."""
    return ReferralAttachment.objects.filter(
        referral__young_person=young_person, referral__status=Referral.Status.ACCEPTED
    ).select_related("withdrawn_by")


def last_phone_of(practitioner: User) -> str:
    """The phone the practitioner gave on their latest referral, to offer on the next."""
    return (
        Referral.objects.filter(referred_by=practitioner)
        .exclude(referrer_phone="")
        .values_list("referrer_phone", flat=True)
        .first()
        or ""
    )
