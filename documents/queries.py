"""What the documents pages read, each in a fixed number of queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from clients.models import YoungPerson
from clients.queries import with_page_header
from clients.rules import with_readable_content
from documents.models import Document, DocumentVersion

ON_RECORD = 3


def care_team_of(young_person: YoungPerson) -> QuerySet[User]:
    """The workers allocated to the young person now, as primary case manager or care team:
    those the author of a restricted document may name as its readers."""
    return (
        User.objects.filter(
            Q(pk=young_person.primary_case_manager_id)
            | Q(allocations__young_person=young_person, allocations__ended_on__isnull=True)
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def newest_versions_first() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
    )


def documents_listed(documents: QuerySet[Document], user: User) -> QuerySet[Document]:
    """The documents as a list shows them: whether the user may read each, who added it and
    who marked it in error, and its versions, newest first (a list links the latest)."""
    return with_readable_content(
        documents.select_related("added_by", "in_error_by").prefetch_related(
            newest_versions_first()
        ),
        user,
    )


def document_page(documents: QuerySet[Document]) -> QuerySet[Document]:
    """What a document's page shows: the document, its young person with the alerts shown on
    every page about them, who added it (or marked it in error), its versions and the readers
    its author named."""
    return documents.select_related("added_by", "in_error_by").prefetch_related(
        Prefetch("young_person", queryset=with_page_header(YoungPerson.objects.all())),
        newest_versions_first(),
        "restricted_readers",
    )


def documents_card(documents: QuerySet[Document]) -> list[Document]:
    """The latest few standing documents of a young person (`documents`, already theirs and
    visible), with the orders and consents expiring within the notice period (or expired), newest
    first, in one query: the card on the young person's record."""
    standing = documents.standing()
    soon = timezone.localdate() + timedelta(days=settings.DOCUMENT_EXPIRY_NOTICE_DAYS)
    latest = standing.order_by("-added_at", "-pk").values("pk")[:ON_RECORD]
    return list(
        standing.filter(
            Q(pk__in=latest) | Q(kind__in=Document.EXPIRING_KINDS, expires_on__lte=soon)
        )
        .select_related("added_by")
        .order_by("-added_at", "-pk")
    )
