"""Every change to the high-risk youth register: listing (by the division's register
coordinator, also when ICMS asks them to confirm a listing), fortnightly reviews, removal; and
the daily jobs that make each due review once and remind people of them."""

from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.cover import covering_on, supervisors_of
from accounts.models import Division, Role, User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from clients.services import merge_note
from notifications.services import Notice, notify, notify_many
from referrals.models import OPEN_STATUSES, Referral
from register.models import (
    Escalation,
    LiaisonMeeting,
    ListingRequest,
    MeetingAction,
    RegisterEntry,
    RegisterReview,
)
from register.queries import register_entry_of
from register.rules import register_entries_visible_to, register_kept_by
from toolkit.formats import show_date, show_datetime
from webhooks.events import publish
from webhooks.models import EventKind

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
    division's interval. Only that division's register coordinator lists: the entry says who."""
    _check_date(
        listed_on, field="listed_on", after=young_person.date_of_birth, after_what="their birth"
    )
    if young_person.division_id is None:
        raise ValidationError("Record the young person's division first: each keeps a register.")
    if register_kept_by(by) != young_person.division_id:
        raise ValidationError("Only the division's register coordinator lists young people on it.")
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
    # However they were listed, whatever ICMS asked about them is answered.
    about = Q(young_person=young_person)
    if young_person.child_protection_number:
        about |= Q(referral__child_protection_number=young_person.child_protection_number)
    for request in ListingRequest.objects.filter(
        about, division=entry.division_id, status=ListingRequest.Status.WAITING
    ).select_related("referral__team", "young_person__team", "division"):
        _listed(request, entry, by=by)
    return entry


# --- Asking the register coordinator to confirm a listing ---------------------------------------


def _coordinators_of(division_id: int) -> list[User]:
    return list(
        User.objects.filter(
            groups__name=Role.REGISTER_COORDINATOR, is_active=True, division_id=division_id
        )
    )


def _listing_url(request: ListingRequest) -> str:
    return reverse("register:listing", args=[request.pk])


@transaction.atomic
def request_listing(
    *,
    division: Division,
    by: User,
    referral: Referral | None = None,
    young_person: YoungPerson | None = None,
) -> ListingRequest | None:
    """Ask the division's register coordinators to confirm (or make) the listing of the young
    person a referral is about, or of a record opened outside a referral. None when they are on
    that register already."""
    if referral is not None and register_entry_of(division.pk, referral.child_protection_number):
        return None
    if (
        young_person is not None
        and young_person.register_entries.filter(status=Status.ACTIVE, division=division).exists()
    ):
        return None
    request = ListingRequest.objects.create(
        division=division, referral=referral, young_person=young_person, requested_by=by
    )
    record(AuditAction.CREATE, actor=by, obj=request)
    notify(
        _coordinators_of(division.pk),
        message=f"{by} asks you to confirm that {request.display_name} is on the {division} "
        "high-risk youth register.",
        url=_listing_url(request),
        key=f"listing-request-{request.pk}",
    )
    return request


def _waiting(request: ListingRequest, *, by: User) -> ListingRequest:
    """The request, locked, if `by` may answer it now."""
    request = (
        ListingRequest.objects.select_for_update(of=("self",))
        .select_related("referral__team", "young_person__team", "division", "answered_by")
        .get(pk=request.pk)
    )
    if register_kept_by(by) != request.division_id:
        raise ValidationError("Only the division's register coordinator answers this request.")
    if request.status != ListingRequest.Status.WAITING:
        raise ValidationError(
            f"{request.answered_by} answered this request on {show_date(request.answered_at)}."
        )
    if request.referral is not None and request.referral.status not in OPEN_STATUSES:
        raise ValidationError(
            f"The referral is {request.referral.get_status_display().lower()}: "
            "nothing waits on this listing any more."
        )
    if (
        request.young_person is not None
        and request.young_person.status != YoungPerson.Status.REFERRED
    ):
        raise ValidationError("The record is closed: nothing waits on this listing any more.")
    return request


def _record_for(referral: Referral, *, division: Division, by: User) -> YoungPerson:
    """The record of the young person a referral is about: the one ICMS holds with the same
    child protection number, or a new one, referred, of the division and of no team yet (no
    team sees it until a referral of them is accepted)."""
    young_person = (
        YoungPerson.objects.select_for_update()
        .filter(child_protection_number=referral.child_protection_number)
        .first()
    )
    if young_person is None:
        young_person = YoungPerson(
            given_name=referral.given_name,
            family_name=referral.family_name,
            preferred_name=referral.preferred_name,
            date_of_birth=referral.date_of_birth,
            gender=referral.gender,
            indigenous_status=referral.indigenous_status,
            child_protection_number=referral.child_protection_number,
            legal_order=referral.legal_order,
            placement=referral.placement,
            division=division,
            status=YoungPerson.Status.REFERRED,
        )
        young_person.full_clean(exclude=["search"])
        young_person.save()
        record(AuditAction.CREATE, actor=by, obj=young_person)
    elif young_person.division_id != division.pk:
        if young_person.status in {YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING}:
            raise ValidationError(
                "ICMS holds this young person as an open case of another division: "
                "that division's register lists them."
            )
        # Not an open case: the record follows them to the division that lists them.
        young_person.division = division
        young_person.save(update_fields=["division"])
    return young_person


def _tell_icms(request: ListingRequest, message: str) -> None:
    """The referrer and the receiving team's supervisor, or the supervisor who opened the
    record, hear the coordinator's answer."""
    if request.referral is not None:
        recipients = [request.referral.referred_by, *supervisors_of(request.referral.team)]
        url = reverse("referrals:detail", args=[request.referral_id])
    else:
        recipients = [request.requested_by, *supervisors_of(request.young_person.team)]
        url = request.young_person.get_absolute_url()
    notify(recipients, message=message, url=url, key=f"listing-request-{request.pk}-answered")


