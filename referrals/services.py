"""Every change to referrals and consultations.

A referral moves only as TRANSITIONS allows, each move recorded (who, when, why), audited, and
announced to whoever is waiting on it.
"""

import uuid
from datetime import date
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.cover import supervisors_of
from accounts.models import Role, Team, User
from audit.models import AuditAction
from audit.services import record
from clients.models import IntensityLevel, YoungPerson
from clients.queries import record_of_child_protection_number
from clients.services import allocate_primary, create_young_person
from notifications.services import notify
from referrals.models import (
    CaseManagementAgreement,
    Consultation,
    Referral,
    ReferralAttachment,
    ReferralMove,
)
from referrals.queries import Capacity, capacity_of
from register.models import ListingRequest
from register.queries import register_entry_of, why_not_listed, why_record_not_listed
from register.services import request_listing

Status = Referral.Status

TRANSITIONS = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.UNDER_CONSIDERATION, Status.WITHDRAWN},
    Status.UNDER_CONSIDERATION: {
        Status.ACCEPTED,
        Status.DECLINED,
        Status.WAITLISTED,
        Status.WITHDRAWN,
    },
    Status.WAITLISTED: {Status.UNDER_CONSIDERATION, Status.WITHDRAWN},
}

DRAFT_FIELDS = [
    "team",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "indigenous_status",
    "child_protection_number",
    "legal_order",
    "placement",
    "presenting_issues",
    "risks",
    "risk_details",
    "tried_before",
    "permanency_objective",
    "register_listed",
    "register_listed_on",
    "urgency",
    "consent",
    "consent_notes",
]

# What may be attached: detected content type -> the file name endings that may carry it.
ATTACHMENT_TYPES = {
    "application/pdf": {".pdf"},
    "application/msword": {".doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/heic": {".heic"},
}
MAX_ATTACHMENTS = 10


def _referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def check_move(referral: Referral, to: str) -> None:
    """Refuse, with a message, a move the state machine does not allow."""
    if to in TRANSITIONS.get(referral.status, set()):
        return
    if to in {Status.ACCEPTED, Status.DECLINED} and referral.status in TRANSITIONS:
        raise ValidationError("Start considering the referral before deciding it.")
    raise ValidationError(
        f"A referral that is {referral.get_status_display().lower()} cannot become "
        f"{Status(to).label.lower()}."
    )


def _move(
    referral: Referral, *, to: str, by: User, note: str = "", capacity: Capacity | None = None
) -> ReferralMove:
    """The one place a referral's status changes. A decision keeps the team's `capacity`."""
    check_move(referral, to)
    figures = (
        {
            "weighted_caseload": capacity.weighted,
            "caseload_limit": capacity.limit,
            "headroom": capacity.headroom,
        }
        if capacity
        else {}
    )
    move = ReferralMove.objects.create(
        referral=referral, from_status=referral.status, to_status=to, by=by, note=note, **figures
    )
    referral.status = to
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=referral,
        detail={"status": [move.from_status, to], "note": note},
    )
    return move


# --- Drafting and submitting ------------------------------------------------------------------


def _check_team(team: Team, by: User) -> None:
    if team.division_id != by.division_id:
        raise ValidationError({"team": "Choose a team of your division."})


@transaction.atomic
def save_referral_draft(
    referral: Referral | None, *, by: User, client_reference: uuid.UUID | None = None, **fields
) -> Referral:
    """Start a referral (once per form, however often it is saved) or change a draft."""
    if referral is None:
        existing = Referral.objects.filter(client_reference=client_reference).first()
        if existing is not None:
            if existing.referred_by_id != by.pk or existing.status != Status.DRAFT:
                raise ValidationError("This form was already used; open the referral instead.")
            referral = existing
        else:
            referral = Referral(
                referred_by=by,
                division_id=by.division_id,
                client_reference=client_reference or uuid.uuid4(),
            )
    if referral.status != Status.DRAFT:
        raise ValidationError("Only a draft can be changed; this referral was submitted.")
    for name, value in fields.items():
        setattr(referral, name, value)
    _check_team(referral.team, by)
    referral.full_clean()
    adding = referral._state.adding
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # The same form saved twice at the same moment.
        return Referral.objects.get(client_reference=referral.client_reference)
    record(AuditAction.CREATE if adding else AuditAction.CHANGE, actor=by, obj=referral)
    return referral


