import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from clients.models import Contact, ContactWorker, IntensityLevel
from clients.services import end_alert, raise_alert
from tests.factories import (
    CareTeamFactory,
    ContactFactory,
    DisclosureFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=MELBOURNE)
CASELOAD = reverse("clients:caseload")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def high():
    return IntensityLevel.objects.get(name="High")  # threshold 2 days


def caseload_names(client, **query) -> list[str]:
    response = client.get(CASELOAD, query)
    return [young_person.display_name for young_person in response.context["young_people"]]


def test_the_caseload_shows_days_since_contact_against_the_intensity(
    client, log_in, case_manager, team, high
):
    seen = YoungPersonFactory(
        given_name="Seen", family_name="Recently", team=team, primary_case_manager=case_manager
    )
    ContactFactory(young_person=seen, recorded_by=case_manager, started_at=NOW - timedelta(days=1))
    YoungPersonFactory(
        given_name="Not", family_name="Seen", team=team, primary_case_manager=case_manager,
        intensity=high,
    )  # fmt: skip
    log_in(case_manager)

    response = client.get(CASELOAD)

    rows = {row.display_name: row for row in response.context["young_people"]}
    assert rows["Seen Recently"].contact_overdue is False
    assert rows["Seen Recently"].contacts_this_fortnight == 1
    assert rows["Not Seen"].contact_overdue is True
    assert "1 day ago" in response.text
    assert "Never" in response.text
    assert "overdue: every 2 days" in response.text


def test_overdue_counts_calendar_days_beyond_the_threshold(
    client, log_in, case_manager, team, high
):
    on_time = YoungPersonFactory(family_name="Ontime", team=team, intensity=high,
                                 primary_case_manager=case_manager)  # fmt: skip
    late = YoungPersonFactory(family_name="Late", team=team, intensity=high,
                              primary_case_manager=case_manager)  # fmt: skip
    # Two calendar days ago (Sunday evening) is within the threshold; three is not.
    ContactFactory(young_person=on_time, recorded_by=case_manager,
                   started_at=datetime(2026, 11, 22, 23, 0, tzinfo=MELBOURNE))  # fmt: skip
    ContactFactory(young_person=late, recorded_by=case_manager,
                   started_at=datetime(2026, 11, 21, 23, 59, tzinfo=MELBOURNE))  # fmt: skip
    log_in(case_manager)

    assert caseload_names(client, overdue="on") == [late.display_name]


def test_the_caseload_is_read_afresh_each_time_and_moves_on_with_the_day(
    client, log_in, case_manager, team, high, time_machine
):
    """The caseload's query is put together once a day per user and roles (toolkit.querysets):
    what it lists and its overdue flags are read afresh at every visit, and tomorrow's is
    tomorrow's."""
    seen = YoungPersonFactory(given_name="Sam", family_name="Seen", team=team, intensity=high,
                              primary_case_manager=case_manager)  # fmt: skip
    ContactFactory(young_person=seen, recorded_by=case_manager, started_at=NOW - timedelta(hours=1))
    log_in(case_manager)
    assert caseload_names(client, overdue="on") == []

    YoungPersonFactory(given_name="Ali", family_name="Allocated", team=team,
                       primary_case_manager=case_manager)  # fmt: skip
    assert caseload_names(client) == ["Ali Allocated", "Sam Seen"]
    assert "Sam Seen" not in caseload_names(client, overdue="on")

    # Three days on, with no contact since, Seen is overdue (high intensity: every 2 days).
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    log_in(case_manager)
    assert "Sam Seen" in caseload_names(client, overdue="on")


def test_a_new_role_brings_its_caseload_the_same_day(client, log_in, case_manager, team):
    YoungPersonFactory(given_name="Tia", family_name="Teams", team=team)  # the team's alone
    log_in(case_manager)
    assert caseload_names(client) == []

    case_manager.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    team.supervisor = case_manager
    team.save()
    log_in(User.objects.get(pk=case_manager.pk))
    assert caseload_names(client) == ["Tia Teams"]


