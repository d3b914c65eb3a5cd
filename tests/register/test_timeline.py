"""The register's reviews on the young person's timeline (register.timeline)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from register.models import RegisterEntry, RegisterReview
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def listed(young_person, coordinator):
    return RegisterEntry.objects.create(
        young_person=young_person,
        division=young_person.division,
        listed_on=date(2026, 1, 5),
        listed_by=coordinator,
    )


def test_a_register_review_shows_on_its_day_with_its_outcome(
    client, log_in, case_manager, register_coordinator, own_young_person
):
    entry = listed(own_young_person, register_coordinator)
    held = timezone.localdate() - timedelta(days=3)
    review = RegisterReview.objects.create(
        entry=entry, due_on=held, reviewed_on=held, outcome="remain",
        participants=["child_protection", "icms"], notes="Settled at school.",
        reviewed_by=register_coordinator,
    )  # fmt: skip
    RegisterReview.objects.create(entry=entry, due_on=held + timedelta(days=14))  # not yet held
    that_morning = timezone.make_aware(datetime.combine(held, time(9)))
    contact = ContactFactory(young_person=own_young_person, started_at=that_morning)
    log_in(case_manager)

    response = client.get(
        reverse("clients:timeline", args=[own_young_person.pk]),
        {"kind": ["register_review", "contact"]},
    )

    # The review records its day only: it stands at the start of the day, below that day's
    # contact.
    assert [entry.item for entry in response.context["entries"]] == [contact, review]
    text = " ".join(response.text.split())
    assert (
        f'<a class="fw-semibold" href="{reverse("register:entry", args=[entry.pk])}">'
        f"Register review</a>, {entry.division} register: remain listed ({register_coordinator})"
    ) in text
    assert "With Child protection, ICMS" in text
    assert f">{held:%-d %b %Y}</time>" in text  # the day, without a time


def test_another_young_persons_reviews_stay_off_the_timeline(
    client, log_in, case_manager, register_coordinator, own_young_person, other_young_person
):
    other_young_person.division = own_young_person.division
    other_young_person.save(update_fields=["division"])
    theirs = listed(other_young_person, register_coordinator)
    RegisterReview.objects.create(
        entry=theirs, due_on=date(2026, 2, 1), reviewed_on=date(2026, 2, 1), outcome="escalate",
        notes="Missing again.", reviewed_by=register_coordinator,
    )  # fmt: skip
    log_in(case_manager)

    response = client.get(
        reverse("clients:timeline", args=[own_young_person.pk]), {"kind": "register_review"}
    )

    assert response.context["entries"] == []
    assert "Missing again." not in response.text
