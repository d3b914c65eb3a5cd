from django.db.models import QuerySet

from audit.models import AuditAction, AuditEvent
from clients.models import YoungPerson

RECENT = 10


def recent_views_of(young_person: YoungPerson) -> list[AuditEvent]:
    """Who has looked at this young person's record lately, newest first."""
    return list(
        AuditEvent.objects.filter(young_person_id=young_person.pk, action=AuditAction.VIEW)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:RECENT]
    )


def page_of_events(
    events: QuerySet[AuditEvent], *, before: tuple[str, int] | None, size: int
) -> tuple[list[AuditEvent], tuple[str, int] | None]:
    """One page, newest first, and the key of the next (older) page: keyset pagination, which
    stays fast deep into tens of millions of rows where OFFSET and COUNT(*) do not."""
    events = events.select_related("actor", "young_person").order_by("-occurred_at", "-id")
    if before is not None:
        occurred_at, event_id = before
        events = events.filter(occurred_at__lte=occurred_at).exclude(
            occurred_at=occurred_at, id__gte=event_id
        )
    page = list(events[: size + 1])
    if len(page) <= size:
        return page, None
    last = page[size - 1]
    return page[:size], (last.occurred_at.isoformat(), last.id)
