"""Every change to referrals and consultations.

A referral moves only as TRANSITIONS allows, each move recorded (who, when, why), audited, and
announced to whoever is waiting on it.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from accounts.cover import supervisors_of
from accounts.models import Role, Team, User
from audit.models import AuditAction
from audit.services import record
from clients.models import IntensityLevel, ProfessionalContact, YoungPerson
from clients.queries import record_of_child_protection_number
from clients.services import (
    allocate_primary,
    create_young_person,
    save_key_person,
    save_professional,
)
from documents.services import ReceivedDocument, file_received_documents
from notifications.services import notify
from referrals.models import (
    CaseManagementAgreement,
    Consultation,
    Referral,
    ReferralAttachment,
    ReferralKeyPerson,
    ReferralMove,
    ReferralProfessional,
)
from referrals.queries import Capacity, capacity_of
from register.models import ListingRequest
from register.queries import register_entry_of, why_not_listed, why_record_not_listed
from register.services import request_listing
from toolkit.formats import show_date
from toolkit.uploads import check_upload
from webhooks.events import announce_referral_decision

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

# What a referral says of the young person that their record holds too (accept_referral).
CARRIED_FACTS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "indigenous_status",
    "cultural_background",
    "language",
    "interpreter_needed",
    "legal_order",
    "legal_order_ends_on",
    "placement",
    "permanency_objective",
]
DRAFT_FIELDS = [
    "team",
    *CARRIED_FACTS,
    "child_protection_number",
    "presenting_issues",
    "risks",
    "risk_details",
    "tried_before",
    "register_listed",
    "register_listed_on",
    "urgency",
    "consent",
    "consent_notes",
    "referrer_phone",
]

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


def _check_team(team: Team | None, by: User) -> None:
    if team is None or team.division_id != by.division_id:
        raise ValidationError({"team": "Choose a team of your division."})


@transaction.atomic
def save_referral_draft(
    referral: Referral | None,
    *,
    by: User,
    client_reference: uuid.UUID | None = None,
    key_people: list[dict] | None = None,
    professionals: list[dict] | None = None,
    **fields,
) -> Referral:
    """Start a referral (once per form, however often it is saved) or change a draft. The
    family and the professional network, when given, replace the rows the draft had. The draft
    is read again, locked: a save that arrives after the referral was submitted (the autosave of
    a page already sent) changes nothing."""
    if referral is None:
        referral = (
            Referral.objects.select_for_update().filter(client_reference=client_reference).first()
            if client_reference
            else None
        )
        if referral is not None and referral.referred_by_id != by.pk:
            raise ValidationError("This form was already used; open the referral instead.")
        if referral is None:
            referral = Referral(
                referred_by=by,
                division_id=by.division_id,
                client_reference=client_reference or uuid.uuid4(),
            )
    else:
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Status.DRAFT:
        raise ValidationError("Only a draft can be changed; this referral was submitted.")
    for name, value in fields.items():
        setattr(referral, name, value)
    _check_team(referral.team if referral.team_id else None, by)
    referral.full_clean()
    adding = referral._state.adding
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # The same form's first save, made twice at the same moment: the other one made it.
        return save_referral_draft(
            None,
            by=by,
            client_reference=referral.client_reference,
            key_people=key_people,
            professionals=professionals,
            **fields,
        )
    for model, rows in ((ReferralKeyPerson, key_people), (ReferralProfessional, professionals)):
        if rows is not None:
            _replace_rows(referral, model, rows)
    record(AuditAction.CREATE if adding else AuditAction.CHANGE, actor=by, obj=referral)
    return referral


@transaction.atomic
def save_referral(
    referral: Referral | None,
    *,
    by: User,
    submit: bool = False,
    client_reference: uuid.UUID | None = None,
    **fields: object,
) -> Referral:
    """The draft saved and, with `submit`, submitted, as one write (the API's): a refused
    submission keeps nothing of the draft either. The form keeps the draft it saved instead,
    and says why it cannot be submitted yet."""
    referral = save_referral_draft(referral, by=by, client_reference=client_reference, **fields)
    if submit:
        submit_referral(referral, by=by)
    return referral


def _replace_rows(
    referral: Referral, model: type[ReferralKeyPerson | ReferralProfessional], rows: list[dict]
) -> None:
    made = [model(referral=referral, **row) for row in rows]
    for row in made:
        row.full_clean(exclude=["referral"])
    model.objects.filter(referral=referral).delete()
    model.objects.bulk_create(made)


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


OPEN_CASE = {YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING}
# A value that says nothing: a record holding it takes the referral's without asking.
UNKNOWN = {"", YoungPerson.Gender.NOT_STATED, YoungPerson.Indigenous.NOT_STATED}


@dataclass(frozen=True)
class Difference:
    """A fact the referral gives otherwise than the record ICMS already holds."""

    field: str
    label: str
    on_record: str
    in_referral: str


def reopened_record(referral: Referral) -> YoungPerson | None:
    """The record accepting the referral would reopen: the one linked at submission, or one
    with the same child protection number; none while it is an open case (accepting refuses)."""
    if referral.young_person_id is not None:
        young_person = referral.young_person
    elif referral.child_protection_number.strip():
        young_person = YoungPerson.objects.filter(
            child_protection_number=referral.child_protection_number
        ).first()
    else:
        return None
    if young_person is None or young_person.status in OPEN_CASE:
        return None
    return young_person


def _unknown(value: object) -> bool:
    return value is None or (isinstance(value, str) and value in UNKNOWN)


def _same(one: object, other: object) -> bool:
    if isinstance(one, str) and isinstance(other, str):
        return one.strip().casefold() == other.strip().casefold()
    return one == other


def _shown(instance: Referral | YoungPerson, name: str) -> str:
    value = getattr(instance, name)
    field = instance._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{show_date(value)}"
    return str(value)


def _never_taken_on(young_person: YoungPerson) -> bool:
    return young_person.status == YoungPerson.Status.REFERRED


def differences(referral: Referral, young_person: YoungPerson) -> list[Difference]:
    """Where the referral and the record both say something, and not the same thing. Accepting
    keeps the record's unless the supervisor takes the referral's (accept_referral's `take`).
    A record ICMS never took on (made when the coordinator listed the young person, or opened
    outside a referral) holds nothing ICMS decided: the referral's facts are taken as they are."""
    if _never_taken_on(young_person):
        return []
    return [
        Difference(
            field=name,
            label=capfirst(Referral._meta.get_field(name).verbose_name),
            on_record=_shown(young_person, name),
            in_referral=_shown(referral, name),
        )
        for name in CARRIED_FACTS
        if not _unknown(getattr(referral, name))
        and not _unknown(getattr(young_person, name))
        and not _same(getattr(referral, name), getattr(young_person, name))
    ]


def _young_person_for(
    referral: Referral, *, intensity: IntensityLevel, take: Collection[str], by: User
) -> YoungPerson:
    """The record the referral becomes: the one ICMS already holds, reopened, or a new one.
    A reopened record takes from the referral what it did not hold, and where both hold a fact,
    only the ones in `take`."""
    young_person = referral.young_person or (
        record_of_child_protection_number(referral.child_protection_number)
        .select_for_update()
        .first()
    )
    adding = young_person is None
    fresh = adding or _never_taken_on(young_person)
    if adding:
        young_person = YoungPerson(
            child_protection_number=referral.child_protection_number, division=referral.division
        )
    elif young_person.status in OPEN_CASE:
        # Whose case it is belongs to that team's record, which the supervisor may not see.
        raise ValidationError(
            "The young person with this child protection number is already an open case of ICMS."
        )
    taken = [
        name
        for name in CARRIED_FACTS
        if not _unknown(getattr(referral, name))
        and (fresh or name in take or _unknown(getattr(young_person, name)))
        and getattr(referral, name) != getattr(young_person, name)
    ]
    for name in taken:
        setattr(young_person, name, getattr(referral, name))
    young_person.team = referral.team
    young_person.division = referral.division
    young_person.status = YoungPerson.Status.ACTIVE
    young_person.archived_on = None  # a new episode: the file leaves the archive
    young_person.intensity = intensity
    young_person.full_clean(exclude=["search"])
    young_person.save()
    record(
        AuditAction.CREATE if adding else AuditAction.CHANGE,
        actor=by,
        obj=young_person,
        detail={"referral": referral.pk, "from_referral": taken},
    )
    return young_person


def _carry_people(referral: Referral, young_person: YoungPerson, *, by: User) -> None:
    """The family and professional network the referral names, and the referrer as the child
    protection practitioner, onto the record: each one not already there (same name and
    relationship, or same name and role)."""
    family = referral.key_people.values("name", "relationship", "is_support", "phone", "notes")
    referrer = {
        "role": ProfessionalContact.Role.CHILD_PROTECTION,
        "name": str(referral.referred_by),
        "organisation": f"Child Protection, {referral.division} division",
        "phone": referral.referrer_phone,
        "email": referral.referred_by.email,
    }
    network = [referrer, *referral.professionals.values(*referrer)]
    for rows, on_record, kind, save in (
        (family, young_person.key_people.all(), "relationship", save_key_person),
        (network, young_person.professionals.all(), "role", save_professional),
    ):
        known = {(row.name.strip().casefold(), getattr(row, kind)) for row in on_record}
        for row in rows:
            key = (row["name"].strip().casefold(), row[kind])
            if key not in known:
                known.add(key)
                save(young_person, by=by, **row)


class TakingOn(TypedDict):
    """What taking a young person on settles: their case manager, how intensive the work is,
    and the case management agreement (when, between whom, on what terms)."""

    case_manager: User
    intensity: IntensityLevel
    agreed_on: date
    parties: str
    terms: str


def _refuse_agreement_in_future(taking_on: TakingOn) -> None:
    if taking_on["agreed_on"] > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement cannot be dated in the future."})


def _start_case(
    young_person: YoungPerson, taking_on: TakingOn, *, by: User, note: str, key: str, **source
) -> CaseManagementAgreement:
    """Allocate the case manager, record the formal case management agreement ICMS enters into
    (`source`: the referral, or how a young person came outside one) and tell the case manager."""
    case_manager = taking_on["case_manager"]
    allocate_primary(young_person, worker=case_manager, by=by, note=note)
    agreement = CaseManagementAgreement(
        young_person=young_person,
        recorded_by=by,
        agreed_on=taking_on["agreed_on"],
        parties=taking_on["parties"],
        terms=taking_on["terms"],
        **source,
    )
    agreement.full_clean()
    agreement.save()
    record(AuditAction.CREATE, actor=by, obj=agreement)
    notify(
        [case_manager],
        message=f"{young_person} is allocated to you: a new case.",
        url=young_person.get_absolute_url(),
        key=key,
    )
    return agreement


@transaction.atomic
def accept_referral(
    referral: Referral,
    *,
    by: User,
    take: Collection[str] = (),
    **taking_on: Unpack[TakingOn],
) -> CaseManagementAgreement:
    """Take the young person on: they must be on the division's high-risk youth register, listed
    by its register coordinator (a referral's word is not a listing). Their record is made (or
    reopened) with what the referral says of them, their family and their professional network
    (see _young_person_for and _carry_people: nothing on a reopened record is replaced unless
    named in `take`), the case manager allocated, and the formal case management agreement
    recorded. The referrer and the case manager are told."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    check_move(referral, Status.ACCEPTED)
    if register_entry_of(referral.division_id, referral.child_protection_number) is None:
        request = ListingRequest.objects.filter(referral=referral).first()
        raise ValidationError(why_not_listed(referral.display_name, referral.division, request))
    _refuse_agreement_in_future(taking_on)
    intensity = taking_on["intensity"]
    capacity = capacity_of(referral, intensity=intensity)  # before the young person counts
    young_person = _young_person_for(referral, intensity=intensity, take=take, by=by)
    _carry_people(referral, young_person, by=by)
    agreement = _start_case(
        young_person,
        taking_on,
        by=by,
        note="Referral accepted",
        key=f"referral-{referral.pk}-allocated",
        referral=referral,
    )
    _file_referral_documents(referral, young_person, by=by)
    _move(
        referral,
        to=Status.ACCEPTED,
        by=by,
        note=f"Allocated to {taking_on['case_manager']}",
        capacity=capacity,
    )
    referral.young_person = young_person
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "young_person", "decided_at"])
    _tell_referrer(referral, f"Your referral of {referral.display_name} was accepted.")
    announce_referral_decision(referral)
    return agreement


def _file_referral_documents(referral: Referral, young_person: YoungPerson, *, by: User) -> None:
    """The referral's documents go on the young person's file (those withdrawn stay behind),
    provided by the referrer, dated the day each was attached."""
    file_received_documents(
        young_person,
        by=by,
        provided_by=f"Child protection ({referral.referred_by})",
        received=[
            ReceivedDocument(
                title=attachment.original_name,
                dated=timezone.localdate(attachment.uploaded_at),
                file=attachment.file,
                original_name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
                uploaded_by=attachment.uploaded_by,
                uploaded_at=attachment.uploaded_at,
            )
            for attachment in referral.attachments.filter(withdrawn_at__isnull=True).select_related(
                "uploaded_by"
            )
        ],
    )


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
    announce_referral_decision(referral)
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
    young_person: YoungPerson, *, by: User, **taking_on: Unpack[TakingOn]
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
    _refuse_agreement_in_future(taking_on)
    young_person.status = YoungPerson.Status.ACTIVE
    young_person.intensity = taking_on["intensity"]
    young_person.save(update_fields=["status", "intensity"])
    record(
        AuditAction.CHANGE, actor=by, obj=young_person, detail={"status": ["referred", "active"]}
    )
    return _start_case(
        young_person,
        taking_on,
        by=by,
        note="Taken on outside a referral",
        key=f"young-person-{young_person.pk}-taken-on",
        source=CaseManagementAgreement.Source.TRANSFER,
    )


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


@transaction.atomic
def attach_document(referral: Referral, *, by: User, upload: UploadedFile) -> ReferralAttachment:
    if referral.status != Status.DRAFT:
        raise ValidationError("Documents are attached while the referral is a draft.")
    if referral.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"A referral takes at most {MAX_ATTACHMENTS} documents.")
    content_type = check_upload(upload, limit_mb=settings.REFERRAL_ATTACHMENT_MAX_MB)
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


def _delete_documents(attachments: list[ReferralAttachment]) -> None:
    """Delete the rows now and their files once the deletion is committed."""
    files = [(attachment.file.storage, attachment.file.name) for attachment in attachments]
    ReferralAttachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def remove_document(attachment: ReferralAttachment, *, by: User) -> None:
    """Take a document off a draft: nobody but its author has seen it, so it goes."""
    referral = Referral.objects.select_for_update().get(pk=attachment.referral_id)
    if referral.status != Status.DRAFT:
        raise ValidationError(
            "The referral is submitted: withdraw the document instead, saying why."
        )
    record(AuditAction.DELETE, actor=by, obj=attachment, detail={"referral": referral.pk})
    _delete_documents([attachment])


@transaction.atomic
def withdraw_document(attachment: ReferralAttachment, *, by: User, reason: str) -> None:
    """A document of a submitted referral, attached by mistake: ICMS may have read it, so it is
    kept, marked withdrawn (who, when, why), and no longer offered for download."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the document is withdrawn."})
    attachment = (
        ReferralAttachment.objects.select_for_update()
        .select_related("referral")
        .get(pk=attachment.pk)
    )
    if attachment.referral.status == Status.DRAFT:
        raise ValidationError("The referral is a draft: remove the document instead.")
    if attachment.withdrawn_at is not None:
        raise ValidationError(f"“{attachment}” was already withdrawn.")
    attachment.withdrawn_at = timezone.now()
    attachment.withdrawn_by = by
    attachment.withdrawn_reason = reason.strip()
    attachment.full_clean()
    attachment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    record(AuditAction.CHANGE, actor=by, obj=attachment, detail={"withdrawn": reason.strip()})


@transaction.atomic
def discard_referral_draft(referral: Referral, *, by: User) -> None:
    """Delete a practitioner's own draft, with its documents, family and network rows. It was
    never submitted: nobody else has seen it. (A submitted referral is withdrawn, and kept.)"""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.referred_by_id != by.pk:
        raise ValidationError("Only the practitioner who started a draft can discard it.")
    if referral.status != Status.DRAFT:
        raise ValidationError("Only a draft can be discarded; a submitted referral is withdrawn.")
    attachments = list(referral.attachments.all())
    record(
        AuditAction.DELETE,
        actor=by,
        obj=referral,
        detail={"documents": [attachment.original_name for attachment in attachments]},
    )
    _delete_documents(attachments)
    referral.delete()