def missing_parts(referral: Referral) -> list[str]:
    """What a draft still needs before it can be submitted, in the words of the form."""
    missing = []
    if not referral.given_name.strip() or not referral.family_name.strip():
        missing.append("the young person's given and family names")
    if referral.date_of_birth is None:
        missing.append("their date of birth")
    elif referral.date_of_birth > timezone.localdate():
        missing.append("a date of birth that is not in the future")
    if not referral.child_protection_number.strip():
        missing.append("their child protection client number")
    if not any(text.strip() for text in referral.presenting_issues.values()):
        missing.append("the presenting issues in at least one life domain")
    if not referral.risks:
        missing.append("the risks")
    elif Referral.Risk.OTHER in referral.risks and not referral.risk_details.strip():
        missing.append("what the other risk is")
    if not referral.tried_before.strip():
        missing.append("what has been tried, and why a less assertive approach has not worked")
    if referral.register_listed and referral.register_listed_on is None:
        missing.append("the date they were listed on the register")
    if not referral.consent:
        missing.append("whether the young person knows about and agrees to the referral")
    elif referral.consent == Referral.Consent.NOT_TOLD and not referral.consent_notes.strip():
        missing.append("why the young person has not been told")
    return missing


@transaction.atomic
def submit_referral(referral: Referral, *, by: User) -> Referral:
    """Send a complete draft to the receiving team; tell its supervisor. Submitting twice (a
    double tap) is refused with a message and changes nothing."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Status.DRAFT:
        raise ValidationError("This referral was already submitted.")
    missing = missing_parts(referral)
    if missing:
        raise ValidationError([f"Missing: {part}." for part in missing])
    referral.young_person = (
        record_of_child_protection_number(referral.child_protection_number).only("pk").first()
    )
    referral.submitted_at = timezone.now()
    _move(referral, to=Status.SUBMITTED, by=by)
    referral.save(update_fields=["status", "submitted_at", "young_person"])
    if supervisors := supervisors_of(referral.team):
        notify(
            supervisors,
            message=f"New {referral.get_urgency_display().lower()} referral from {by}: "
            f"{referral.display_name}.",
            url=_referral_url(referral),
            key=f"referral-{referral.pk}-submitted",
        )
    if referral.register_listed:
        request_listing(division=referral.division, by=by, referral=referral)
    return referral


@transaction.atomic
def withdraw_referral(referral: Referral, *, by: User, note: str) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _move(referral, to=Status.WITHDRAWN, by=by, note=note)
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "decided_at"])
    return referral


# --- Deciding ---------------------------------------------------------------------------------


def _tell_referrer(referral: Referral, message: str) -> None:
    notify(
        [referral.referred_by],
        message=message,
        url=_referral_url(referral),
        key=f"referral-{referral.pk}-{referral.status}",
    )


@transaction.atomic
def consider_referral(referral: Referral, *, by: User, note: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _move(referral, to=Status.UNDER_CONSIDERATION, by=by, note=note)
    referral.save(update_fields=["status"])
    _tell_referrer(referral, f"ICMS is considering your referral of {referral.display_name}.")
    return referral


@transaction.atomic
def waitlist_referral(referral: Referral, *, by: User, note: str) -> Referral:
    if not note.strip():
        raise ValidationError({"note": "Say when a place is likely, or what the wait depends on."})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _move(referral, to=Status.WAITLISTED, by=by, note=note, capacity=capacity_of(referral))
    referral.decision_notes = note
    referral.save(update_fields=["status", "decision_notes"])
    _tell_referrer(referral, f"Your referral of {referral.display_name} is on the waiting list.")
    return referral


def _young_person_for(referral: Referral, *, intensity: IntensityLevel) -> YoungPerson:
    """The record the referral becomes: the one ICMS already holds, reopened, or a new one."""
    young_person = referral.young_person or (
        record_of_child_protection_number(referral.child_protection_number)
        .select_for_update()
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
            division=referral.division,
        )
    elif young_person.status in {YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING}:
        # Whose case it is belongs to that team's record, which the supervisor may not see.
        raise ValidationError(
            "The young person with this child protection number is already an open case of ICMS."
        )
    young_person.team = referral.team
    young_person.division = referral.division
    young_person.status = YoungPerson.Status.ACTIVE
    young_person.intensity = intensity
    young_person.full_clean(exclude=["search"])
    young_person.save()
    return young_person


@transaction.atomic
def accept_referral(
    referral: Referral,
    *,
    by: User,
    case_manager: User,
    intensity: IntensityLevel,
    agreed_on: date,
    parties: str,
    terms: str,
) -> CaseManagementAgreement:
    """Take the young person on: they must be on the division's high-risk youth register, listed
    by its register coordinator (a referral's word is not a listing). Their record is made (or
    reopened), the case manager allocated, and the formal case management agreement recorded.
    The referrer and the case manager are told."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    check_move(referral, Status.ACCEPTED)
    if register_entry_of(referral.division_id, referral.child_protection_number) is None:
        request = ListingRequest.objects.filter(referral=referral).first()
        raise ValidationError(why_not_listed(referral.display_name, referral.division, request))
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement cannot be dated in the future."})
    capacity = capacity_of(referral, intensity=intensity)  # before the young person counts
    young_person = _young_person_for(referral, intensity=intensity)
    allocate_primary(young_person, worker=case_manager, by=by, note="Referral accepted")
    agreement = CaseManagementAgreement(
        referral=referral,
        young_person=young_person,
        agreed_on=agreed_on,
        parties=parties,
        terms=terms,
        recorded_by=by,
    )
    agreement.full_clean()
    agreement.save()
    _move(
        referral, to=Status.ACCEPTED, by=by, note=f"Allocated to {case_manager}", capacity=capacity
    )
    referral.young_person = young_person
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "young_person", "decided_at"])
    record(AuditAction.CREATE, actor=by, obj=agreement)
    _tell_referrer(referral, f"Your referral of {referral.display_name} was accepted.")
    notify(
        [case_manager],
        message=f"{young_person} is allocated to you: a new case.",
        url=reverse("clients:detail", args=[young_person.pk]),
        key=f"referral-{referral.pk}-allocated",
    )
    return agreement