def _answered(request: ListingRequest, *, by: User, status: str) -> None:
    request.status = status
    request.answered_by = by
    request.answered_at = timezone.now()
    request.full_clean(validate_constraints=False)
    request.save()
    record(AuditAction.CHANGE, actor=by, obj=request, detail={"status": status})


@transaction.atomic
def confirm_listing(
    request: ListingRequest,
    *,
    by: User,
    listed_on: date,
    risk_factors: list[str],
    risk_details: str = "",
) -> RegisterEntry:
    """The coordinator lists the young person the request is about (their record is made if
    ICMS has none yet), on the date they confirm, with the risks they confirm. If the young
    person was listed meanwhile, that entry stands."""
    request = _waiting(request, by=by)
    young_person = request.young_person or _record_for(
        request.referral, division=request.division, by=by
    )
    entry = young_person.register_entries.filter(
        status=Status.ACTIVE, division=request.division
    ).first()
    if entry is not None:
        _listed(request, entry, by=by)
        return entry
    return list_young_person(  # which answers this request
        young_person,
        by=by,
        listed_on=listed_on,
        risk_factors=risk_factors,
        risk_details=risk_details,
    )


def _listed(request: ListingRequest, entry: RegisterEntry, *, by: User) -> None:
    request.entry = entry
    _answered(request, by=by, status=ListingRequest.Status.LISTED)
    _tell_icms(
        request,
        f"{by} confirmed that {entry.young_person} is on the {request.division} high-risk "
        f"youth register (listed {show_date(entry.listed_on)}).",
    )


@transaction.atomic
def decline_listing(request: ListingRequest, *, by: User, reason: str) -> ListingRequest:
    """The coordinator says the young person is not on the register, and why."""
    if not reason.strip():
        raise ValidationError(
            {"reason": "Say why they are not listed: ICMS and the referrer read it."}
        )
    request = _waiting(request, by=by)
    request.reason = reason.strip()
    _answered(request, by=by, status=ListingRequest.Status.NOT_LISTED)
    _tell_icms(
        request,
        f"{by} says {request.display_name} is not on the {request.division} high-risk youth "
        f"register: {request.reason}",
    )
    return request


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
        raise ValidationError(f"This review was recorded on {show_date(review.reviewed_on)}.")
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
        f"the liaison meeting of {show_date(review.meeting.held_on)}"
        if review.meeting
        else f"the register review of {show_date(review.reviewed_on)}"
    )
    notify(
        told,
        message=f"{young_person} was escalated at {where}: {Truncator(what).chars(160)}",
        url=young_person.get_absolute_url(),
        key=f"escalation-{escalation.pk}",
    )
    record(AuditAction.CREATE, actor=by, obj=escalation)
    publish(EventKind.REVIEW_ESCALATED, young_person=young_person, escalation=escalation.pk)
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
            f"{show_datetime(timezone.localtime(escalation.resolved_at))}."
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
        raise ValidationError(f"This entry was closed on {show_date(entry.removed_on)}.")
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
                notes=f"Reviewed at the liaison meeting of {show_date(held_on)}.",
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


def settle_merged_register_entries(
    kept: YoungPerson, other: YoungPerson, *, by: User | None
) -> list[str]:
    """One active register entry: the kept record's stays listed; the other's is removed."""
    active = RegisterEntry.objects.filter(status=RegisterEntry.Status.ACTIVE)
    if not active.filter(young_person=kept).exists():
        return []
    said = []
    for entry in active.filter(young_person=other).select_related("division"):
        said.append(
            f"Both records are listed on the register: the kept record's entry stays; the "
            f"other's ({entry.division}, listed {show_date(entry.listed_on)}) is removed."
        )
        if by is not None:
            entry.status = RegisterEntry.Status.REMOVED
            entry.removed_on = max(timezone.localdate(), entry.listed_on)
            entry.removal_reason = f"{merge_note(kept)} That record stays listed."
            entry.removed_by = by
            entry.save(update_fields=["status", "removed_on", "removal_reason", "removed_by"])
    return said
