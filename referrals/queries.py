from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import teams_supervised_by
from referrals.models import OPEN_STATUSES, Referral
from referrals.rules import referrals_visible_to


def waiting_for(supervisor: User) -> QuerySet[Referral]:
    """Submitted referrals to the supervisor's teams still waiting for a decision."""
    return referrals_visible_to(supervisor).filter(
        team__in=teams_supervised_by(supervisor), status__in=OPEN_STATUSES - {Referral.Status.DRAFT}
    )
