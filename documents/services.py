"""Every change to the documents on a young person's file, and the expiry reminders.

Documents are never deleted and their files never replaced: a new upload is a new version
beside the earlier ones, and a document added in error is marked so (who, when, why) and kept.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from documents.models import Document, DocumentVersion
from documents.queries import care_team_of
from notifications.services import Notice, notify_many
from toolkit.formats import show_date
from toolkit.uploads import check_upload


def _check_expiry(kind: str, expires_on: date | None) -> None:
    if expires_on is not None and kind not in Document.EXPIRING_KINDS:
        raise ValidationError(
            {"expires_on": "Only court orders and consents expire; leave the expiry empty."}
        )


def _check_readers(young_person: YoungPerson, restricted_because: str, readers: list[User]) -> None:
    if readers and not restricted_because:
        raise ValidationError(
            {"restricted_readers": "Name readers only for a restricted document: say why first."}
        )
    outside = {reader.pk for reader in readers} - set(
        care_team_of(young_person).values_list("pk", flat=True)
    )
    if outside:
        raise ValidationError(
            {"restricted_readers": "Readers are chosen from the young person's care team."}
        )


def _add_version(
    document: Document,
    *,
    by: User,
    number: int,
    content: File,
    original_name: str,
    content_type: str,
    size: int,
    uploaded_at: datetime | None = None,
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=PurePath(original_name).name[:200],
        content_type=content_type,
        size=size,
        uploaded_by=by,
        uploaded_at=uploaded_at or timezone.now(),
    )
    version.file.save(original_name, content, save=False)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def add_document(
    young_person: YoungPerson,
    *,
    by: User,
    kind: str,
    title: str,
    dated: date,
    provided_by: str,
    upload: UploadedFile,
    expires_on: date | None = None,
    restricted_because: str = "",
    restricted_readers: Iterable[User] = (),
) -> Document:
    """Put a document on the young person's file, its upload checked by content (version 1).
    A restricted one is read only by its author, the primary case manager, the team's
    supervisor and the readers named, chosen from the care team."""
    readers = list(restricted_readers)
    _check_expiry(kind, expires_on)
    _check_readers(young_person, restricted_because, readers)
    content_type = check_upload(upload, limit_mb=settings.DOCUMENT_MAX_MB)
    document = Document(
        young_person=young_person,
        kind=kind,
        title=title.strip(),
        dated=dated,
        provided_by=provided_by.strip(),
        expires_on=expires_on,
        restricted_because=restricted_because,
        added_by=by,
    )
    document.full_clean()
    document.save()
    document.restricted_readers.set(readers)
    _add_version(
        document,
        by=by,
        number=1,
        content=upload,
        original_name=upload.name,
        content_type=content_type,
        size=upload.size,
    )
    record(AuditAction.CREATE, actor=by, obj=document)
    return document


@transaction.atomic
def add_version(
    document: Document, *, by: User, upload: UploadedFile, expires_on: date | None = None
) -> DocumentVersion:
    """A new upload of a document (a renewed order, a signed copy): the earlier versions and
    their files stay. For an order or a consent, `expires_on` replaces the expiry."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.in_error_at is not None:
        raise ValidationError("This document is marked added in error: add a new document.")
    _check_expiry(document.kind, expires_on)
    content_type = check_upload(upload, limit_mb=settings.DOCUMENT_MAX_MB)
    number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = _add_version(
        document,
        by=by,
        number=number,
        content=upload,
        original_name=upload.name,
        content_type=content_type,
        size=upload.size,
    )
    if expires_on is not None and expires_on != document.expires_on:
        document.expires_on = expires_on
        document.full_clean()
        document.save(update_fields=["expires_on"])
    record(AuditAction.CHANGE, actor=by, obj=document, detail={"version": number})
    return version


@transaction.atomic
def mark_document_in_error(document: Document, *, by: User, reason: str) -> Document:
    """A document added by mistake (another young person's, a duplicate) is marked, not
    deleted: it stays listed, struck, with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this document is in error."})
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.in_error_at is None:
        document.in_error_at = timezone.now()
        document.in_error_by = by
        document.in_error_reason = reason.strip()
        document.save(update_fields=["in_error_at", "in_error_by", "in_error_reason"])
        record(AuditAction.CHANGE, actor=by, obj=document, detail={"in_error": reason.strip()})
    return document


@dataclass(frozen=True)
class ReceivedDocument:
    """A document received with something else (a referral's attachment), to put on the file."""

    title: str
    dated: date
    file: File
    original_name: str
    content_type: str
    size: int
    uploaded_by: User
    uploaded_at: datetime


def file_received_documents(
    young_person: YoungPerson, *, by: User, provided_by: str, received: Iterable[ReceivedDocument]
) -> list[Document]:
    """Put documents already checked (a referral's, at acceptance) on the young person's file
    as referral documents, each file copied under a new random name: the referral keeps its
    own. Runs inside the caller's transaction."""
    documents = []
    for each in received:
        document = Document(
            young_person=young_person,
            kind=Document.Kind.REFERRAL,
            title=each.title[:200],
            dated=each.dated,
            provided_by=provided_by[:200],
            added_by=by,
        )
        document.full_clean()
        document.save()
        with each.file.open("rb") as content:
            _add_version(
                document,
                by=each.uploaded_by,
                number=1,
                content=File(content, name=each.original_name),
                original_name=each.original_name,
                content_type=each.content_type,
                size=each.size,
                uploaded_at=each.uploaded_at,
            )
        record(AuditAction.CREATE, actor=by, obj=document, detail={"from": "referral"})
        documents.append(document)
    return documents


# --- Expiry reminders -------------------------------------------------------------------------


def _expiry_message(document: Document, who: str, today: date) -> str:
    # A restricted document is named by nothing of what it is: whoever covers the case manager
    # is told too, and may not be one of its readers.
    what = (
        "A restricted document"
        if document.is_restricted
        else f"The {document.get_kind_display().lower()} “{document.title[:120]}”"
    )
    if document.expires_on < today:
        return f"{what} on {who}'s file expired on {show_date(document.expires_on)}."
    return f"{what} on {who}'s file expires on {show_date(document.expires_on)}."


def remind_of_expiring_documents(today: date) -> int:
    """Court orders and consents on open cases expiring within DOCUMENT_EXPIRY_NOTICE_DAYS
    remind the primary case manager once; once expired, the case manager and the team's
    supervisor are told once more (those expired longer ago than the notice period are not
    announced: they were, or came onto the file already expired). Colleagues covering the case
    manager or the team are told as they would be. A new expiry (a renewed consent) reminds
    afresh. Returns how many notifications were new."""
    notice = timedelta(days=settings.DOCUMENT_EXPIRY_NOTICE_DAYS)
    covering = covering_on(today)
    documents = (
        Document.objects.expiring_by(today + notice)
        .filter(
            expires_on__gte=today - notice,
            young_person__status__in=[YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING],
        )
        .select_related("young_person__team")
        .order_by("expires_on", "pk")
    )
    notices = []
    for document in documents.iterator(chunk_size=2000):
        young_person = document.young_person
        expired = document.expires_on < today
        moment = "expired" if expired else "expires"
        key = f"document-{document.pk}-{moment}-{document.expires_on:%Y%m%d}"
        recipients = covering.worker_and_cover(young_person.primary_case_manager_id)
        if expired and young_person.team is not None:
            recipients += covering.supervisor_and_cover(
                young_person.team.supervisor_id, young_person.team_id
            )
        message = _expiry_message(document, young_person.display_name, today)
        url = reverse("documents:detail", args=[document.pk])
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)
