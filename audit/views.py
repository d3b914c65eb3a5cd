from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from audit.queries import page_of_folded_events
from audit.services import record
from clients.rules import merged_records_visible_to, young_people_visible_to
from supervision.forms import AuditEventFilter
from supervision.rules import audit_events_visible_to
from toolkit.access import require_permission

PAGE_SIZE = 50


def _unseen_young_people(user: User, events: list[AuditEvent]) -> set[int]:
    """The young people of these rows whom the reader may not see (a worker's refused attempt
    on another team's record): their rows name neither them nor the record."""
    if user.has_role(Role.ADMINISTRATOR):
        return set()
    named = {event.young_person_id for event in events if event.young_person_id}
    unseen = named - set(
        young_people_visible_to(user).filter(pk__in=named).values_list("pk", flat=True)
    )
    if unseen:  # a record merged into one they see is theirs too
        merged = merged_records_visible_to(user).filter(pk__in=unseen)
        unseen -= set(merged.values_list("pk", flat=True))
    return unseen


def _page_key(value: str) -> tuple[str, int] | None:
    """The `before` parameter: `<occurred_at ISO>,<id>` of the last row of the previous page."""
    occurred_at, _, event_id = value.rpartition(",")
    try:
        datetime.fromisoformat(occurred_at)
        return occurred_at, int(event_id)
    except ValueError:
        return None


@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    """Search the audit trail (by young person too: who looked at them), newest first, a run of
    reads of one page by one person on one day as one line; the search itself is recorded."""
    require_permission(request, "audit.view_audit_trail")
    search = AuditEventFilter(
        request.GET, queryset=audit_events_visible_to(request.user), request=request
    )
    events, next_key = [], None
    if search.is_valid():
        events, next_key = page_of_folded_events(
            search.qs, before=_page_key(request.GET.get("before", "")), size=PAGE_SIZE
        )
        criteria = {key: str(value) for key, value in search.form.cleaned_data.items() if value}
        record(AuditAction.SEARCH, actor=request.user, detail={"audit_trail": criteria})
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/trail.html",
        {
            "search": search,
            "events": events,
            "next_key": f"{next_key[0]},{next_key[1]}" if next_key else None,
            "query": query.urlencode(),
            "whole_trail": request.user.has_role(Role.ADMINISTRATOR),
            "unseen": _unseen_young_people(request.user, events),
        },
    )