def test_the_caseload_searches_names_and_numbers_by_prefix(client, log_in, case_manager, team):
    for given, family, number in [
        ("Jayden", "Smith", "CP-100231"),
        ("Mia", "Smithers", "CP-200145"),
        ("Noah", "Brown", ""),
    ]:
        YoungPersonFactory(
            given_name=given, family_name=family, child_protection_number=number,
            team=team, primary_case_manager=case_manager,
        )  # fmt: skip
    log_in(case_manager)

    assert caseload_names(client, q="smith") == ["Jayden Smith", "Mia Smithers"]
    assert caseload_names(client, q="jay smi") == ["Jayden Smith"]
    assert caseload_names(client, q="200145") == ["Mia Smithers"]
    assert caseload_names(client, q="'; drop table --") == []
    assert caseload_names(client, q="&|!()") == ["Noah Brown", "Jayden Smith", "Mia Smithers"]


def test_the_caseload_filters_and_sorts(client, log_in, case_manager, team, high):
    oldest = YoungPersonFactory(family_name="Aaa", team=team, primary_case_manager=case_manager)
    newer = YoungPersonFactory(family_name="Bbb", team=team, primary_case_manager=case_manager,
                               intensity=high, status="exiting")  # fmt: skip
    ContactFactory(young_person=oldest, recorded_by=case_manager,
                   started_at=NOW - timedelta(days=9))  # fmt: skip
    ContactFactory(young_person=newer, recorded_by=case_manager,
                   started_at=NOW - timedelta(days=1))  # fmt: skip
    log_in(case_manager)

    assert caseload_names(client, status="exiting") == [newer.display_name]
    assert caseload_names(client, intensity=high.pk) == [newer.display_name]
    assert caseload_names(client, sort="last_contact") == [
        oldest.display_name,
        newer.display_name,
    ]
    assert caseload_names(client, sort="intensity")[0] == newer.display_name


def test_a_supervisor_sees_the_teams_caseload_but_not_anothers(
    client, log_in, supervisor, own_young_person, other_young_person
):
    log_in(supervisor)

    assert caseload_names(client) == [own_young_person.display_name]


def test_only_the_team_caseload_offers_a_choice_of_worker(client, log_in, case_manager, supervisor):
    log_in(case_manager)
    assert b'name="worker"' not in client.get(reverse("clients:caseload")).content

    log_in(supervisor)
    assert b'name="worker"' in client.get(reverse("clients:caseload")).content


def test_the_caseload_exports_to_csv_and_the_export_is_audited(client, log_in, case_manager, team):
    young_person = YoungPersonFactory(
        given_name="Jayden", family_name="Smith", team=team, primary_case_manager=case_manager
    )
    ContactFactory(young_person=young_person, recorded_by=case_manager,
                   started_at=NOW - timedelta(days=1))  # fmt: skip
    log_in(case_manager)

    response = client.get(reverse("clients:caseload-export"), {"q": "jay"})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Record", "Given name", "Family name"]
    assert rows[1][1:3] == ["Jayden", "Smith"]
    assert rows[1][9] == "2026-11-23 12:00"
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == case_manager
    assert export.detail == {"export": "caseload", "filters": {"q": "jay"}, "rows": 1}


