from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from audit.models import AuditEvent


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


# At most this many rows of the trail are read for one page of folded lines: a page stays one
# bounded read however long a run of views is (a longer run goes on on the next page).
FOLD_WINDOW = 500
RUN_COLUMNS = ["id", "occurred_at", "actor_id", "actor_username", "action", "object_type"]
RUN_COLUMNS += ["object_id", "path"]

# Repeated reads of one page by one person on one day make one line: a run is the rows next to
# each other, newest first, with the same key; any other row is a line of its own.
FOLDED_PAGE = """
WITH window_rows AS ({rows}),
marked AS (
    SELECT id, occurred_at,
           CASE WHEN action = 'view'
                THEN concat_ws('|', actor_id, actor_username, object_type, object_id, path,
                               (occurred_at AT TIME ZONE %s)::date)
           END AS run_key
    FROM window_rows
),
starts AS (
    SELECT id, occurred_at,
           CASE WHEN run_key = LAG(run_key) OVER newest_first THEN 0 ELSE 1 END AS starts,
           COUNT(*) OVER () AS read
    FROM marked
    WINDOW newest_first AS (ORDER BY occurred_at DESC, id DESC)
),
runs AS (
    SELECT id, occurred_at, read,
           SUM(starts) OVER (ORDER BY occurred_at DESC, id DESC ROWS UNBOUNDED PRECEDING) AS run
    FROM starts
)
SELECT (array_agg(id ORDER BY occurred_at DESC, id DESC))[1],
       (array_agg(id ORDER BY occurred_at, id))[1],
       MIN(occurred_at),
       COUNT(*),
       MAX(read)
FROM runs GROUP BY run ORDER BY run LIMIT %s
"""


def _older_than(events: QuerySet[AuditEvent], before: tuple[str, int] | None) -> QuerySet:
    if before is None:
        return events
    occurred_at, event_id = before
    return events.filter(occurred_at__lte=occurred_at).exclude(
        occurred_at=occurred_at, id__gte=event_id
    )


def page_of_folded_events(
    events: QuerySet[AuditEvent], *, before: tuple[str, int] | None, size: int
) -> tuple[list[AuditEvent], tuple[str, int] | None]:
    """page_of_events, with each run of views of one page by one person on one day folded into
    its newest row, which carries `fold_count` and `fold_first_at` (the run's oldest moment).
    Two queries whatever the data: PostgreSQL finds the runs (window functions over at most
    FOLD_WINDOW rows, read by the same indexes as page_of_events), then their rows are read."""
    window = (_older_than(events, before).order_by("-occurred_at", "-id").values(*RUN_COLUMNS))[
        :FOLD_WINDOW
    ]
    try:
        rows_sql, params = window.query.sql_with_params()
    except EmptyResultSet:  # a search that names nobody
        return [], None
    with connection.cursor() as cursor:
        cursor.execute(FOLDED_PAGE.format(rows=rows_sql), [*params, settings.TIME_ZONE, size + 1])
        runs = cursor.fetchall()
    read_all = not runs or runs[0][4] < FOLD_WINDOW
    if len(runs) > size:
        runs = runs[:size]
    elif read_all:
        return _rows_of(runs), None
    elif len(runs) > 1:
        runs = runs[:-1]  # it may go on past the rows read: the next page has it whole
    _, oldest_id, oldest_at, _, _ = runs[-1]
    return _rows_of(runs), (oldest_at.isoformat(), oldest_id)


def _rows_of(runs: list[tuple]) -> list[AuditEvent]:
    if not runs:
        return []
    moments = [run[2] for run in runs]
    rows = AuditEvent.objects.filter(
        id__in=[run[0] for run in runs], occurred_at__gte=min(moments)
    ).select_related("actor", "young_person")
    by_id = {row.id: row for row in rows}
    events = []
    for newest_id, _, first_at, count, _ in runs:
        event = by_id[newest_id]
        event.fold_count, event.fold_first_at = count, first_at
        events.append(event)
    return events
