from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.partitions import partition_name
from audit.services import record
from icms.database_roles import as_owner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor_username = 'someone else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "DELETE FROM {partition}",
        "TRUNCATE {partition}",
    ],
)
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_the_audit_trail_even_to_its_owner(case_manager, statement):
    """The app's role may not even try (tests/test_database_roles.py); the triggers refuse the
    owner's role too, which may do everything else."""
    event = record(AuditAction.LOGIN, actor=case_manager)
    sql = statement.format(partition=partition_name(event.occurred_at.astimezone(UTC).date()))

    with as_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql)

    assert AuditEvent.objects.get(pk=event.pk).actor_username == "case_manager"


def test_a_month_without_a_partition_gets_one_on_the_first_write(case_manager):
    with time_machine.travel(datetime(2031, 7, 4, 12, tzinfo=UTC)):
        event = record(AuditAction.LOGIN, actor=case_manager)

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", ["audit_event_y2031m07"])
        assert cursor.fetchone() == ("audit_event_y2031m07",)
    assert AuditEvent.objects.get(pk=event.pk).occurred_at.year == 2031


def test_the_partition_job_keeps_three_months_ahead():
    from audit.tasks import create_audit_partitions

    with time_machine.travel(datetime(2032, 11, 20, tzinfo=UTC)):
        names = create_audit_partitions()

    assert names == [
        "audit_event_y2032m11",
        "audit_event_y2032m12",
        "audit_event_y2033m01",
        "audit_event_y2033m02",
    ]


def test_viewing_a_young_person_records_who_what_when_and_where(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    client.get(reverse("clients:detail", args=[own_young_person.pk]), REMOTE_ADDR="203.0.113.9")

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == case_manager
    assert event.young_person_id == own_young_person.pk
    assert event.object_type == "clients.youngperson"
    assert event.ip_address == "203.0.113.9"
    assert event.path == f"/young-people/{own_young_person.pk}/"
    assert timezone.now() - event.occurred_at < timedelta(minutes=1)


def test_a_supervisor_searches_their_team_but_not_another(
    client, log_in, supervisor, case_manager, own_young_person, other_young_person
):
    record(AuditAction.VIEW, actor=case_manager, obj=own_young_person)
    record(AuditAction.VIEW, actor=UserFactory(), obj=other_young_person)
    log_in(supervisor)

    response = client.get(reverse("audit:trail"))

    shown = {event.young_person_id for event in response.context["events"] if event.young_person_id}
    assert shown == {own_young_person.pk}
    assert "Zara" not in response.text


def test_the_system_owner_searches_the_whole_trail_by_young_person(
    client, log_in, administrator, case_manager, own_young_person, other_young_person
):
    record(AuditAction.VIEW, actor=case_manager, obj=own_young_person)
    record(AuditAction.VIEW, actor=case_manager, obj=other_young_person)
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"young_person": other_young_person.pk})

    assert [event.young_person_id for event in response.context["events"]] == [
        other_young_person.pk
    ]


def test_searching_the_trail_is_itself_recorded(client, log_in, administrator):
    log_in(administrator)

    client.get(reverse("audit:trail"), {"username": "cm.demo"})

    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.actor == administrator
    assert search.detail == {"audit_trail": {"username": "cm.demo"}}


def test_a_case_manager_may_not_search_the_trail(client, log_in, case_manager):
    log_in(case_manager)

    assert client.get(reverse("audit:trail")).status_code == 403


def test_a_period_that_ends_before_it_starts_is_refused(client, log_in, administrator):
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"since": "2026-05-02", "until": "2026-05-01"})

    assert response.status_code == 200
    assert "The period must end on or after the day it starts" in response.text
    assert response.context["events"] == []


def test_the_trail_pages_backwards_without_repeating_or_skipping(
    client, log_in, administrator, case_manager, settings
):
    events = [record(AuditAction.LOGIN, actor=case_manager) for _ in range(120)]
    log_in(administrator)

    seen, query = [], {"username": "case_manager", "action": "login"}
    while True:
        response = client.get(reverse("audit:trail"), query)
        seen += [event.pk for event in response.context["events"]]
        if not response.context["next_key"]:
            break
        query["before"] = response.context["next_key"]

    assert seen == [event.pk for event in reversed(events)]


@pytest.mark.parametrize("before", ["nonsense", "2026-01-01T00:00:00,notanumber", ","])
def test_a_garbled_page_key_starts_from_the_newest(client, log_in, administrator, before):
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"before": before})

    assert response.status_code == 200
