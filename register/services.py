"""Every change to the high-risk youth register: listing, fortnightly reviews, removal; and the
daily jobs that make each due review once and remind people of them."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on
from accounts.models import Division, Role, User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from icms.formats import show_date
from notifications.services import Notice, notify_many
from register.models import LiaisonMeeting, MeetingAction, RegisterEntry, RegisterReview
from register.rules import register_entries_visible_to

Status = RegisterEntry.Status
WHY_REMOVED = "Say why the young person comes off the register."

# One statement for every active entry without an open review: its next review falls due the
# division's interval after its last completed review, or after the listing. ON CONFLICT DO
# NOTHING against the one-open-review key makes any number of runs, concurrent ones too, make
# each once.
SCHEDULE_REVIEWS = """
INSERT INTO register_registerreview (entry_id, due_on, participants, outcome, notes, created_at)
SELECT entry.id,
       COALESCE(last.reviewed_on, entry.listed_on) + division.register_review_days,
       '{}', '', '', %(now)s
FROM register_registerentry entry
JOIN accounts_division division ON division.id = entry.division_id
LEFT JOIN LATERAL (
    SELECT max(review.reviewed_on) AS reviewed_on FROM register_registerreview review
    WHERE review.entry_id = entry.id AND review.reviewed_on IS NOT NULL
) last ON true
WHERE entry.status = 'active'
  AND (%(entry_ids)s::bigint[] IS NULL OR entry.id = ANY(%(entry_ids)s::bigint[]))
  AND NOT EXISTS (
    SELECT 1 FROM register_registerreview review
    WHERE review.entry_id = entry.id AND review.reviewed_on IS NULL
  )
ON CONFLICT DO NOTHING
"""


def schedule_reviews(entry_ids: list[int] | None = None) -> int:
    """Make the next review of every active entry (or of `entry_ids`) that has none open;
    return how many were made."""
    with connection.cursor() as cursor:
        cursor.execute(SCHEDULE_REVIEWS, {"now": timezone.now(), "entry_ids": entry_ids})
        return cursor.rowcount


def _check_date(value: date, *, field: str, after: date, after_what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: "This date is in the future."})
    if value < after:
        raise ValidationError({field: f"This is before {after_what} ({show_date(after)})."})


@transaction.atomic
def list_young_person(
    young_person: YoungPerson,
    *,
    by: User,
    listed_on: date,
    risk_factors: list[str],
    risk_details: str = "",
) -> RegisterEntry:
    """List a young person on their division's register; the first review falls due after the
    division's interval."""
    _check_date(
        listed_on, field="listed_on", after=young_person.date_of_birth, after_what="their birth"
    )
    if young_person.division_id is None:
        raise ValidationError("Record the young person's division first: each keeps a register.")
    active = young_person.register_entries.filter(status=Status.ACTIVE).first()
    if active is not None:
        if not register_entries_visible_to(by).filter(pk=active.pk).exists():
            raise ValidationError("This young person is on another division's register already.")
        raise ValidationError(
            f"{young_person} is already on the {active.division} register "
            f"(listed {show_date(active.listed_on)}). Remove that entry first."
        )
    entry = RegisterEntry(
        young_person=young_person,
        division_id=young_person.division_id,
        listed_on=listed_on,
        risk_factors=risk_factors,
        risk_details=risk_details.strip(),
        listed_by=by,
    )
    entry.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # listed by someone else at the same moment
        raise ValidationError(f"{young_person} was listed a moment ago by someone else.") from None
    schedule_reviews([entry.pk])
    record(AuditAction.CREATE, actor=by, obj=entry)
    return entry


def _close(entry: RegisterEntry, *, by: User, on: date, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"removal_reason": WHY_REMOVED})
    entry.status = Status.REMOVED
    entry.removed_on = on
    entry.removal_reason = reason.strip()
    entry.removed_by = by
    entry.save(update_fields=["status", "removed_on", "removal_reason", "removed_by"])
    entry.reviews.filter(reviewed_on__isnull=True).delete()  # no review falls due any more


