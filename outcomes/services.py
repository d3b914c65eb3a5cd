"""Recording outcome reviews, marking one in error, and reminding of those due."""

from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from notifications.services import Notice, notify_many
from outcomes.models import Instrument, Item, Rating, Review
from outcomes.queries import DUE_SOON, outcome_reviews_due
from toolkit.formats import show_date


@dataclass(frozen=True)
class Rated:
    """What the form gives for one item."""

    item: Item
    value: int
    reason: str = ""
    own_value: int | None = None
    own_words: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = ("value", "reason", "own_value", "own_words")


def _check_rating(rated: Rated) -> dict[str, str]:
    """The problems of one item's rating, by the form's field names for it."""
    scale = rated.item.scale
    values = {point.value for point in scale.points.all()}
    errors = {}
    if rated.value not in values:
        errors["value"] = "Choose one of the scale's points."
    elif rated.value != scale.best_value and not rated.reason.strip():
        errors["reason"] = "Say why, in a few words."
    if rated.own_value is not None and rated.own_value not in values:
        errors["own_value"] = "Choose one of the scale's points."
    return errors


@transaction.atomic
def record_review(
    young_person: YoungPerson,
    *,
    by: User,
    instrument: Instrument,
    occasion: str,
    reviewed_on: date,
    engagement: str,
    young_person_view: str = "",
    ratings: list[Rated],
    client_reference: UUID | None = None,
) -> Review:
    """A review of the young person on `instrument`: every item rated on its scale, with a
    reason for any rating but the best, and the young person's own rating and words where they
    gave them. All or nothing; submitting the same form twice records one review."""
    if client_reference is not None:
        earlier = Review.objects.filter(client_reference=client_reference).first()
        if earlier is not None:
            return earlier
    if not instrument.active:
        raise ValidationError("This instrument is no longer offered: choose another.")
    if reviewed_on < young_person.date_of_birth:
        raise ValidationError({"reviewed_on": "This is before the young person was born."})
    items = {item.pk for item in Item.objects.filter(scale__instrument=instrument)}
    given = {rated.item.pk for rated in ratings}
    if given != items or len(ratings) != len(items):
        raise ValidationError("Rate every item of the review.")
    errors = {
        f"item-{rated.item.pk}-{name}": message
        for rated in ratings
        for name, message in _check_rating(rated).items()
    }
    if errors:
        raise ValidationError(errors)
    review = Review(
        young_person=young_person,
        instrument=instrument,
        occasion=occasion,
        reviewed_on=reviewed_on,
        engagement=engagement,
        young_person_view=young_person_view.strip(),
        reviewed_by=by,
    )
    if client_reference is not None:
        review.client_reference = client_reference
    review.full_clean()
    review.save()
    rows = [
        Rating(
            review=review,
            item=rated.item,
            value=rated.value,
            reason=rated.reason.strip(),
            own_value=rated.own_value,
            own_words=rated.own_words.strip(),
        )
        for rated in ratings
    ]
    for row in rows:
        row.full_clean(exclude=["review"])
    Rating.objects.bulk_create(rows)
    record(AuditAction.CREATE, actor=by, obj=review, young_person_id=young_person.pk)
    return review


@transaction.atomic
def mark_review_in_error(review: Review, *, by: User, reason: str) -> Review:
    """A review recorded by mistake (the wrong young person, a duplicate) is marked, never
    deleted; schedules and reports leave it out."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this review is in error."})
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.entered_in_error_at is None:
        review.entered_in_error_at = timezone.now()
        review.entered_in_error_by = by
        review.entered_in_error_reason = reason.strip()
        review.save(
            update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
        )
        record(
            AuditAction.CHANGE,
            actor=by,
            obj=review,
            young_person_id=review.young_person_id,
            detail={"entered_in_error": reason.strip()},
        )
    return review


def remind_of_outcome_reviews(today: date) -> int:
    """Outcome reviews due within a week or overdue remind the primary case manager (and a
    colleague covering them). Once per young person, review and person a day."""
    covering = covering_on(today)
    due = outcome_reviews_due(today + DUE_SOON).values_list(
        "pk", "outcome_review_occasion", "outcome_review_due_on", "primary_case_manager_id",
        "preferred_name", "given_name", "family_name",
    )  # fmt: skip
    notices = []
    for pk, occasion, due_on, case_manager, *name in due.iterator(chunk_size=5000):
        if case_manager is None:
            continue
        who = f"{name[0] or name[1]} {name[2]}"
        message = (
            f"{who}'s {occasion} outcome review was due {show_date(due_on)}."
            if due_on < today
            else f"{who}'s {occasion} outcome review is due by {show_date(due_on)}."
        )
        key = f"outcome-review-{pk}-{occasion}-{due_on:%Y%m%d}-{today:%Y%m%d}"
        url = reverse("outcomes:young-person", args=[pk])
        notices += [
            Notice(recipient, key, message, url)
            for recipient in covering.worker_and_cover(case_manager)
        ]
    return notify_many(notices)
