"""The documents on the young person's timeline (clients.timeline): added, a new version,
marked added in error. A restricted one shows as "Restricted document" to those who may not
read it."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from clients.models import YoungPerson
from clients.rules import with_readable_content
from clients.timeline import Moment, TimelineKind, by_pk, register
from documents.models import Document, DocumentVersion
from documents.rules import documents_visible_to

_documents = by_pk(Document.objects.select_related("added_by", "in_error_by"))


def _versions(ids: list[int], user: User) -> dict[int, Any]:
    """The versions, each with whether the user may read its document, in one query."""
    readable = with_readable_content(Document.objects.filter(pk=OuterRef("document_id")), user)
    versions = (
        DocumentVersion.objects.filter(pk__in=ids)
        .select_related("document__added_by", "uploaded_by")
        .annotate(content_readable=Subquery(readable.values("content_readable")[:1]))
        .in_bulk()
    )
    for version in versions.values():
        version.document.content_readable = version.content_readable
    return versions


def _of(young_person: YoungPerson, user: User) -> QuerySet[Document]:
    return documents_visible_to(user).filter(young_person=young_person)


register(
    TimelineKind(
        "document",
        "Documents",
        "documents/timeline_entry.html",
        (
            Moment(24, "added", _of, "added_at", _documents),
            Moment(
                25,
                "versioned",
                lambda young_person, user: DocumentVersion.objects.filter(
                    document__in=_of(young_person, user), number__gt=1
                ),
                "uploaded_at",
                _versions,
            ),
            Moment(
                26,
                "in_error",
                lambda young_person, user: _of(young_person, user).filter(
                    in_error_at__isnull=False
                ),
                "in_error_at",
                _documents,
            ),
        ),
        accent="secondary",
    )
)
