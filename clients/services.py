"""Every change to young people's records, and the facts derived from them.

Each function validates (raising ValidationError with a message a case manager can read),
saves in one transaction, and writes the audit trail. Nothing is deleted: allocations, alerts
and key people end; a contact entered in error is marked so and kept.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from accounts.cover import covering_on
from accounts.models import Role, Team, User
from audit.models import AuditAction, AuditEvent
from audit.services import record
from clients.models import (
    Allocation,
    BreakGlassAccess,
    ChildProtectionDecision,
    Contact,
    ContactDraft,
    ContactWorker,
    Disclosure,
    KeyPerson,
    Merge,
    ProfessionalContact,
    RestrictableEntry,
    RestrictionReason,
    WorkerSafetyAlert,
    YoungPerson,
)
from clients.queries import OPEN_STATUSES, local_midnight, with_contact_figures
from clients.rules import (
    holds_the_case_of,
    supervises_young_person,
    wrote_the_entry,
    young_people_visible_to,
)
from notifications.services import Notice, notify, notify_many
from oncall.queries import is_on_call, on_call_at
from toolkit.formats import show_date, show_time
from toolkit.hours import is_after_hours
from toolkit.validators import VERSION_ERRORS

# A note corrected within this time is simply corrected; after it, it is marked amended.
AMENDMENT_GRACE = timedelta(hours=24)
# Clocks of phones in the field run a little ahead; beyond this a start time is "in the future".
CLOCK_TOLERANCE = timedelta(minutes=5)


# --- Edits that name the version they started from -------------------------------------------

# Who and when, kept by the services: left out of "what they saved".
STAMPS = {
    *("id", "version", "updated_by", "updated_at"),
    *("created_by", "created_at", "ended_by", "ended_at"),
}


@dataclass(frozen=True)
class Change:
    """A field someone else saved: its name, its label and what it says now, in words."""

    name: str
    label: str
    value: str


class Conflict(Exception):
    """Someone saved the record after the worker read it at `version`: nothing of the worker's
    is saved. `current` is the record as it is now, `then` as it was at `version` (from its
    history, pghistory; None if there is none), `changes` what was saved in between."""

    def __init__(self, current: models.Model, *, version: int) -> None:
        self.current = current
        self.then = current.events.filter(version=version).order_by("-pgh_id").first()
        self.changes = [
            Change(field.name, capfirst(field.verbose_name), _shown(current, field.name))
            for field in current._meta.concrete_fields
            if field.editable and field.name not in STAMPS and self._changed(field)
        ]
        who = current.updated_by or "Someone"
        when = ""
        if current.updated_at:
            moment = timezone.localtime(current.updated_at)
            day = "" if moment.date() == timezone.localdate() else f" on {show_date(moment)}"
            when = f" at {show_time(moment)}{day}"
        what = "this record" if isinstance(current, YoungPerson) else f"“{current}”"
        super().__init__(f"{who} changed {what}{when} while you were editing.")

    def _changed(self, field: models.Field) -> bool:
        return self.then is None or (
            getattr(self.then, field.attname) != getattr(self.current, field.attname)
        )

    def left_as_it_was(self, name: str, submitted: object) -> bool:
        """Whether the worker submitted `name` as it was when they read the record."""
        if self.then is None:
            return False
        field = self.current._meta.get_field(name)
        if isinstance(submitted, models.Model):
            submitted = submitted.pk
        return getattr(self.then, field.attname) == submitted


def _shown(obj: models.Model, name: str) -> str:
    """A field's value as a person reads it."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{show_date(value)}"
    return str(value) if value not in (None, "") else "(empty)"


def _save_at_version(
    obj: models.Model, *, by: User, version: int, fields: dict[str, object]
) -> list[str]:
    """Apply `fields` to `obj` if it is still at `version` (read again under a row lock, so two
    saves from one version cannot both pass); else raise Conflict. Returns the names changed;
    a save that changes something moves the version on."""
    obj.refresh_from_db(from_queryset=type(obj).objects.select_for_update())
    if obj.version != version:
        raise Conflict(obj, version=version)
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(obj, name, fields[name])
    obj.full_clean(exclude=["search"])
    obj.version += 1
    obj.updated_by = by
    obj.updated_at = timezone.now()
    obj.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
    return changed


# Child protection's decisions, each a subject of the history, and the fields that hold it.
DECISION_FIELDS = {
    ChildProtectionDecision.Subject.PERMANENCY: ["permanency_objective"],
    ChildProtectionDecision.Subject.LEGAL_ORDER: ["legal_order", "legal_order_ends_on"],
    ChildProtectionDecision.Subject.PLACEMENT: ["placement", "placement_details"],
}
DECISION_NAMES = {name for names in DECISION_FIELDS.values() for name in names}


# --- The young person's record ----------------------------------------------------------------


@transaction.atomic
def create_young_person(*, by: User, team: Team, **fields: object) -> YoungPerson:
    """The record of a young person who comes to a team outside the referral process (for
    example a transfer from another service), with the team's division. They start referred:
    the team takes them on once the register coordinator has listed them
    (referrals.services.take_on_young_person)."""
    young_person = YoungPerson(
        team=team, division=team.division, status=YoungPerson.Status.REFERRED, **fields
    )
    young_person.full_clean(exclude=["search"])  # the date of birth: toolkit.validators
    young_person.save()
    record(AuditAction.CREATE, actor=by, obj=young_person)
    return young_person