@transaction.atomic
def decline_referral(
    referral: Referral,
    *,
    by: User,
    reason: str,
    notes: str,
    advice: str = "",
) -> Referral:
    """Decline, saying why; advice given to the referrer instead is logged as a consultation."""
    if not notes.strip():
        raise ValidationError({"notes": "Explain the decision to the referrer."})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _move(referral, to=Status.DECLINED, by=by, note=notes, capacity=capacity_of(referral))
    referral.decline_reason = reason
    referral.decision_notes = notes
    referral.decided_at = timezone.now()
    referral.full_clean()
    referral.save(update_fields=["status", "decline_reason", "decision_notes", "decided_at"])
    if advice.strip():
        record_consultation(
            team=referral.team,
            by=by,
            referral=referral,
            asked_by=str(referral.referred_by),
            organisation=f"Child Protection, {referral.division} division",
            asked_on=timezone.localdate(),
            question=f"Referral of {referral.display_name}",
            advice=advice,
        )
    _tell_referrer(
        referral,
        f"Your referral of {referral.display_name} was declined "
        f"({referral.get_decline_reason_display().lower()}).",
    )
    return referral


# --- Taking on a young person outside a referral ----------------------------------------------


@transaction.atomic
def open_record_outside_referral(*, by: User, team: Team, **fields: object) -> YoungPerson:
    """A young person who comes to a team outside a referral (a transfer from another service):
    their record is opened, referred, and the division's register coordinator is asked to
    confirm the listing. The team takes them on once listed (take_on_young_person)."""
    young_person = create_young_person(by=by, team=team, **fields)
    request_listing(division=young_person.division, by=by, young_person=young_person)
    return young_person


