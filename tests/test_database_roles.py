"""The app's PostgreSQL role cannot erase the trails (the audit trail and the clinical history):
it is not a superuser, owns nothing, may only add to and read the trails, and may make the audit
trail's monthly partitions only through the owner's function. The tests run as that role (see
tests/conftest.py), so every refusal below is the database's answer to the app itself."""

import os
from datetime import UTC, date

import pghistory.models
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent
from audit.partitions import partition_name
from audit.services import record
from icms.database_roles import as_owner, connect_as_app

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"


def query(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table_owner() -> str:
    return query("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'")[0][0]


def history_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model._meta.managed
    )


def audit_partitions() -> list[str]:
    rows = query(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'audit_event'::regclass"
    )
    return sorted(name for (name,) in rows)


def enabled_triggers(table: str) -> list[str]:
    rows = query(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled = 'O' "
        "AND NOT tgisinternal",
        [table],
    )
    return sorted(name for (name,) in rows)


@pytest.fixture
def trails(case_manager, own_young_person):
    """An audit row and a history row, and what guards them, as they stand before an attack."""
    event = record(AuditAction.VIEW, actor=case_manager, obj=own_young_person)
    history = own_young_person.events.model._meta.db_table
    partition = partition_name(event.occurred_at.astimezone(UTC).date())
    return {
        "event": event,
        "history": history,
        "history_rows": own_young_person.events.count(),
        "young_person": own_young_person,
        "partition": partition,
        "owner": table_owner(),
        "triggers": {
            table: enabled_triggers(table) for table in ["audit_event", partition, history]
        },
    }


BYPASSES = {
    "replica mode skips every trigger": "SET session_replication_role = replica",
    "local replica mode": "SET LOCAL session_replication_role = replica",
    "becoming the owner": "SET ROLE {owner}",
    "audit trigger off": "ALTER TABLE audit_event DISABLE TRIGGER audit_event_refuse_update_delete",
    "audit triggers off": "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "partition triggers off": "ALTER TABLE {partition} DISABLE TRIGGER USER",
    "history triggers off": "ALTER TABLE {history} DISABLE TRIGGER USER",
    "audit trigger dropped": "DROP TRIGGER audit_event_refuse_update_delete ON audit_event",
    "partition detached": "ALTER TABLE audit_event DETACH PARTITION {partition}",
    "partition dropped": "DROP TABLE {partition}",
    "audit trail dropped": "DROP TABLE audit_event CASCADE",
    "audit trail renamed": "ALTER TABLE audit_event RENAME TO audit_event_old",
    "history dropped": "DROP TABLE {history}",
    "trigger function dropped": "DROP FUNCTION audit_event_refuse_change() CASCADE",
    "trigger function replaced": (
        "CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
    ),
    "trigger function renamed": "ALTER FUNCTION audit_event_refuse_change() RENAME TO harmless",
    "audit trail truncated": "TRUNCATE audit_event",
    "partition truncated": "TRUNCATE {partition}",
    "history truncated": "TRUNCATE {history}",
    "audit row changed": "UPDATE audit_event SET actor_username = 'someone else'",
    "audit row deleted": "DELETE FROM audit_event",
    "partition row changed": "UPDATE {partition} SET actor_username = 'someone else'",
    "partition row deleted": "DELETE FROM {partition}",
    "history row changed": "UPDATE {history} SET given_name = 'forged'",
    "history row deleted": "DELETE FROM {history}",
    "a partition of the app's own": (
        "CREATE TABLE audit_event_forged PARTITION OF audit_event "
        "FOR VALUES FROM ('2099-01-01 00:00:00+00') TO ('2099-02-01 00:00:00+00')"
    ),
}


@pytest.mark.parametrize("statement", BYPASSES.values(), ids=BYPASSES.keys())
def test_the_app_cannot_erase_the_trails(trails, statement):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        connection.cursor().execute(statement.format(**trails))

    assert refused.value.__cause__.pgcode == INSUFFICIENT_PRIVILEGE, refused.value
    assert query("SHOW session_replication_role") == [("origin",)]
    assert query("SELECT current_user = session_user") == [(True,)]
    assert {table: enabled_triggers(table) for table in trails["triggers"]} == trails["triggers"]
    assert AuditEvent.objects.get(pk=trails["event"].pk).actor_username == "case_manager"
    assert trails["young_person"].events.count() == trails["history_rows"]


def test_the_app_adds_to_and_reads_the_trails(case_manager, own_young_person):
    event = record(AuditAction.VIEW, actor=case_manager, obj=own_young_person)
    own_young_person.preferred_name = "Jay"
    own_young_person.save()

    assert AuditEvent.objects.get(pk=event.pk).young_person_id == own_young_person.pk
    assert [e.preferred_name for e in own_young_person.events.order_by("pgh_id")] == ["", "Jay"]


def test_the_app_role_is_not_a_superuser_and_owns_nothing():
    (role,) = query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = current_user"
    )
    assert role == (False, False, False, False, False)
    assert (
        query(
            "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = current_user::regrole"
        )
        == []
    )
    owned = query(
        """
        SELECT 'relation ' || relname FROM pg_class WHERE relowner = current_user::regrole
        UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE proowner = current_user::regrole
        UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typowner = current_user::regrole
        UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
            WHERE nspowner = current_user::regrole
        UNION ALL SELECT 'database ' || datname FROM pg_database
            WHERE datdba = current_user::regrole
        """
    )
    assert owned == []
    assert table_owner() != query("SELECT current_user")[0][0]
    assert query("SELECT has_schema_privilege('public', 'CREATE')") == [(False,)]


PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]


def privileges_on(table: str) -> set[str]:
    return {
        privilege
        for privilege in PRIVILEGES
        if query("SELECT has_table_privilege(%s, %s)", [table, privilege])[0][0]
    }


def test_the_app_may_only_add_to_and_read_the_trails():
    partitions = audit_partitions()
    assert partitions  # made by the migrations, three months ahead

    assert privileges_on("audit_event") == {"SELECT", "INSERT"}
    for partition in partitions:  # reached through audit_event only
        assert privileges_on(partition) == set(), partition
    for table in history_tables():
        assert privileges_on(table) == {"SELECT", "INSERT"}, table


def test_the_app_may_read_and_write_every_other_table():
    trails = {"audit_event", *audit_partitions(), *history_tables()}
    tables = [
        name
        for (name,) in query(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p')"
        )
        if name not in trails
    ]
    assert "clients_youngperson" in tables

    expected = {"SELECT", "INSERT", "UPDATE", "DELETE"}
    # pghistory's context rows (who, which page) are added to as a request goes on.
    assert privileges_on("pghistory_context") == {"SELECT", "INSERT", "UPDATE"}
    tables.remove("pghistory_context")
    assert {table: privileges_on(table) for table in tables} == dict.fromkeys(tables, expected)


def test_the_partition_function_makes_a_monthly_partition_and_nothing_else():
    before = query("SELECT oid::regclass::text, relkind FROM pg_class")

    (made,) = query("SELECT audit_event_create_partition(%s)", [date(2040, 3, 17)])[0]

    assert made == "audit_event_y2040m03"
    new = sorted(set(query("SELECT oid::regclass::text, relkind FROM pg_class")) - set(before))
    assert [name for name, kind in new if kind in ("r", "p", "v", "m", "f", "S")] == [made]
    assert query(
        "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = %s::regclass", [made]
    ) == [("FOR VALUES FROM ('2040-03-01 00:00:00+00') TO ('2040-04-01 00:00:00+00')",)]
    assert query("SELECT tableowner FROM pg_tables WHERE tablename = %s", [made]) == [
        (table_owner(),)
    ]
    assert enabled_triggers(made) == enabled_triggers(audit_partitions()[0])
    assert "audit_event_refuse_truncate" in enabled_triggers(made)
    assert privileges_on(made) == set()
    # A second call finds it there.
    assert query("SELECT audit_event_create_partition(%s)", [date(2040, 3, 1)]) == [(made,)]


def test_the_partition_function_runs_as_its_owner_with_a_fixed_search_path():
    ((definer, config, owner, public_may_run),) = query(
        """
        SELECT prosecdef, proconfig, proowner::regrole::text,
               has_function_privilege('public', oid, 'EXECUTE')
        FROM pg_proc WHERE proname = 'audit_event_create_partition'
        """
    )
    assert definer is True
    assert config == ["search_path=pg_catalog, pg_temp"]
    assert owner == table_owner()
    assert public_may_run is False


# --- migrate grants the app's role what it needs, and refuses a role that could erase ---------


@pytest.fixture
def scratch_role(monkeypatch, settings):
    """A role of this test's own, made by the owner and dropped at the end, that the settings
    then name as the app's (DATABASE_URL's user)."""
    name = f"icms_scratch_{os.getpid()}"
    made = []

    def make(*statements: str) -> str:
        with as_owner(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.format(role=name, owner=table_owner()))
        made.append(name)
        monkeypatch.setitem(settings.DATABASES["default"], "USER", name)
        return name

    yield make
    monkeypatch.undo()
    connect_as_app()
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"DROP ROLE IF EXISTS {name}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("statements", "message"),
    [
        ([], "does not exist"),
        (["CREATE ROLE {role} LOGIN SUPERUSER"], "is a superuser"),
        (["CREATE ROLE {role} LOGIN CREATEROLE"], "may create roles"),
        (
            [
                "CREATE ROLE {role} LOGIN",
                "CREATE TABLE {role} ()",
                "ALTER TABLE {role} OWNER TO {role}",
            ],
            "owns tables",
        ),
        (["CREATE ROLE {role} LOGIN", "GRANT {owner} TO {role}"], "is a member of a role"),
    ],
    ids=["missing", "superuser", "creates roles", "owns a table", "member of the owner"],
)
def test_migrate_refuses_an_app_role_that_could_erase_the_trails(scratch_role, statements, message):
    scratch_role(*statements)

    with pytest.raises(CommandError, match=message):
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_table_a_later_migration_makes_is_the_apps_after_migrate():
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE icms_new_records (id int)")
    try:
        assert privileges_on("icms_new_records") == set()

        call_command("migrate", verbosity=0)

        assert privileges_on("icms_new_records") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    finally:
        with as_owner(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE icms_new_records")


@pytest.mark.django_db(transaction=True)
def test_migrate_warns_when_the_app_connects_as_the_owner(settings, capsys):
    settings.DATABASE_OWNER = None  # DATABASE_URL only: migrate runs as its role

    call_command("migrate", verbosity=0)

    assert "could erase the audit trail" in capsys.readouterr().err
