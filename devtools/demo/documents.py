"""The demo's documents: on each case with a primary case manager a court order, a consent to
share information expiring in three weeks (so the reminder shows) and a photo of a signed
paper form; on Jay's file a mental health assessment restricted to its readers. The files are
made here: a one-page PDF and a one-pixel PNG, nothing fetched."""

import struct
import zlib
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from clients.models import RestrictionReason, YoungPerson
from documents.models import Document, DocumentVersion

SAMPLE_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


SAMPLE_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)


def _add(young_person: YoungPerson, by: User, *, name: str, content: bytes, **fields) -> Document:
    # Put on the file the morning after its date, as a worker would have, so the timeline shows
    # it where it happened, not at the moment the demo was loaded.
    morning_after = datetime.combine(fields["dated"] + timedelta(days=1), time(9))
    added_at = min(timezone.make_aware(morning_after), timezone.now())
    document = Document.objects.create(
        young_person=young_person, added_by=by, added_at=added_at, **fields
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=name,
        content_type="image/png" if name.endswith(".png") else "application/pdf",
        size=len(content),
        uploaded_by=by,
        uploaded_at=added_at,
    )
    version.file.save(name, ContentFile(content), save=False)
    version.save()
    return document


def seed_demo_documents() -> int:
    """Put the demo documents on the files; return how many."""
    today = timezone.localdate()
    count = 0
    cases = YoungPerson.objects.filter(primary_case_manager__isnull=False).select_related(
        "primary_case_manager", "division"
    )
    for young_person in cases:
        by = young_person.primary_case_manager
        practitioner = f"Child protection, {young_person.division} Division"
        _add(
            young_person, by, name="Care by Secretary order.pdf", content=SAMPLE_PDF,
            kind=Document.Kind.COURT_ORDER, title="Care by Secretary order",
            dated=today - timedelta(days=200), provided_by=practitioner,
            expires_on=today + timedelta(days=530),
        )  # fmt: skip
        _add(
            young_person, by, name="Consent to share information.pdf", content=SAMPLE_PDF,
            kind=Document.Kind.CONSENT, title="Consent to share information with school",
            dated=today - timedelta(days=344), provided_by=f"{young_person.display_name} and carer",
            expires_on=today + timedelta(days=21),
        )  # fmt: skip
        _add(
            young_person, by, name="signed agreement.png", content=SAMPLE_PNG,
            kind=Document.Kind.PHOTO, title="Signed case management agreement (photo)",
            dated=today - timedelta(days=60), provided_by=str(by),
        )  # fmt: skip
        count += 3
    jay = YoungPerson.objects.get(family_name="Smith", given_name="Jayden")
    _add(
        jay, User.objects.get(username="cm3.demo"), name="CAMHS assessment.pdf", content=SAMPLE_PDF,
        kind=Document.Kind.ASSESSMENT, title="CAMHS mental health assessment",
        dated=today - timedelta(days=30), provided_by="CAMHS (Dr Okafor)",
        restricted_because=RestrictionReason.HEALTH,
    )  # fmt: skip
    return count + 1
