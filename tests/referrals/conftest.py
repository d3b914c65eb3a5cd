import pytest
from django.utils import timezone

from tests.factories import ReferralFactory


@pytest.fixture
def accepted_referral(practitioner, team, own_young_person):
    """The practitioner's accepted referral that the case manager's young person came from."""
    return ReferralFactory(
        referred_by=practitioner,
        team=team,
        status="accepted",
        young_person=own_young_person,
        decided_at=timezone.now(),
    )