@transaction.atomic
def update_young_person(
    young_person: YoungPerson, *, by: User, version: int, **fields: object
) -> YoungPerson:
    """Change what ICMS records of the young person, from the record as read at `version`.
    Child protection's decisions are not ICMS's to change (record_child_protection_decisions)."""
    if set(fields) & DECISION_NAMES:
        raise ValidationError(
            "The permanency objective, the legal order and the placement are child protection's "
            "decisions: their practitioner records them."
        )
    changed = _save_at_version(young_person, by=by, version=version, fields=fields)
    if changed:
        record(AuditAction.CHANGE, actor=by, obj=young_person, detail={"fields": changed})
    return young_person


@transaction.atomic
def save_key_person(
    young_person: YoungPerson,
    *,
    by: User,
    key_person: KeyPerson | None = None,
    version: int | None = None,
    **fields: object,
) -> KeyPerson:
    """Add someone to the young person's key people, or change what is recorded of them (from
    what was read at `version`)."""
    if key_person is None:
        return _add_part(KeyPerson(young_person=young_person), by=by, fields=fields)
    _change_part(key_person, by=by, version=version, fields=fields)
    return key_person


@transaction.atomic
def save_professional(
    young_person: YoungPerson,
    *,
    by: User,
    professional: ProfessionalContact | None = None,
    version: int | None = None,
    **fields: object,
) -> ProfessionalContact:
    if professional is None:
        return _add_part(ProfessionalContact(young_person=young_person), by=by, fields=fields)
    _change_part(professional, by=by, version=version, fields=fields)
    return professional


def _add_part(part: models.Model, *, by: User, fields: dict[str, object]) -> models.Model:
    for name, value in fields.items():
        setattr(part, name, value)
    part.updated_by = by
    part.updated_at = timezone.now()
    part.full_clean()
    part.save()
    record(AuditAction.CREATE, actor=by, obj=part)
    return part


def _change_part(
    part: models.Model, *, by: User, version: int | None, fields: dict[str, object]
) -> None:
    if version is None:
        raise ValidationError(VERSION_ERRORS["invalid"])
    changed = _save_at_version(part, by=by, version=version, fields=fields)
    if changed:
        record(AuditAction.CHANGE, actor=by, obj=part, detail={"fields": changed})


@transaction.atomic
def raise_alert(
    young_person: YoungPerson, *, by: User, kind: str, details: str
) -> WorkerSafetyAlert:
    alert = WorkerSafetyAlert(young_person=young_person, created_by=by)
    return _add_part(alert, by=by, fields={"kind": kind, "details": details})


@transaction.atomic
def change_alert(
    alert: WorkerSafetyAlert, *, by: User, version: int, kind: str, details: str
) -> WorkerSafetyAlert:
    """Say more about a risk in force (another dog, a new address), from what was read at
    `version`."""
    if not alert.active:
        raise ValidationError("This alert has ended; raise a new one if the risk is back.")
    _change_part(alert, by=by, version=version, fields={"kind": kind, "details": details})
    return alert


@transaction.atomic
def end_alert(alert: WorkerSafetyAlert, *, by: User, version: int) -> WorkerSafetyAlert:
    """The risk has passed: the alert stops showing, and stays in the record and timeline. Not
    if someone changed it since it was read at `version` (what they said may matter)."""
    alert.refresh_from_db(from_queryset=WorkerSafetyAlert.objects.select_for_update())
    if not alert.active:
        return alert  # ended already, perhaps by someone else a moment ago
    fields = {"active": False, "ended_by": by, "ended_at": timezone.now()}
    _save_at_version(alert, by=by, version=version, fields=fields)
    record(AuditAction.CHANGE, actor=by, obj=alert, detail={"ended": True})
    return alert


# --- Child protection's decisions -------------------------------------------------------------


def _decision_in_words(young_person: YoungPerson, subject: str) -> str:
    if subject == ChildProtectionDecision.Subject.PERMANENCY:
        return young_person.get_permanency_objective_display()
    if subject == ChildProtectionDecision.Subject.LEGAL_ORDER:
        ends = young_person.legal_order_ends_on
        until = f", until {show_date(ends)}" if ends else ""
        return f"{young_person.get_legal_order_display()}{until}"
    placement = young_person.get_placement_display() or "Not recorded"
    details = young_person.placement_details
    return f"{placement}: {details}" if details else placement


@transaction.atomic
def record_child_protection_decisions(
    young_person: YoungPerson,
    *,
    by: User,
    version: int,
    decided_on: date,
    note: str = "",
    permanency_objective: str,
    legal_order: str,
    legal_order_ends_on: date | None,
    placement: str,
    placement_details: str,
    placement_reason: str = "",
    placement_reason_details: str = "",
) -> list[ChildProtectionDecision]:
    """The young person's child protection practitioner changes the permanency objective, the
    legal order or the placement (from the record as read at `version`). Each subject changed
    is a dated decision in the history, and the primary case manager is told. A placement
    changed says why: a move (its reason) or a correction, the facts of placement stability."""
    if decided_on < young_person.date_of_birth:
        raise ValidationError({"decided_on": "This is before the young person was born."})
    young_person.refresh_from_db(from_queryset=YoungPerson.objects.select_for_update())
    placement_reason_details = placement_reason_details.strip()
    moved = (placement, placement_details) != (
        young_person.placement,
        young_person.placement_details,
    )
    if moved and not placement_reason:
        raise ValidationError({"placement_reason": "Say why the placement changed."})
    if not moved and placement_reason:
        raise ValidationError({"placement_reason": "The placement has not changed: leave empty."})
    if placement_reason == ChildProtectionDecision.PlacementReason.OTHER and not (
        placement_reason_details
    ):
        raise ValidationError({"placement_reason_details": "Say what the reason was."})
    before = {subject: _decision_in_words(young_person, subject) for subject in DECISION_FIELDS}
    fields = {
        "permanency_objective": permanency_objective,
        "legal_order": legal_order,
        "legal_order_ends_on": legal_order_ends_on,
        "placement": placement,
        "placement_details": placement_details,
    }
    changed = _save_at_version(young_person, by=by, version=version, fields=fields)
    decisions = [
        ChildProtectionDecision(
            young_person=young_person,
            subject=subject,
            before=before[subject],
            after=_decision_in_words(young_person, subject),
            decided_on=decided_on,
            note=note.strip(),
            recorded_by=by,
            **(
                {
                    "placement": placement,
                    "placement_reason": placement_reason,
                    "placement_reason_details": placement_reason_details,
                }
                if subject == ChildProtectionDecision.Subject.PLACEMENT
                else {}
            ),
        )
        for subject, names in DECISION_FIELDS.items()
        if set(names) & set(changed)
    ]
    if not decisions:
        raise ValidationError("This is what is recorded already: change what was decided.")
    for decision in decisions:
        decision.full_clean()
    ChildProtectionDecision.objects.bulk_create(decisions)
    record(AuditAction.CHANGE, actor=by, obj=young_person, detail={"fields": changed})
    if young_person.primary_case_manager_id:
        what = "; ".join(
            f"{decision.get_subject_display().lower()} to {decision.after}"
            for decision in decisions
        )
        notify(
            [young_person.primary_case_manager],
            message=f"Child protection changed {young_person}'s {what} "
            f"(decided {show_date(decided_on)}; recorded by {by}).",
            url=young_person.get_absolute_url(),
        )
    return decisions


