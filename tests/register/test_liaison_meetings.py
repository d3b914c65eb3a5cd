"""The liaison meeting: agencies, the young people it discussed (their register reviews held
in one go), and actions with owners."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from register import services
from register.models import LiaisonMeeting, RegisterReview
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_listed(register_coordinator, own_young_person, team):
    listed_on = timezone.localdate() - timedelta(days=15)
    return [
        services.list_young_person(
            young_person, by=register_coordinator, listed_on=listed_on, risk_factors=[]
        )
        for young_person in (
            own_young_person,
            YoungPersonFactory(team=team, given_name="Ruby", family_name="Second"),
        )
    ]


def meeting_data(first, second, **changes) -> dict:
    reviews = [entry.reviews.get(reviewed_on__isnull=True) for entry in (first, second)]
    return {
        "held_on": timezone.localdate().isoformat(),
        "agencies": ["child_protection", "icms", "mental_health"],
        "attendees": "Rita (CP), Casey (ICMS), Dr Lee (CAMHS)",
        f"outcome-{reviews[0].pk}": "remain",
        f"outcome-{reviews[1].pk}": "remove",
        f"reason-{reviews[1].pk}": "Stable in kinship care for three months.",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-0-description": "Ask CAMHS for an urgent assessment for Jayden",
        "actions-0-owner": "Dr Lee",
        "actions-0-due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    } | changes


def test_a_meeting_holds_the_reviews_it_discussed_and_records_its_actions(
    client, log_in, register_coordinator, two_listed
):
    first, second = two_listed
    log_in(register_coordinator)

    response = client.post(reverse("register:meeting-create"), meeting_data(first, second))

    meeting = LiaisonMeeting.objects.get()
    assert response.url == reverse("register:meeting", args=[meeting.pk])
    assert first.reviews.get(meeting=meeting).outcome == "remain"
    assert first.reviews.filter(reviewed_on__isnull=True).get().due_on == (
        timezone.localdate() + timedelta(days=14)
    )
    second.refresh_from_db()
    assert second.status == "removed"
    page = client.get(response.url).text
    assert "Child protection, ICMS, Mental health" in page
    assert "Ask CAMHS for an urgent assessment for Jayden — Dr Lee" in page
    assert "Ruby Second</a>: remove from the register" in page


def test_a_removal_without_a_reason_saves_nothing_and_names_the_young_person(
    client, log_in, register_coordinator, two_listed
):
    first, second = two_listed
    review = second.reviews.get()
    log_in(register_coordinator)

    response = client.post(
        reverse("register:meeting-create"),
        meeting_data(first, second, **{f"reason-{review.pk}": ""}),
    )

    assert "Ruby Second: Say why the young person comes off the register." in response.text
    assert not LiaisonMeeting.objects.exists()
    assert not RegisterReview.objects.filter(reviewed_on__isnull=False).exists()