@transaction.atomic
def record_review(
    review: RegisterReview,
    *,
    by: User,
    reviewed_on: date,
    outcome: str,
    participants: list[str],
    notes: str = "",
    removal_reason: str = "",
    meeting: LiaisonMeeting | None = None,
) -> RegisterReview:
    """Complete a review. "Remove" closes the entry (with its reason); otherwise the next review
    falls due the division's interval after this one."""
    review = RegisterReview.objects.select_for_update().select_related("entry").get(pk=review.pk)
    entry = review.entry
    if review.reviewed_on is not None:
        raise ValidationError(f"This review was recorded on {show_date(review.reviewed_on)}.")
    _check_date(reviewed_on, field="reviewed_on", after=entry.listed_on, after_what="the listing")
    if outcome not in RegisterReview.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome of the review."})
    if outcome == RegisterReview.Outcome.REMOVE and not removal_reason.strip():
        raise ValidationError({"removal_reason": WHY_REMOVED})
    review.reviewed_on = reviewed_on
    review.outcome = outcome
    review.participants = participants
    review.notes = notes.strip()
    review.reviewed_by = by
    review.meeting = meeting
    review.full_clean(validate_constraints=False)
    review.save()
    if outcome == RegisterReview.Outcome.REMOVE:
        _close(entry, by=by, on=reviewed_on, reason=removal_reason)
    else:
        schedule_reviews([entry.pk])
    record(AuditAction.CHANGE, actor=by, obj=review, detail={"outcome": outcome})
    return review


@transaction.atomic
def remove_entry(entry: RegisterEntry, *, by: User, removed_on: date, reason: str) -> RegisterEntry:
    """Take a young person off the register outside a review (they moved division, say)."""
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Status.ACTIVE:
        raise ValidationError(f"This entry was closed on {show_date(entry.removed_on)}.")
    _check_date(removed_on, field="removed_on", after=entry.listed_on, after_what="the listing")
    _close(entry, by=by, on=removed_on, reason=reason)
    record(AuditAction.CHANGE, actor=by, obj=entry, detail={"removed": reason.strip()})
    return entry


@transaction.atomic
def hold_meeting(
    division: Division,
    *,
    by: User,
    held_on: date,
    agencies: list[str],
    attendees: str = "",
    notes: str = "",
    outcomes: dict[RegisterReview, tuple[str, str]],
    actions: list[dict],
) -> LiaisonMeeting:
    """Record a liaison meeting. The register reviews it held (`outcomes`: for each open review
    of the division's entries, the outcome and any reason for removal) are completed in one go,
    dated the meeting's day, with the agencies present as who took part. All or nothing."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "This date is in the future."})
    if not agencies:
        raise ValidationError({"agencies": "Tick the agencies present."})
    meeting = LiaisonMeeting.objects.create(
        division=division,
        held_on=held_on,
        agencies=agencies,
        attendees=attendees.strip(),
        notes=notes.strip(),
        recorded_by=by,
    )
    for review, (outcome, removal_reason) in outcomes.items():
        young_person = review.entry.young_person
        if review.entry.division_id != division.pk:
            raise ValidationError("A young person discussed is on another division's register.")
        try:
            record_review(
                review, by=by, reviewed_on=held_on, outcome=outcome, participants=agencies,
                notes=f"Reviewed at the liaison meeting of {show_date(held_on)}.",
                removal_reason=removal_reason, meeting=meeting,
            )  # fmt: skip
        except ValidationError as error:
            raise ValidationError(f"{young_person}: {' '.join(error.messages)}") from None
    for action in actions:
        if not action.get("description", "").strip() or not action.get("owner", "").strip():
            raise ValidationError("Each action needs what is to be done and who will do it.")
    MeetingAction.objects.bulk_create(
        MeetingAction(meeting=meeting, **action) for action in actions
    )
    record(AuditAction.CREATE, actor=by, obj=meeting, detail={"reviews": len(outcomes)})
    return meeting


def remind_of_reviews(today: date) -> int:
    """Remind the division's register coordinators and the young person's primary case manager
    of each review due today or overdue (and the colleague covering the case manager): once per
    review per day."""
    covering = covering_on(today)
    due = RegisterReview.objects.filter(reviewed_on__isnull=True, due_on__lte=today).values_list(
        "pk",
        "due_on",
        "entry_id",
        "entry__division_id",
        "entry__young_person__primary_case_manager_id",
        "entry__young_person__preferred_name",
        "entry__young_person__given_name",
        "entry__young_person__family_name",
    )
    coordinators: dict[int, list[int]] = {}
    for user_id, division_id in User.objects.filter(
        groups__name=Role.REGISTER_COORDINATOR, is_active=True, division__isnull=False
    ).values_list("pk", "division_id"):
        coordinators.setdefault(division_id, []).append(user_id)
    notices = []
    for row in due.iterator(chunk_size=5000):
        review_id, due_on, entry_id, division_id, case_manager_id, preferred, given, family = row
        name = f"{preferred or given} {family}"
        message = (
            f"{name}'s register review was due {show_date(due_on)} and is overdue."
            if due_on < today
            else f"{name}'s register review is due today."
        )
        url = reverse("register:entry", args=[entry_id])
        key = f"register-review-{review_id}-{today:%Y%m%d}"
        recipients = [
            *coordinators.get(division_id, []),
            *covering.worker_and_cover(case_manager_id),
        ]
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)
