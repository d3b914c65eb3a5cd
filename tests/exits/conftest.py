"""A young person of the case manager's, taken on from a referral a hundred days ago, with an
exit plan written and the accommodation and supportive adults in place: ready to leave."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from caseplans.models import ExitPlan
from clients.models import Allocation
from exits import services
from referrals.models import Referral
from tests.factories import KeyPersonFactory, ReferralFactory

EXIT_PLAN = {
    "accommodation": "Lead tenant flat through the youth housing program.",
    "accommodation_in_place": True,
    "income": "Youth allowance from her 18th birthday.",
    "supportive_adults": "Her aunt Rosa; her TAFE teacher.",
    "supportive_adults_in_place": True,
    "supports": "Youth mental health service.",
    "post_statutory_support": "Leaving care support program.",
    "post_statutory_referrer": "The case manager, before exit.",
}


@pytest.fixture
def supervisor_client(client, log_in, supervisor):
    log_in(supervisor)
    return client


@pytest.fixture
def case_manager_client(client, log_in, case_manager):
    log_in(case_manager)
    return client


def take_on(young_person, case_manager, *, days_ago: int = 100) -> None:
    """As accepting a referral `days_ago` did: the referral decided, the case manager allocated.
    At ten in the morning of that day: `now - 100 days` can be another calendar day in the
    service's time zone, across a change to or from daylight saving."""
    day = timezone.localdate() - timedelta(days=days_ago)
    accepted = timezone.make_aware(datetime.combine(day, time(10)))
    ReferralFactory(
        team=young_person.team,
        status=Referral.Status.ACCEPTED,
        young_person=young_person,
        submitted_at=accepted - timedelta(days=5),
        decided_at=accepted,
    )
    Allocation.objects.create(
        young_person=young_person,
        worker=case_manager,
        role=Allocation.Role.PRIMARY,
        started_on=timezone.localdate(accepted),
    )


@pytest.fixture
def leaving(own_young_person, case_manager):
    """Jayden, ready to leave: taken on 100 days ago, with his exit plan and his aunt, a support."""
    take_on(own_young_person, case_manager)
    ExitPlan.objects.create(young_person=own_young_person, updated_by=case_manager, **EXIT_PLAN)
    KeyPersonFactory(
        young_person=own_young_person,
        name="Rosa Own",
        relationship="aunt_uncle",
        phone="0400 555 010",
    )
    return own_young_person


def close(young_person, by, **overrides):
    """Close the episode today as the supervisor does, for the usual reason and destination."""
    fields = {
        "closed_on": timezone.localdate(),
        "reason": "goals_achieved",
        "destination": "lead_tenant",
        "notes": "Settled in the flat; TAFE started.",
        "phone": "0400 123 456",
    }
    return services.close_episode(young_person, by=by, **(fields | overrides))