@pytest.mark.parametrize("item_count", [5, 50])
def test_the_caseload_runs_a_constant_number_of_queries(
    client, log_in, case_manager, team, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        CareTeamFactory(young_person=young_person)
        ContactFactory(young_person=young_person, recorded_by=case_manager)
    log_in(case_manager)

    # user, OTP device, groups (which also answer "may they transfer caseloads?": an ICMS
    # permission is its rule's alone, User.has_perm); unread notifications; the intensity levels
    # of the filter; the caseload with its contact figures; the exit lead times and the exits
    # coming; the list read recorded in the audit trail (savepoint, insert, release)
    with django_assert_num_queries(11):
        response = client.get(CASELOAD)
    assert len(response.context["young_people"]) == item_count


# --- Timeline ---------------------------------------------------------------------------------


def timeline(client, young_person, **query):
    return client.get(reverse("clients:timeline", args=[young_person.pk]), query)


def test_the_timeline_tells_the_story_newest_first(client, log_in, case_manager, own_young_person):
    ContactFactory(young_person=own_young_person, recorded_by=case_manager,
                   started_at=NOW - timedelta(days=3), notes="First visit")  # fmt: skip
    alert = raise_alert(own_young_person, by=case_manager, kind="dog", details="Dog at the gate")
    DisclosureFactory(young_person=own_young_person, recorded_at=NOW - timedelta(days=2))
    end_alert(alert, by=case_manager, version=alert.version)
    log_in(case_manager)

    response = timeline(client, own_young_person)

    kinds = [(entry.kind, entry.ended) for entry in response.context["entries"]]
    assert kinds == [
        ("alert", True),
        ("alert", False),
        ("disclosure", False),
        ("contact", False),
        ("status", False),  # the record opened, before all of it
    ]
    assert "Alert ended" in response.text
    assert "First visit" in response.text


def test_the_timeline_shows_only_the_kinds_asked_for(
    client, log_in, case_manager, own_young_person
):
    ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    raise_alert(own_young_person, by=case_manager, kind="dog", details="")
    log_in(case_manager)

    response = timeline(client, own_young_person, kind="alert")

    assert [entry.kind for entry in response.context["entries"]] == ["alert"]


def test_the_timeline_pages_back_without_repeating_or_skipping(
    client, log_in, case_manager, own_young_person
):
    same_moment = NOW - timedelta(days=1)
    contacts = Contact.objects.bulk_create(
        Contact(
            young_person=own_young_person,
            started_at=same_moment - timedelta(hours=number // 3),
            duration_minutes=30,
            mode="phone",
            kind="outreach",
            notes=f"Contact {number}",
            after_hours=False,
            recorded_by=case_manager,
            recorded_at=NOW,
        )
        for number in range(60)
    )
    ContactWorker.objects.bulk_create(
        ContactWorker(contact=c, worker=case_manager) for c in contacts
    )
    log_in(case_manager)

    seen, query = [], {}
    while True:
        response = timeline(client, own_young_person, kind="contact", **query)
        seen += [entry.item.pk for entry in response.context["entries"]]
        if not response.context["next_key"]:
            break
        query = {"before": response.context["next_key"]}

    assert sorted(seen) == sorted(contact.pk for contact in contacts)
    assert len(seen) == len(set(seen)) == 60


def test_older_entries_come_as_a_fragment_for_htmx(client, log_in, case_manager, own_young_person):
    for _ in range(30):
        ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    log_in(case_manager)
    next_key = timeline(client, own_young_person).context["next_key"]

    response = client.get(
        reverse("clients:timeline", args=[own_young_person.pk]),
        {"before": next_key},
        HTTP_HX_REQUEST="true",
    )

    # 30 contacts and the record's opening: 25 on the first page, 6 on the second.
    assert "<html" not in response.text
    assert response.text.count('class="timeline-entry') == 6


@pytest.mark.parametrize("item_count", [10, 500])
def test_the_timeline_runs_a_constant_number_of_queries(
    client, log_in, case_manager, team, django_assert_num_queries, item_count
):
    # Every kind on the first page, at either size: the record opened after the contacts.
    young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager, created_at=NOW)
    contacts = Contact.objects.bulk_create(
        Contact(
            young_person=young_person,
            started_at=NOW - timedelta(hours=number + 1),
            duration_minutes=30,
            mode="phone",
            kind="outreach",
            notes="Checked in.",
            after_hours=False,
            recorded_by=case_manager,
            recorded_at=NOW,
        )
        for number in range(item_count)
    )
    ContactWorker.objects.bulk_create(
        ContactWorker(contact=c, worker=case_manager) for c in contacts
    )
    for _ in range(3):
        raise_alert(young_person, by=case_manager, kind="dog", details="")
        DisclosureFactory(young_person=young_person)
    log_in(case_manager)

    # user, OTP device, groups; the young person with active alerts (2); the view recorded
    # (savepoint, insert, release); the page of entries; contacts and their workers (2),
    # alerts, disclosures, the record's status changes (its opening); may the user add a contact
    # (visible?); unread notifications
    with django_assert_num_queries(16):
        response = timeline(client, young_person)
    assert len(response.context["entries"]) == min(25, item_count + 7)
