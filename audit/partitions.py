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


def create_partition(month: date) -> None:
    """Create the partition holding `month` (idempotent, safe to run concurrently)."""
    name = partition_name(month)
    start, end = month.isoformat(), next_month(month).isoformat()
    with connection.cursor() as cursor:
        # One creator at a time; the others then find the table there.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('audit_event partitions'))")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF audit_event "
            f"FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')"
        )
        # Row triggers are inherited from audit_event; a TRUNCATE of one partition is not.
        cursor.execute(
            f"CREATE OR REPLACE TRIGGER audit_event_refuse_truncate BEFORE TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()"
        )
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {name} FROM PUBLIC")


def create_partitions_ahead(today: date, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make sure this month's and the next months' partitions exist; return their names."""
    month = first_of_month(today)
    names = []
    for _ in range(months_ahead + 1):
        create_partition(month)
        names.append(partition_name(month))
        month = next_month(month)
    return names
