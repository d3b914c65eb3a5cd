"""The audit trail answers "who looked at this young person": searched by their name or child
protection number, each line says in words what was viewed or exported, and repeated reads of
one page by one person on one day are one line with how many and from when to when."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.services import record
from tests.factories import UserFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MELBOURNE)


def read(user, young_person, moment: datetime, *, page: str = "", **detail) -> AuditEvent:
    """A read of the young person's record (or of `page` about them) as audit.middleware
    records it."""
    request = RequestFactory().get(page or f"/young-people/{young_person.pk}/")
    with time_machine.travel(moment, tick=False):
        return record(
            AuditAction.VIEW, actor=user, obj=young_person, request=request, detail=detail or None
        )


@pytest.fixture
def jayden(team):
    return YoungPersonFactory(
        given_name="Jayden", family_name="Marrowby", child_protection_number="CP-800123", team=team
    )


def lines(response) -> list[str]:
    return [
        " ".join(row.split())
        for row in response.text.split('<td data-label="Did">')[1:]
        for row in [row.split("</td>")[0]]
    ]


@pytest.mark.parametrize("search", ["Jayden", "marrowby", "CP-800123", "jay marr"])
def test_the_system_owner_finds_who_looked_at_a_young_person_by_name_or_number(
    client, log_in, administrator, case_manager, jayden, other_young_person, search
):
    read(case_manager, jayden, at(24, 9, 12))
    read(case_manager, other_young_person, at(24, 9, 30))
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"who": search})

    assert [event.young_person_id for event in response.context["events"]] == [jayden.pk]
    search_row = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search_row.detail == {"audit_trail": {"who": search}}


def test_repeated_reads_of_one_page_are_one_line_with_a_count_in_words(
    client, log_in, administrator, case_manager, supervisor, jayden
):
    for hour, minute in [(9, 12), (10, 5), (11, 0), (12, 30), (14, 15), (15, 50), (16, 40)]:
        read(case_manager, jayden, at(24, hour, minute))
    read(case_manager, jayden, at(24, 16, 45), page=f"/young-people/{jayden.pk}/timeline/",
         timeline=True)  # fmt: skip
    read(supervisor, jayden, at(24, 17, 0))
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"who": "Jayden"})

    assert lines(response) == [
        "Viewed the record",
        "Viewed the timeline",
        "Viewed the record ×7, 09:12–16:40",  # noqa: RUF001 - as the page writes it
    ]
    assert [event.fold_count for event in response.context["events"]] == [1, 1, 7]


def test_reads_fold_only_when_one_follows_the_other_on_one_day(
    client, log_in, administrator, case_manager, supervisor, jayden
):
    read(case_manager, jayden, at(24, 16, 0))
    read(case_manager, jayden, at(24, 17, 0))
    read(supervisor, jayden, at(24, 17, 30))  # someone else in between
    read(case_manager, jayden, at(24, 18, 0))
    read(case_manager, jayden, at(25, 8, 0))  # the next day
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"who": "Jayden"})

    assert [event.fold_count for event in response.context["events"]] == [1, 1, 1, 2]


def test_an_export_says_what_was_exported(client, log_in, administrator, supervisor):
    with time_machine.travel(at(24, 10, 0), tick=False):
        record(AuditAction.EXPORT, actor=supervisor, detail={"export": "contacts-7"})
        record(AuditAction.EXPORT, actor=supervisor, detail={"export": "caseload"})
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"username": "supervisor"})

    assert lines(response) == ["Exported caseload (CSV)", "Exported contacts (CSV)"]


def test_a_supervisor_searching_for_another_teams_young_person_finds_nothing(
    client, log_in, supervisor, case_manager, other_young_person
):
    read(case_manager, other_young_person, at(24, 9, 0))  # a refused try would read the same
    log_in(supervisor)

    response = client.get(reverse("audit:trail"), {"who": other_young_person.given_name})

    assert response.context["events"] == []


def test_folded_pages_go_back_without_repeating_or_skipping_in_constant_queries(
    client, log_in, administrator, jayden, django_assert_max_num_queries
):
    workers = UserFactory.create_batch(3)
    expected = []
    for n in range(60):  # runs of one to three reads, by turns
        worker = workers[n % 3]
        run = [read(worker, jayden, at(20 + n // 20, 8 + (n % 20) // 2, 3 * (n % 2) * 10 + i))
               for i in range(n % 3 + 1)]  # fmt: skip
        expected.append((run[-1].pk, len(run)))
    expected.reverse()
    log_in(administrator)

    seen, query = [], {"who": "Jayden"}
    while True:
        with django_assert_max_num_queries(12):
            response = client.get(reverse("audit:trail"), query)
        seen += [(event.pk, event.fold_count) for event in response.context["events"]]
        if not response.context["next_key"]:
            break
        query["before"] = response.context["next_key"]

    assert seen == expected


def test_a_run_longer_than_the_rows_a_page_reads_goes_on_on_the_next_page(
    client, log_in, administrator, case_manager, supervisor, jayden, monkeypatch
):
    monkeypatch.setattr("audit.queries.FOLD_WINDOW", 4)
    read(supervisor, jayden, at(24, 8, 0))
    rows = [read(case_manager, jayden, at(24, 9, minute)) for minute in range(10)]
    log_in(administrator)

    seen, query = [], {"who": "Jayden"}
    while True:
        response = client.get(reverse("audit:trail"), query)
        seen += [(event.pk, event.fold_count) for event in response.context["events"]]
        if not response.context["next_key"]:
            break
        query["before"] = response.context["next_key"]

    assert sum(count for _, count in seen) == 11
    assert seen[0][0] == rows[-1].pk
    assert len({pk for pk, _ in seen}) == len(seen)
