"""The two PostgreSQL roles of ICMS, so that the app cannot erase its own trails.

The owner (DATABASE_OWNER_URL; the embedded PostgreSQL's `postgres`) owns every table, function
and trigger, and runs the migrations. The app (DATABASE_URL: web, worker, beat and the other
commands) is not a superuser and owns nothing, so it can neither switch triggers off (replica
mode, ALTER TABLE ... DISABLE TRIGGER) nor drop, detach, truncate or alter a table. It reads and
writes the records, may only add to and read the trails (the audit trail and the clinical
history), and makes the audit trail's monthly partitions through the owner's function
audit_event_create_partition (audit/migrations/0002_partition_function.py); a disposed file's
history is erased through another, records_erase_history (records/migrations/0002_...).

`migrate` (icms/management/commands/migrate.py) runs as the owner and then calls
grant_app_role(), which grants the app exactly that on the tables as they then stand: a table a
new migration makes is reachable by the app without anyone remembering to grant it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from audit.models import AuditEvent

PARTITION_FUNCTION = "audit_event_create_partition(date)"
# The owner's functions the app may call: each does one thing the app's role may not do itself.
OWNER_FUNCTIONS = [
    PARTITION_FUNCTION,
    # Erases the history of a file disposed of (records/migrations/0002_...).
    "records_erase_history(bigint, regclass, text, bigint[])",
]
# pghistory's context rows (who, from which page) are upserted as a request goes on.
HISTORY_CONTEXT = pghistory.models.Context._meta.db_table


def connect_as_owner(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Reconnect as the owner, at once; False if there is no other role to switch to (no
    DATABASE_OWNER_URL, or already connected as it)."""
    connection = connections[using]
    owner = settings.DATABASE_OWNER
    if owner is None or connection.settings_dict["USER"] == owner["USER"]:
        return False
    if connection.in_atomic_block:
        raise RuntimeError("The database role cannot change inside a transaction.")
    app = settings.DATABASES[using]
    connection.close()
    # A copy for this connection only: settings.DATABASES keeps the app's role, and so do the
    # connections of other threads (a live server's).
    connection.settings_dict = {
        **app,
        **owner,
        "OPTIONS": {**app.get("OPTIONS", {}), **owner.get("OPTIONS", {})},
    }
    try:
        connection.ensure_connection()
    except OperationalError as error:
        connect_as_app(using)
        reason = (str(error).strip() or "no answer").splitlines()[0]
        raise CommandError(
            f"ICMS cannot reach its database as the owner's role (DATABASE_OWNER_URL): {reason}"
        ) from None
    return True


def connect_as_app(using: str = DEFAULT_DB_ALIAS) -> None:
    """Reconnect as the app's role (settings.DATABASES), to the database in use meanwhile: the
    test database machinery renames it in both places."""
    connection = connections[using]
    connection.close()
    connection.settings_dict = settings.DATABASES[using]


@contextmanager
def as_owner(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block connected as the owner, then as the app's role again."""
    switched = connect_as_owner(using)
    try:
        yield
    finally:
        if switched:
            connect_as_app(using)


def trail_tables() -> list[str]:
    """The append-only tables: the audit trail and the clinical history's event tables."""
    history = [
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event)
        and model._meta.managed
        and not model._meta.proxy
    ]
    return [AuditEvent._meta.db_table, *sorted(history)]


def _existing(cursor, tables: list[str]) -> list[str]:
    cursor.execute(
        "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NOT NULL",
        [tables],
    )
    return [name for (name,) in cursor.fetchall()]


def _check_app_role(cursor, role: str) -> None:
    cursor.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls "
        "FROM pg_roles WHERE rolname = %s",
        [role],
    )
    found = cursor.fetchone()
    if found is None:
        raise CommandError(
            f'The app\'s role "{role}" (DATABASE_URL) does not exist: create it (README, '
            '"Moving to a managed PostgreSQL and Redis"), then run migrate again.'
        )
    if found[0]:
        raise CommandError(
            f'The app\'s role "{role}" (DATABASE_URL) is a superuser or may create roles or '
            "databases, replicate or bypass row security: it could erase the audit trail. "
            f'ALTER ROLE "{role}" NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION '
            "NOBYPASSRLS, then run migrate again."
        )
    cursor.execute(
        """
        SELECT (SELECT count(*) FROM pg_class WHERE relowner = %(role)s::regrole)
             + (SELECT count(*) FROM pg_proc WHERE proowner = %(role)s::regrole)
             + (SELECT count(*) FROM pg_namespace WHERE nspowner = %(role)s::regrole)
             + (SELECT count(*) FROM pg_database
                WHERE datname = current_database() AND datdba = %(role)s::regrole)
             + (SELECT count(*) FROM pg_roles AS other
                WHERE other.rolname <> %(role)s AND pg_has_role(%(role)s, other.oid, 'MEMBER')
                AND (other.rolsuper
                     OR EXISTS (SELECT FROM pg_class WHERE relowner = other.oid)
                     OR EXISTS (SELECT FROM pg_proc WHERE proowner = other.oid)))
        """,
        {"role": role},
    )
    if cursor.fetchone()[0]:
        raise CommandError(
            f'The app\'s role "{role}" (DATABASE_URL) owns tables, functions, a schema or the '
            "database, or is a member of a role that does: it could switch the audit trail's "
            f'triggers off. As a superuser: REASSIGN OWNED BY "{role}" TO <the owner\'s role>, '
            "revoke those memberships, then run migrate again."
        )


def grant_app_role(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Grant the app's role (DATABASE_URL's user) what it needs, and nothing more, on the tables
    as they stand; run as the owner after every migrate. Returns the role, or None when the
    app connects as the owner itself (no DATABASE_OWNER_URL), which then has nothing to grant.

    Idempotent: the app's privileges are revoked and granted again in one transaction, so a
    table that has become a trail loses what it no longer may have."""
    role = settings.DATABASES[using]["USER"]
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return None
        _check_app_role(cursor, role)
        app = quote(role)
        trails = [quote(table) for table in _existing(cursor, trail_tables())]
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = to_regclass(%s)",
            [AuditEvent._meta.db_table],
        )
        partitions = [name for (name,) in cursor.fetchall()]
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {app}",
            # PostgreSQL before 15 let every role create objects in `public`, where they could
            # stand in for what the owner's function calls.
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        ]
        if trails:
            statements.append(f"REVOKE UPDATE, DELETE ON {', '.join(trails)} FROM {app}")
        if partitions:
            # Read and written through audit_event only.
            statements.append(f"REVOKE ALL ON {', '.join(partitions)} FROM {app}")
        if _existing(cursor, [HISTORY_CONTEXT]):
            statements.append(f"REVOKE DELETE ON {quote(HISTORY_CONTEXT)} FROM {app}")
        for function in OWNER_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s)", [function])
            if cursor.fetchone()[0] is not None:
                # Again, as a restore without privileges leaves it to PUBLIC.
                statements.append(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
                statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
        for statement in statements:
            cursor.execute(statement)
    return role