@transaction.atomic
def take_on_young_person(
    young_person: YoungPerson,
    *,
    by: User,
    case_manager: User,
    intensity: IntensityLevel,
    agreed_on: date,
    parties: str,
    terms: str,
) -> CaseManagementAgreement:
    """Take on a young person whose record was opened outside a referral: as on accepting a
    referral, they must be on the division's register, listed by its register coordinator. The
    case manager is allocated and the formal case management agreement recorded."""
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if young_person.status != YoungPerson.Status.REFERRED:
        raise ValidationError(
            f"{young_person} is {young_person.get_status_display().lower()} with ICMS already."
        )
    if not_listed := why_record_not_listed(young_person):
        raise ValidationError(not_listed)
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement cannot be dated in the future."})
    young_person.status = YoungPerson.Status.ACTIVE
    young_person.intensity = intensity
    young_person.save(update_fields=["status", "intensity"])
    record(
        AuditAction.CHANGE, actor=by, obj=young_person, detail={"status": ["referred", "active"]}
    )
    allocate_primary(young_person, worker=case_manager, by=by, note="Taken on outside a referral")
    agreement = CaseManagementAgreement(
        source=CaseManagementAgreement.Source.TRANSFER,
        young_person=young_person,
        agreed_on=agreed_on,
        parties=parties,
        terms=terms,
        recorded_by=by,
    )
    agreement.full_clean()
    agreement.save()
    record(AuditAction.CREATE, actor=by, obj=agreement)
    notify(
        [case_manager],
        message=f"{young_person} is allocated to you: a new case.",
        url=young_person.get_absolute_url(),
        key=f"young-person-{young_person.pk}-taken-on",
    )
    return agreement


@transaction.atomic
def record_consultation(*, team: Team, by: User, **fields) -> Consultation:
    if not (by.has_role(Role.CASE_MANAGER) or by.has_role(Role.SUPERVISOR)):
        raise ValidationError("Consultations are given by ICMS workers.")
    consultation = Consultation(team=team, given_by=by, **fields)
    if consultation.asked_on > timezone.localdate():
        raise ValidationError({"asked_on": "A consultation cannot be dated in the future."})
    consultation.full_clean()
    consultation.save()
    record(AuditAction.CREATE, actor=by, obj=consultation)
    return consultation


# --- Attachments ------------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> str:
    """Refuse what is too big, or is not what its name says; return the detected type."""
    limit_mb = settings.REFERRAL_ATTACHMENT_MAX_MB
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"“{upload.name}” is {upload.size / 1024 / 1024:.1f} MB; the limit is {limit_mb} MB."
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        what = f"really a .{kind.extension} file" if kind else "of a kind ICMS cannot check"
        raise ValidationError(
            f"“{upload.name}” is {what}. Attach a PDF, a Word document, or a photo (JPEG, PNG)."
        )
    if PurePath(upload.name).suffix.lower() not in ATTACHMENT_TYPES[kind.mime]:
        raise ValidationError(
            f"“{upload.name}” is not what its name says: its content is a {kind.extension} file."
        )
    return kind.mime


@transaction.atomic
def attach_document(referral: Referral, *, by: User, upload: UploadedFile) -> ReferralAttachment:
    if referral.status != Status.DRAFT:
        raise ValidationError("Documents are attached while the referral is a draft.")
    if referral.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"A referral takes at most {MAX_ATTACHMENTS} documents.")
    content_type = check_upload(upload)
    attachment = ReferralAttachment(
        referral=referral,
        original_name=PurePath(upload.name).name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    record(AuditAction.CREATE, actor=by, obj=attachment)
    return attachment