@transaction.atomic
def record_disclosure(
    young_person: YoungPerson,
    *,
    by: User,
    disclosed_on: date,
    information: str,
    recipient_organisation: str,
    recipient_person: str = "",
    authority: str,
    authority_detail: str = "",
) -> Disclosure:
    """Record information shared outside the agency. It cannot be dated in the future (the
    model's rule) or before the young person was born, and consent or a legal provision must be
    named unless the threat to safety was serious."""
    if disclosed_on < young_person.date_of_birth:
        raise ValidationError(
            {"disclosed_on": "A disclosure cannot be dated before the young person was born."}
        )
    if authority != Disclosure.Authority.SERIOUS_THREAT and not authority_detail.strip():
        raise ValidationError(
            {"authority_detail": "Name whose consent was given, or which provision or order."}
        )
    disclosure = Disclosure(
        young_person=young_person,
        disclosed_on=disclosed_on,
        information=information,
        recipient_organisation=recipient_organisation,
        recipient_person=recipient_person,
        authority=authority,
        authority_detail=authority_detail,
        disclosed_by=by,
    )
    disclosure.full_clean()
    disclosure.save()
    record(AuditAction.CREATE, actor=by, obj=disclosure)
    return disclosure


# --- Allocation -------------------------------------------------------------------------------


def _check_allocatable(young_person: YoungPerson, worker: User, on: date) -> None:
    if young_person.status == YoungPerson.Status.REFERRED:
        raise ValidationError(
            f"{young_person} is not taken on yet: a case manager is allocated when ICMS takes "
            "them on, with the case management agreement."
        )
    if not worker.is_active or not worker.has_role(Role.CASE_MANAGER):
        raise ValidationError(f"{worker} is not an active case manager.")
    if worker.team_id != young_person.team_id:
        raise ValidationError("Choose a worker of the young person's team.")
    if on > timezone.localdate() + timedelta(days=31):
        raise ValidationError("An allocation can start at most a month ahead.")


def _end_allocation(allocation: Allocation, *, by: User, on: date, note: str) -> None:
    allocation.ended_on = max(on, allocation.started_on)
    allocation.ended_at = timezone.now()
    allocation.ended_by = by
    allocation.note = note or allocation.note
    allocation.save(update_fields=["ended_on", "ended_at", "ended_by", "note"])


@transaction.atomic
def allocate_primary(
    young_person: YoungPerson, *, worker: User, by: User, on: date | None = None, note: str = ""
) -> Allocation:
    """Make `worker` the young person's primary case manager from `on` (a transfer if someone
    held the case). The previous primary allocation ends that day; a care-team allocation of
    the new primary worker ends too, as the primary role replaces it."""
    on = on or timezone.localdate()
    _check_allocatable(young_person, worker, on)
    if young_person.primary_case_manager_id == worker.pk:
        raise ValidationError(f"{worker} is already the primary case manager.")
    for current in young_person.allocations.select_for_update().filter(
        Q(role=Allocation.Role.PRIMARY) | Q(worker=worker), ended_on__isnull=True
    ):
        _end_allocation(current, by=by, on=on, note=note)
    allocation = Allocation.objects.create(
        young_person=young_person,
        worker=worker,
        role=Allocation.Role.PRIMARY,
        started_on=on,
        allocated_by=by,
        note=note,
    )
    young_person.primary_case_manager = worker
    young_person.save(update_fields=["primary_case_manager"])
    record(AuditAction.CREATE, actor=by, obj=allocation, detail={"role": "primary"})
    return allocation


@transaction.atomic
def add_to_care_team(
    young_person: YoungPerson, *, worker: User, by: User, on: date | None = None, note: str = ""
) -> Allocation:
    on = on or timezone.localdate()
    _check_allocatable(young_person, worker, on)
    allocation = Allocation(
        young_person=young_person,
        worker=worker,
        role=Allocation.Role.CARE_TEAM,
        started_on=on,
        allocated_by=by,
        note=note,
    )
    allocation.full_clean()
    allocation.save()
    record(AuditAction.CREATE, actor=by, obj=allocation, detail={"role": "care_team"})
    return allocation


