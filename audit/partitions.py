"""Monthly partitions of the audit trail. Created ahead by a daily job and, should that job
have stopped, on demand by the first write of a month (see audit.services.record)."""

from datetime import date

from django.db import connection

MONTHS_AHEAD = 3


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"audit_event_y{month.year}m{month.month:02d}"


def create_partition(month: date) -> str:
    """Create the partition holding `month` (idempotent, safe to run concurrently); return its
    name. The app's role may not create tables: the owner's function does it for it, and can
    make nothing but a month's partition (audit/migrations/0002_partition_function.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_event_create_partition(%s)", [month])
        return cursor.fetchone()[0]


def create_partitions_ahead(today: date, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make sure this month's and the next months' partitions exist; return their names."""
    month = first_of_month(today)
    names = []
    for _ in range(months_ahead + 1):
        names.append(create_partition(month))
        month = next_month(month)
    return names
