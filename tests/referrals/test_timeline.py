"""The referral and its decision on the young person's timeline (referrals.timeline), as far as
the user may see the referral (referrals.rules)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def decided(young_person, team, *, to, by, days_ago, note="", **fields):
    """A referral of the young person submitted to `team` and then moved `to` a decision."""
    referral = ReferralFactory(young_person=young_person, team=team, status=to, **fields)
    at = timezone.now() - timedelta(days=days_ago)
    referral.moves.create(
        from_status="draft", to_status="submitted", by=referral.referred_by, at=at
    )
    referral.moves.create(
        from_status="considering", to_status="waitlisted", by=by, at=at + timedelta(hours=1)
    )
    referral.moves.create(
        from_status="waitlisted", to_status=to, by=by, at=at + timedelta(days=1), note=note
    )
    return referral


def referral_entries(client, young_person):
    response = client.get(reverse("clients:timeline", args=[young_person.pk]), {"kind": "referral"})
    entries = [(entry.event, entry.item.to_status) for entry in response.context["entries"]]
    return response, entries


def test_the_referral_and_its_decision_show_to_the_teams_supervisor(
    client, log_in, supervisor, own_young_person
):
    declined = decided(own_young_person, supervisor.team, to=Referral.Status.DECLINED,
                       by=supervisor, days_ago=200, decline_reason="capacity",
                       note="No room this month.")  # fmt: skip
    accepted = decided(own_young_person, supervisor.team, to=Referral.Status.ACCEPTED,
                       by=supervisor, days_ago=100, note="Allocated to Casey")  # fmt: skip
    log_in(supervisor)

    response, entries = referral_entries(client, own_young_person)

    # Triage moves (waitlisted) are the referral's own business, not the young person's story.
    assert entries == [
        ("decided", "accepted"),
        ("submitted", "submitted"),
        ("decided", "declined"),
        ("submitted", "submitted"),
    ]
    text = " ".join(response.text.split())
    assert f"Referred</a> to {supervisor.team} by {accepted.referred_by}" in text
    assert f"Referral accepted</a> ({supervisor})" in text
    assert f"Referral declined</a>: no capacity ({supervisor})" in text
    assert "No room this month." in text
    assert f'href="{reverse("referrals:detail", args=[declined.pk])}"' in text


def test_a_referral_the_user_may_not_see_stays_off_the_timeline(
    client, log_in, case_manager, supervisor, other_team, own_young_person
):
    # Another team declined them once; this team declined, then accepted them.
    decided(own_young_person, other_team, to=Referral.Status.DECLINED, by=supervisor,
            days_ago=300, decline_reason="eligibility", note="Lives outside the West.")  # fmt: skip
    decided(own_young_person, supervisor.team, to=Referral.Status.DECLINED, by=supervisor,
            days_ago=200, decline_reason="capacity", note="No room this month.")  # fmt: skip
    decided(own_young_person, supervisor.team, to=Referral.Status.ACCEPTED, by=supervisor,
            days_ago=100)  # fmt: skip

    log_in(supervisor)
    supervisor_sees, by_supervisor = referral_entries(client, own_young_person)
    log_in(case_manager)
    case_manager_sees, by_case_manager = referral_entries(client, own_young_person)

    assert len(by_supervisor) == 4  # their team's two referrals
    assert "Lives outside the West." not in supervisor_sees.text
    # A case manager sees the referral that brought the young person, not the declined one.
    assert by_case_manager == [("decided", "accepted"), ("submitted", "submitted")]
    assert "No room this month." not in case_manager_sees.text