@transaction.atomic
def end_care_team_allocation(
    allocation: Allocation, *, by: User, on: date | None = None, note: str = ""
) -> Allocation:
    if allocation.role != Allocation.Role.CARE_TEAM:
        raise ValidationError("The primary case manager changes by allocating another one.")
    if allocation.ended_on is None:
        _end_allocation(allocation, by=by, on=on or timezone.localdate(), note=note)
        record(AuditAction.CHANGE, actor=by, obj=allocation, detail={"ended": True})
    return allocation


@transaction.atomic
def transfer_caseload(
    assignments: Iterable[tuple[YoungPerson, User]], *, by: User, on: date, note: str
) -> list[Allocation]:
    """Move several young people's primary allocation, each to the worker given, in one step
    (a worker leaving, or a caseload rebalanced). All or nothing: one refusal moves none."""
    allocations = []
    for young_person, worker in assignments:
        try:
            allocations.append(
                allocate_primary(young_person, worker=worker, by=by, on=on, note=note)
            )
        except ValidationError as error:
            raise ValidationError(f"{young_person}: {' '.join(error.messages)}") from error
    if not allocations:
        raise ValidationError("Choose at least one young person and who takes them on.")
    return allocations


# Where an episode can go from each status. Referred young people are taken on through a
# referral, or once listed on the register (referrals app); a record opened outside a referral
# for someone ICMS does not take on is closed. A closed episode reopens with a new referral.
STATUS_MOVES = {
    YoungPerson.Status.REFERRED: {YoungPerson.Status.CLOSED},
    YoungPerson.Status.ACTIVE: {YoungPerson.Status.EXITING, YoungPerson.Status.CLOSED},
    YoungPerson.Status.EXITING: {YoungPerson.Status.ACTIVE, YoungPerson.Status.CLOSED},
}
# What the status form offers: an open episode closes with its exit plan (or the reason there
# is none), a coded reason and a destination, through exits.services.close_episode.
STATUS_FORM_MOVES = {
    status: moves
    - ({YoungPerson.Status.CLOSED} if status != YoungPerson.Status.REFERRED else set())
    for status, moves in STATUS_MOVES.items()
}


# What follows a young person's move to a new status, in the same transaction (the event
# feeds announce it). Each app registers its own in its AppConfig.ready(), as with merges.
StatusFollower = Callable[..., None]
_status_followers: list[StatusFollower] = []


def follows_status_changes(follow: StatusFollower) -> StatusFollower:
    """Register `follow(young_person, *, previous, by)`, called once the status has changed."""
    if follow not in _status_followers:
        _status_followers.append(follow)
    return follow


@transaction.atomic
def change_status(
    young_person: YoungPerson, *, to: str, by: User, on: date | None = None, reason: str
) -> YoungPerson:
    """Move the episode on: active and exiting go back and forth; either may close (from
    exits.services.close_episode, which writes the closure). Closing ends every current
    allocation on that day and keeps the whole record."""
    allowed = STATUS_MOVES.get(young_person.status, set())
    if to not in allowed:
        raise ValidationError(
            f"A young person who is {young_person.get_status_display().lower()} cannot become "
            f"{YoungPerson.Status(to).label.lower()} here."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why."})
    on = on or timezone.localdate()
    if to == YoungPerson.Status.CLOSED:
        for allocation in young_person.allocations.select_for_update().filter(
            ended_on__isnull=True
        ):
            _end_allocation(allocation, by=by, on=on, note=reason)
        young_person.primary_case_manager = None
    previous = young_person.status
    young_person.status = to
    young_person.save(update_fields=["status", "primary_case_manager"])
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=young_person,
        detail={"status": [previous, to], "reason": reason.strip()},
    )
    for follow in _status_followers:
        follow(young_person, previous=previous, by=by)
    return young_person


# --- Contacts ---------------------------------------------------------------------------------


def _validate_contact(contact: Contact, *, now: datetime) -> None:
    if contact.started_at > now + CLOCK_TOLERANCE:
        raise ValidationError({"started_at": "A contact cannot be recorded as starting later."})
    if timezone.localtime(contact.started_at).date() < contact.young_person.date_of_birth:
        raise ValidationError(
            {"started_at": "That is before the young person was born; check the date."}
        )
    if contact.mode == Contact.Mode.FACE_TO_FACE and not contact.location:
        raise ValidationError({"location": "Say where you met."})


def _co_workers_allowed(contact: Contact, co_workers: Iterable[User]) -> list[User]:
    team = contact.young_person.team_id
    co_workers = list(co_workers)
    outsiders = [worker for worker in co_workers if worker.team_id != team]
    if outsiders:
        raise ValidationError(
            {"co_workers": "Only workers of the young person's team can be named."}
        )
    return co_workers


@transaction.atomic
def record_contact(
    young_person: YoungPerson,
    *,
    by: User,
    client_reference: uuid.UUID,
    co_workers: Iterable[User] = (),
    restricted_readers: Iterable[User] = (),
    **fields: object,
) -> Contact:
    """Record a contact. The same `client_reference` (made when the form was opened) records it
    once however often it is submitted: a double tap, or a resend after a lost connection,
    returns the contact already recorded. `after_hours` is derived from the start time. A
    restricted contact (`restricted_because`) is read by `restricted_readers` too."""
    existing = Contact.objects.filter(client_reference=client_reference).first()
    if existing is not None:
        if existing.young_person_id != young_person.pk or existing.recorded_by_id != by.pk:
            raise ValidationError("This form was already used for another contact.")
        return existing
    now = timezone.now()
    contact = Contact(
        young_person=young_person,
        recorded_by=by,
        recorded_at=now,
        client_reference=client_reference,
        **fields,
    )
    contact.after_hours = is_after_hours(contact.started_at)
    _validate_contact(contact, now=now)
    co_workers = _co_workers_allowed(contact, co_workers)
    readers = readers_allowed(contact, restricted_readers)
    contact.full_clean()
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request recorded it.
        return Contact.objects.get(client_reference=client_reference)
    ContactWorker.objects.bulk_create(
        ContactWorker(contact=contact, worker=worker) for worker in {by, *co_workers}
    )
    contact.restricted_readers.set(readers)
    ContactDraft.objects.filter(author=by, young_person=young_person).delete()
    record(AuditAction.CREATE, actor=by, obj=contact, detail=restriction_detail(contact, readers))
    return contact


