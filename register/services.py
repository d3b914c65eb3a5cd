"""Every change to the high-risk youth register: listing, fortnightly reviews, removal; and the
daily jobs that make each due review once and remind people of them."""

from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.cover import covering_on, supervisors_of
from accounts.models import Division, Role, User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from notifications.services import Notice, notify, notify_many
from register.models import (
    Escalation,
    LiaisonMeeting,
    MeetingAction,
    RegisterEntry,
    RegisterReview,
)
from register.rules import register_entries_visible_to

Status = RegisterEntry.Status
Outcome = RegisterReview.Outcome
WHY_REMOVED = "Say why the young person comes off the register."
WHAT_ESCALATED = "Say what is escalated, and why."

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
        raise ValidationError({field: f"This is before {after_what} ({after:%d/%m/%Y})."})


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
            f"(listed {active.listed_on:%d/%m/%Y}). Remove that entry first."
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
    escalation: str = "",
    meeting: LiaisonMeeting | None = None,
) -> RegisterReview:
    """Complete a review. "Remove" closes the entry (with its reason); otherwise the next review
    falls due the division's interval after this one. "Escalate" raises an escalation (saying
    what is escalated) to those who hold the young person's case."""
    review = RegisterReview.objects.select_for_update().select_related("entry").get(pk=review.pk)
    entry = review.entry
    if review.reviewed_on is not None:
        raise ValidationError(f"This review was recorded on {review.reviewed_on:%d/%m/%Y}.")
    _check_date(reviewed_on, field="reviewed_on", after=entry.listed_on, after_what="the listing")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome of the review."})
    if outcome == Outcome.REMOVE and not removal_reason.strip():
        raise ValidationError({"removal_reason": WHY_REMOVED})
    if outcome == Outcome.ESCALATE and not escalation.strip():
        raise ValidationError({"escalation": WHAT_ESCALATED})
    review.reviewed_on = reviewed_on
    review.outcome = outcome
    review.participants = participants
    review.notes = notes.strip()
    review.reviewed_by = by
    review.meeting = meeting
    review.full_clean(validate_constraints=False)
    review.save()
    if outcome == Outcome.REMOVE:
        _close(entry, by=by, on=reviewed_on, reason=removal_reason)
    else:
        schedule_reviews([entry.pk])
    record(AuditAction.CHANGE, actor=by, obj=review, detail={"outcome": outcome})
    if outcome == Outcome.ESCALATE:
        _escalate(review, by=by, what=escalation.strip())
    return review


def _escalate(review: RegisterReview, *, by: User, what: str) -> Escalation:
    """Tell the team's supervisor (and whoever covers the team) and the primary case manager
    (and whoever covers them), and flag the young person until one records what was done."""
    young_person = YoungPerson.objects.select_related("team__supervisor").get(
        pk=review.entry.young_person_id
    )
    case_managers = User.objects.filter(
        pk__in=covering_on(timezone.localdate()).worker_and_cover(
            young_person.primary_case_manager_id
        )
    )
    told = [user for user in [*supervisors_of(young_person.team), *case_managers] if user.is_active]
    if not told:
        raise ValidationError(
            {
                "escalation": f"No ICMS team leader or case manager holds {young_person}'s case "
                "yet: an escalation would reach no one."
            }
        )
    escalation = Escalation(
        young_person=young_person, entry=review.entry, review=review, what=what, raised_by=by
    )
    escalation.full_clean(validate_constraints=False)
    escalation.save()
    escalation.escalated_to.set(told)
    where = (
        f"the liaison meeting of {review.meeting.held_on:%d/%m/%Y}"
        if review.meeting
        else f"the register review of {review.reviewed_on:%d/%m/%Y}"
    )
    notify(
        told,
        message=f"{young_person} was escalated at {where}: {Truncator(what).chars(160)}",
        url=young_person.get_absolute_url(),
        key=f"escalation-{escalation.pk}",
    )
    record(AuditAction.CREATE, actor=by, obj=escalation)
    return escalation


@transaction.atomic
def resolve_escalation(escalation: Escalation, *, by: User, what_was_done: str) -> Escalation:
    """Record what was done about an escalation; the young person's flag comes off when none of
    theirs is open. The one who raised it is told."""
    if not what_was_done.strip():
        raise ValidationError({"what_was_done": "Say what was done."})
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("resolved_by", "young_person")
        .get(pk=escalation.pk)
    )
    if not escalation.is_open:
        raise ValidationError(
            f"{escalation.resolved_by} recorded what was done on "
            f"{timezone.localtime(escalation.resolved_at):%d/%m/%Y at %H:%M}."
        )
    escalation.what_was_done = what_was_done.strip()
    escalation.resolved_by = by
    escalation.resolved_at = timezone.now()
    escalation.full_clean(validate_constraints=False)
    escalation.save(update_fields=["what_was_done", "resolved_by", "resolved_at"])
    record(AuditAction.CHANGE, actor=by, obj=escalation, detail={"resolved": True})
    notify(
        [escalation.raised_by] if escalation.raised_by_id != by.pk else [],
        message=f"{by} recorded what was done about {escalation.young_person}'s escalation.",
        url=reverse("register:entry", args=[escalation.entry_id]),
        key=f"escalation-{escalation.pk}-resolved",
    )
    return escalation


@transaction.atomic
def remove_entry(entry: RegisterEntry, *, by: User, removed_on: date, reason: str) -> RegisterEntry:
    """Take a young person off the register outside a review (they moved division, say)."""
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Status.ACTIVE:
        raise ValidationError(f"This entry was closed on {entry.removed_on:%d/%m/%Y}.")
    _check_date(removed_on, field="removed_on", after=entry.listed_on, after_what="the listing")
    _close(entry, by=by, on=removed_on, reason=reason)
    record(AuditAction.CHANGE, actor=by, obj=entry, detail={"removed": reason.strip()})
    return entry


class Discussed(NamedTuple):
    """What a liaison meeting concluded about one young person on the register."""

    outcome: str
    removal_reason: str = ""
    escalation: str = ""


@transaction.atomic
def hold_meeting(
    division: Division,
    *,
    by: User,
    held_on: date,
    agencies: list[str],
    attendees: str = "",
    notes: str = "",
    outcomes: dict[RegisterReview, Discussed],
    actions: list[dict],
) -> LiaisonMeeting:
    """Record a liaison meeting. The register reviews it held (`outcomes`: for each open review
    of the division's entries, the outcome, and why the young person is removed or what is
    escalated) are completed in one go, dated the meeting's day, with the agencies present as
    who took part. All or nothing."""
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
    for review, discussed in outcomes.items():
        young_person = review.entry.young_person
        if review.entry.division_id != division.pk:
            raise ValidationError("A young person discussed is on another division's register.")
        try:
            record_review(
                review, by=by, reviewed_on=held_on, outcome=discussed.outcome,
                participants=agencies,
                notes=f"Reviewed at the liaison meeting of {held_on:%d/%m/%Y}.",
                removal_reason=discussed.removal_reason, escalation=discussed.escalation,
                meeting=meeting,
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
            f"{name}'s register review was due {due_on:%d/%m/%Y} and is overdue."
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
