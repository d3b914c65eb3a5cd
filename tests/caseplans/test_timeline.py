"""Case plans and their reviews on the young person's timeline (caseplans.timeline)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans.models import CasePlan, PlanReview
from tests.factories import CasePlanFactory

pytestmark = pytest.mark.django_db


def plan_entries(client, young_person):
    response = client.get(
        reverse("clients:timeline", args=[young_person.pk]), {"kind": ["case_plan", "plan_review"]}
    )
    return response, [
        (entry.kind, entry.event, entry.item) for entry in response.context["entries"]
    ]


def test_a_plan_made_approved_and_reviewed_tells_its_story_newest_first(
    client, log_in, case_manager, supervisor, own_young_person
):
    now = timezone.now()
    first = CasePlanFactory(
        young_person=own_young_person,
        number=1,
        status=CasePlan.Status.SUPERSEDED,
        created_by=case_manager,
        created_at=now - timedelta(days=90),
        approved_by=supervisor,
        approved_at=now - timedelta(days=88),
    )
    second = CasePlanFactory(
        young_person=own_young_person,
        number=2,
        created_by=case_manager,
        created_at=now - timedelta(days=2),
    )
    review = PlanReview.objects.create(
        reviewed_plan=first,
        next_plan=second,
        reviewed_on=date(2026, 11, 30),
        summary="School goal met; housing still open.",
        reviewed_by=case_manager,
        recorded_at=now - timedelta(days=2, minutes=5),
    )
    log_in(case_manager)

    response, entries = plan_entries(client, own_young_person)

    assert entries == [
        ("case_plan", "made", second),
        ("plan_review", "reviewed", review),
        ("case_plan", "approved", first),
        ("case_plan", "made", first),
    ]
    text = " ".join(response.text.split())
    assert f"Case plan 2 started</a> ({case_manager})" in text
    assert f"Case plan 1 reviewed</a> on 30 Nov 2026 ({case_manager})" in text
    assert "School goal met; housing still open." in text
    assert f"Case plan 1 approved</a>, current from {first.starts_on:%-d %b %Y}" in text
    assert f'href="{reverse("caseplans:plan", args=[first.pk])}"' in text
    assert f'href="{reverse("caseplans:plan", args=[second.pk])}"' in text


def test_another_young_persons_plans_stay_off_the_timeline(
    client, log_in, case_manager, own_young_person, other_young_person
):
    CasePlanFactory(young_person=other_young_person)
    mine = CasePlanFactory(young_person=own_young_person)
    log_in(case_manager)

    _, entries = plan_entries(client, own_young_person)

    assert entries == [("case_plan", "made", mine)]