@transaction.atomic
def amend_contact(
    contact: Contact,
    *,
    by: User,
    version: int,
    co_workers: Iterable[User] | None = None,
    restricted_because: str | None = None,
    restricted_readers: Iterable[User] = (),
    **fields: object,
) -> Contact:
    """Change a recorded contact. Refused if someone else changed it since `version` was read
    (their change stays). Changed a day or more after recording, it is marked amended; every
    earlier version stays in its history. A change of its restriction alone (given as
    `restricted_because` and `restricted_readers`) is no amendment: change_restriction."""
    if contact.entered_in_error_at is not None:
        raise ValidationError("This contact was marked as entered in error and is closed.")
    if contact.version != version:
        raise ValidationError(
            "Someone changed this contact while you were editing it. Their change is shown "
            "below; make yours again if it is still needed."
        )
    if restricted_because is not None:
        change_restriction(contact, by=by, because=restricted_because, readers=restricted_readers)
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, fields[name])
    now = timezone.now()
    _validate_contact(contact, now=now)
    workers_changed = False
    if co_workers is not None:
        wanted = {contact.recorded_by_id}
        wanted |= {worker.pk for worker in _co_workers_allowed(contact, co_workers)}
        current = set(contact.workers.values_list("pk", flat=True))
        if wanted != current:
            workers_changed = True
            ContactWorker.objects.filter(contact=contact, worker_id__in=current - wanted).delete()
            ContactWorker.objects.bulk_create(
                ContactWorker(contact=contact, worker_id=pk) for pk in wanted - current
            )
    if not changed and not workers_changed:
        return contact
    contact.after_hours = is_after_hours(contact.started_at)
    if now - contact.recorded_at >= AMENDMENT_GRACE:
        contact.amended_at = now
    contact.full_clean()
    updated = Contact.objects.filter(pk=contact.pk, version=version).update(
        **{name: getattr(contact, name) for name in [*changed, "after_hours", "amended_at"]},
        version=version + 1,
    )
    if not updated:
        raise ValidationError("Someone changed this contact at the same moment; try again.")
    contact.version = version + 1
    record(AuditAction.CHANGE, actor=by, obj=contact, detail={"fields": changed})
    return contact


@transaction.atomic
def mark_contact_in_error(contact: Contact, *, by: User, reason: str) -> Contact:
    """A contact recorded by mistake (wrong young person, duplicate) is marked, not deleted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this contact is in error."})
    if contact.entered_in_error_at is None:
        contact.entered_in_error_at = timezone.now()
        contact.entered_in_error_by = by
        contact.entered_in_error_reason = reason.strip()
        contact.version += 1
        contact.save(
            update_fields=[
                "entered_in_error_at",
                "entered_in_error_by",
                "entered_in_error_reason",
                "version",
            ]
        )
        record(AuditAction.CHANGE, actor=by, obj=contact, detail={"entered_in_error": reason})
    return contact


# --- Restricted entries (clients.models.RestrictableEntry) -------------------------------------


def readers_allowed(entry: RestrictableEntry, readers: Iterable[User]) -> list[User]:
    """The people an author names to read a restricted entry: workers of the young person's
    team, as co-workers are. An entry that is not restricted has no named readers."""
    readers = list(readers)
    if not entry.is_restricted:
        return []
    team = entry.young_person.team_id
    if any(reader.team_id != team or not reader.is_active for reader in readers):
        raise ValidationError(
            {"restricted_readers": "Only workers of the young person's team can be named."}
        )
    return readers


def restriction_detail(entry: RestrictableEntry, readers: Iterable[User]) -> dict:
    """For the audit trail: why the entry is restricted and whom its author named."""
    if not entry.is_restricted:
        return {}
    return {
        "restricted": entry.restricted_because,
        "readers": sorted(reader.pk for reader in readers),
    }


@transaction.atomic
def change_restriction(
    entry: RestrictableEntry, *, by: User, because: str, readers: Iterable[User] = ()
) -> RestrictableEntry:
    """Restrict an entry (a contact, a crisis, a document), say why, and name who else reads it;
    or lift its restriction (`because` empty). Its authors restrict it and name its readers;
    they, the primary case manager or the team's supervisor lift it (clients.rules)."""
    if because not in ("", *RestrictionReason.values):
        raise ValidationError({"restricted_because": "Choose why it is restricted."})
    if because and not wrote_the_entry(by, entry):
        raise ValidationError("Only the worker who wrote it can restrict it or name its readers.")
    if not because and not (wrote_the_entry(by, entry) or holds_the_case_of(by, entry)):
        raise ValidationError(
            "Only its author, the primary case manager or the supervisor can lift a restriction."
        )
    model = type(entry)
    locked = model._base_manager.select_for_update().get(pk=entry.pk)
    before = (
        locked.restricted_because,
        set(locked.restricted_readers.values_list("pk", flat=True)),
    )
    locked.restricted_because = because
    readers = readers_allowed(locked, readers)
    if before == (because, {reader.pk for reader in readers}):
        return entry
    model._base_manager.filter(pk=entry.pk).update(restricted_because=because)
    entry.restricted_because = because
    entry.restricted_readers.set(readers)
    detail = restriction_detail(entry, readers) or {"restricted": "lifted"}
    record(AuditAction.CHANGE, actor=by, obj=entry, detail=detail)
    return entry


def save_contact_draft(young_person: YoungPerson, *, author: User, data: dict) -> ContactDraft:
    """Keep what is typed so far; called every few seconds while a contact is written."""
    draft, _ = ContactDraft.objects.update_or_create(
        author=author,
        young_person=young_person,
        defaults={"data": data, "saved_at": timezone.now()},
    )
    return draft


# --- After-hours access -----------------------------------------------------------------------


def not_on_call_message(young_person: YoungPerson, now: datetime) -> str:
    """Why a worker not on call is refused, naming who is on call for the young person's team."""
    shifts = list(on_call_at(now, Team.objects.filter(pk=young_person.team_id)))
    if not shifts:
        whom = "Nobody is on call for their team now: ring their team supervisor."
    else:
        names = [
            str(person) for shift in shifts for person in (shift.worker, shift.backup) if person
        ]
        whom = f"On call for {shifts[0].team} now: {' and '.join(names)}."
    return f"After hours, access is for the worker on call. {whom}"


@transaction.atomic
def grant_break_glass(
    young_person: YoungPerson,
    *,
    worker: User,
    reason: str,
) -> BreakGlassAccess:
    """Open a young person's safety information to an on-call worker for BREAK_GLASS_MINUTES.

    Only after hours, only to a worker on call now (the worker or the backup of a shift of any
    team under way: oncall), only with a reason, and only for a young person not already on the
    worker's caseload (they have the full record for those). Audited; the young person's team
    supervisor sees it the next day.
    """
    now = timezone.now()
    if not is_after_hours(now):
        raise ValidationError(
            "After-hours access is for evenings, weekends and public holidays. During office "
            "hours, ask the young person's case manager or their team supervisor."
        )
    if not is_on_call(worker, now):
        raise ValidationError(not_on_call_message(young_person, now))
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why you need this young person's safety plan."})
    if young_people_visible_to(worker).filter(pk=young_person.pk).exists():
        raise ValidationError("This young person is on your caseload: open their record instead.")
    access = BreakGlassAccess(
        worker=worker,
        young_person=young_person,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    access.full_clean()
    access.save()
    record(
        AuditAction.BREAK_GLASS,
        actor=worker,
        obj=access,
        detail={"reason": access.reason, "expires_at": access.expires_at.isoformat()},
    )
    return access


@transaction.atomic
def review_break_glass(access: BreakGlassAccess, *, by: User) -> BreakGlassAccess:
    """The supervisor has seen the after-hours access (idempotent)."""
    if access.reviewed_at is None:
        access.reviewed_by = by
        access.reviewed_at = timezone.now()
        access.save(update_fields=["reviewed_by", "reviewed_at"])
        record(AuditAction.CHANGE, actor=by, obj=access, detail={"reviewed": True})
    return access


# --- Reminders --------------------------------------------------------------------------------


def remind_of_overdue_contacts(today: date) -> int:
    """Each open case without a successful contact within its intensity's threshold reminds
    its primary case manager; past twice the threshold, the team's supervisor is told too.
    Colleagues covering the case manager or the team are told as they would be. Once per young
    person and person per day, however often it runs."""
    covering = covering_on(today)
    overdue = (
        with_contact_figures(
            YoungPerson.objects.open().filter(intensity__isnull=False, team__isnull=False)
        )
        .filter(contact_overdue=True)
        .annotate(
            long_overdue=ExpressionWrapper(
                Q(last_contact_at__isnull=True)
                | Q(
                    last_contact_at__lt=Value(local_midnight(today))
                    - 2 * F("intensity__contact_threshold_days") * Value(timedelta(days=1))
                ),
                output_field=BooleanField(),
            )
        )
        .values_list(
            "pk",
            "preferred_name",
            "given_name",
            "family_name",
            "last_contact_at",
            "intensity__contact_threshold_days",
            "primary_case_manager_id",
            "team__supervisor_id",
            "team_id",
            "long_overdue",
        )
    )
    notices = []
    for row in overdue.iterator(chunk_size=5000):
        pk, preferred, given, family, last, threshold, case_manager, supervisor, team, *rest = row
        long_overdue = rest[0]
        name = f"{preferred or given} {family}"
        since = f"since {show_date(last)}" if last else "yet: there has been none"
        message = f"No contact has reached {name} {since} (expected every {threshold} days)."
        url = reverse("clients:detail", args=[pk])
        key = f"contact-overdue-{pk}-{today:%Y%m%d}"
        recipients = covering.worker_and_cover(case_manager)
        if long_overdue or not case_manager:
            recipients += covering.supervisor_and_cover(supervisor, team)
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)


# --- Merging two records of one young person --------------------------------------------------

# How a kind of record reads on the merge page (one, several) where its model's names read badly.
MERGE_KINDS = {
    "clients.youngperson": ("record merged into it before", "records merged into it before"),
    "clients.professionalcontact": ("professional", "professionals"),
    "clients.workersafetyalert": ("worker-safety alert", "worker-safety alerts"),
    "clients.breakglassaccess": ("after-hours access", "after-hours accesses"),
    "crises.crisisevent": ("crisis", "crises"),
    "safety.visitplan": ("outreach visit", "outreach visits"),
}
# What a merge fills in on the record kept when it has nothing and the other has something.
MERGE_FILLS = [
    "preferred_name",
    "child_protection_number",
    "cultural_background",
    "language",
    "placement",
    "placement_details",
]


def young_person_relations() -> list[models.ForeignKey]:
    """Every foreign key to a young person, read from the models, so that a merge cannot forget a
    kind of record a later change adds. Left as they are: the trails (the audit trail, the
    field history and any model that says it is one, `is_a_trail = True`, say what happened to
    which record) and the merges themselves."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if issubclass(model, pghistory.models.Event) or model in (AuditEvent, Merge):
            continue
        if getattr(model, "is_a_trail", False):
            continue
        found += [
            field
            for field in model._meta.get_fields(include_hidden=True)
            if field.concrete
            and (field.many_to_one or field.one_to_one)
            and field.related_model is YoungPerson
        ]
    return found


def merge_kind(field: models.ForeignKey, count: int = 2) -> str:
    # A many-to-many's own table is named for the model that declares it.
    model = field.model._meta.auto_created or field.model
    names = (model._meta.verbose_name, model._meta.verbose_name_plural)
    return str(MERGE_KINDS.get(model._meta.label_lower, names)[count != 1])


def merge_note(kept: YoungPerson) -> str:
    return f"Record merged into record no. {kept.pk}."


# What a higher app settles when two records merge: its rows that cannot simply move (one
# current case plan, one active register entry). Each app registers its own in its
# AppConfig.ready(), so that clients imports none of them.
MergeSettler = Callable[..., list[str]]
_merge_settlers: list[MergeSettler] = []


def settles_merges(settle: MergeSettler) -> MergeSettler:
    """Register `settle(kept, other, *, by)`: with `by`, it settles the two records' rows of
    its kind and says what it did; without, it only says what it would do (the confirm page)."""
    if settle not in _merge_settlers:
        _merge_settlers.append(settle)
    return settle


def _settle_allocations(kept: YoungPerson, other: YoungPerson, *, by: User | None) -> list[str]:
    """One primary case manager, and each worker once: the kept record's allocations stay; the
    other's that would repeat them end (with a note)."""
    current = Allocation.objects.filter(ended_on__isnull=True).select_related("worker")
    on_kept = {allocation.worker_id: allocation for allocation in current.filter(young_person=kept)}
    primary = next((a for a in on_kept.values() if a.role == Allocation.Role.PRIMARY), None)
    said, today = [], timezone.localdate()
    for allocation in current.filter(young_person=other).order_by("role"):
        same = on_kept.get(allocation.worker_id)
        ending = allocation
        if allocation.role == Allocation.Role.PRIMARY and primary is None and same is not None:
            ending = same
            said.append(
                f"{allocation.worker} becomes the primary case manager of the record kept; "
                "their care-team allocation to it ends."
            )
        elif same is not None:
            said.append(
                f"{allocation.worker} works with both records: their allocation to the other ends."
            )
        elif allocation.role == Allocation.Role.PRIMARY and primary is not None:
            said.append(
                f"Both records have a primary case manager: {primary.worker} stays; "
                f"{allocation.worker}'s allocation to the other record ends."
            )
        else:
            continue
        if by is not None:
            _end_allocation(ending, by=by, on=today, note=merge_note(kept))
    return said


def _settle_one_of_each(
    field: models.OneToOneField, kept: YoungPerson, other: YoungPerson, *, by: User | None
) -> list[str]:
    """A part a young person has one of (the crisis plan, the exit plan): where both records
    have one, what the other's says is added to the kept one's, which stays."""
    rows = field.model._base_manager
    mine = rows.filter(**{field.name: kept}).first()
    theirs = rows.filter(**{field.name: other}).first()
    if mine is None or theirs is None:
        return []
    kind = field.model._meta.verbose_name
    if by is not None:
        for part in field.model._meta.concrete_fields:
            added = getattr(theirs, part.attname)
            if isinstance(part, models.TextField) and added.strip():
                before = getattr(mine, part.attname).strip()
                if added.strip() not in before:
                    joined = f"{before}\n\n" if before else ""
                    setattr(mine, part.attname, f"{joined}From the merged record: {added}")
            elif part.null and not part.is_relation and getattr(mine, part.attname) is None:
                setattr(mine, part.attname, added)
        mine.save()  # a new version: a form opened on the kept one's before is refused
    return [f"Both records have a {kind}: what the other's says is added to the kept one's."]


def _settle_contact_drafts(kept: YoungPerson, other: YoungPerson, *, by: User | None) -> list[str]:
    """A worker writing a contact for each record: the other's notes join the kept one's draft."""
    said = []
    mine = {draft.author_id: draft for draft in ContactDraft.objects.filter(young_person=kept)}
    for draft in ContactDraft.objects.filter(young_person=other, author__in=list(mine)):
        kept_draft = mine[draft.author_id]
        said.append(
            f"{draft.author} was writing a contact for each record: the other's notes are "
            "added to the draft of the kept record."
        )
        if by is not None:
            notes = [kept_draft.data.get("notes", ""), draft.data.get("notes", "")]
            kept_draft.data["notes"] = "\n\n".join(note for note in notes if note.strip())
            kept_draft.save(update_fields=["data"])
            draft.delete()
    return said


def _settle_identity(kept: YoungPerson, other: YoungPerson, *, apply: bool) -> list[str]:
    """The record kept keeps its details, taking the other's where it has none; and the open
    episode, where only the other is open."""
    said = []
    filled = [name for name in MERGE_FILLS if not getattr(kept, name) and getattr(other, name)]
    if filled:
        labels = ", ".join(str(YoungPerson._meta.get_field(name).verbose_name) for name in filled)
        said.append(f"The kept record takes the other's {labels}, which it lacks.")
    if other.status in OPEN_STATUSES and kept.status not in OPEN_STATUSES:
        said.append(
            f"Only the other record is an open episode: the kept record takes its status "
            f"({other.get_status_display().lower()}), team and intensity."
        )
    if apply:
        if "child_protection_number" in filled:  # unique: the other gives it up first
            YoungPerson.objects.filter(pk=other.pk).update(child_protection_number="")
        for name in filled:
            setattr(kept, name, getattr(other, name))
        if other.status in OPEN_STATUSES and kept.status not in OPEN_STATUSES:
            kept.status, kept.team, kept.division = other.status, other.team, other.division
            kept.intensity = other.intensity
    return said


def _settle(kept: YoungPerson, other: YoungPerson, *, by: User | None) -> list[str]:
    """What cannot simply move, settled (by `by`), or only said (no `by`: the confirm page)."""
    said = _settle_identity(kept, other, apply=by is not None)
    said += _settle_allocations(kept, other, by=by)
    for settle in _merge_settlers:
        said += settle(kept, other, by=by)
    said += _settle_contact_drafts(kept, other, by=by)
    for field in young_person_relations():
        if field.one_to_one:
            said += _settle_one_of_each(field, kept, other, by=by)
    return said


def _drop_pairs_kept_has(field: models.ForeignKey, kept: YoungPerson, other: YoungPerson) -> None:
    """A many-to-many's table (the sessions that discussed a young person) holds each pair once:
    where the kept record is already paired with the same thing, the other's pair goes."""
    rows = field.model._base_manager
    pair = next(f for f in field.model._meta.concrete_fields if f.many_to_one and f != field)
    already = rows.filter(**{field.name: kept}).values(pair.attname)
    rows.filter(**{field.name: other, f"{pair.attname}__in": already}).delete()


def _check_merge(kept: YoungPerson, other: YoungPerson, *, by: User) -> None:
    if kept.pk == other.pk:
        raise ValidationError("Choose two different records.")
    if YoungPerson.Status.MERGED in (kept.status, other.status):
        raise ValidationError("A record already merged into another cannot be merged again.")
    if not (supervises_young_person(by, kept) and supervises_young_person(by, other)):
        raise ValidationError("Only the supervisor of both records' teams may merge them.")


def merge_preview(
    kept: YoungPerson, other: YoungPerson, *, by: User
) -> tuple[list[tuple[str, int]], list[str]]:
    """What merging `other` into `kept` would move (kind, how many) and settle, changing
    nothing: the confirm page."""
    _check_merge(kept, other, by=by)
    moves = []
    for field in young_person_relations():
        count = field.model._base_manager.filter(**{field.name: other}).count()
        if count:
            moves.append((merge_kind(field, count), count))
    return moves, _settle(kept, other, by=None)


@transaction.atomic
def merge_young_people(kept: YoungPerson, other: YoungPerson, *, by: User, reason: str) -> Merge:
    """Make two records of one young person one: everything of `other` (every kind of record
    with a foreign key to a young person) moves to `kept`, what would clash is settled
    (_settle), and `other` stays as a pointer to `kept` (status merged), out of every list.
    Only the supervisor of both records' teams may; the merge is recorded (Merge) and audited."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why these records are one young person."})
    locked = YoungPerson.objects.select_for_update().filter(pk__in=[kept.pk, other.pk])
    records = {young_person.pk: young_person for young_person in locked.order_by("pk")}
    kept, other = records.get(kept.pk, kept), records.get(other.pk, other)
    _check_merge(kept, other, by=by)
    identity = {
        "name": f"{other.given_name} {other.family_name}",
        "preferred_name": other.preferred_name,
        "date_of_birth": other.date_of_birth.isoformat(),
        "child_protection_number": other.child_protection_number,
        "team": str(other.team or ""),
        "status": other.get_status_display(),
    }
    settled = _settle(kept, other, by=by)
    moved = []
    for field in young_person_relations():
        rows = field.model._base_manager.filter(**{field.name: other})
        if field.one_to_one and field.model._base_manager.filter(**{field.name: kept}).exists():
            continue  # what it says is added to the kept one's (_settle_one_of_each)
        if field.model._meta.auto_created:
            _drop_pairs_kept_has(field, kept, other)
        try:
            with transaction.atomic():
                count = rows.update(**{field.name: kept})
        except IntegrityError as error:
            raise ValidationError(
                f"ICMS cannot merge these records: their {merge_kind(field)} clash. "
                "Nothing is changed."
            ) from error
        if count:
            moved.append([merge_kind(field, count), count])
    if kept.primary_case_manager_id is None:  # the other's primary allocation may have moved
        primary = kept.allocations.filter(role=Allocation.Role.PRIMARY, ended_on__isnull=True)
        kept.primary_case_manager = next((a.worker for a in primary), None)
    episode = ["status", "team", "division", "intensity", "primary_case_manager"]
    kept.save(update_fields=[*MERGE_FILLS, *episode])
    other.status, other.merged_into, other.primary_case_manager = (
        YoungPerson.Status.MERGED,
        kept,
        None,
    )
    other.save(update_fields=["status", "merged_into", "primary_case_manager"])
    merge = Merge.objects.create(
        kept=kept,
        merged=other,
        merged_by=by,
        reason=reason.strip(),
        merged_identity=identity,
        moved=moved,
        settled=settled,
    )
    detail = {"merged": other.pk, "reason": merge.reason, "moved": dict(moved)}
    record(AuditAction.CREATE, actor=by, obj=merge, young_person_id=kept.pk, detail=detail)
    record(AuditAction.CHANGE, actor=by, obj=other, detail={"merged_into": kept.pk})
    return merge
