"""Closed files are archived once their after-care is over: off the everyday lists and search,
found by the supervisor's archive search, which is audited with its purpose; an archived file
opens read-only as before, and reopening it (a re-referral, a merge) takes it out again."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from clients.models import YoungPerson
from clients.services import merge_young_people
from exits.models import FollowUp
from records.services import archive_closed_files
from records.tasks import archive_closed_files_daily
from tests.factories import YoungPersonFactory
from tests.records.conftest import close_file

pytestmark = pytest.mark.django_db

CLOSED_ON = date(2026, 3, 2)


def follow_up(closure, *, months: int, made: bool = False) -> FollowUp:
    due_on = closure.closed_on + timedelta(days=30 * months)
    return FollowUp.objects.create(
        closure=closure,
        young_person=closure.young_person,
        months=months,
        due_on=due_on,
        worker=closure.closed_by,
        **({"made_on": due_on, "made_by": closure.closed_by, "holding": "holding"} if made else {}),
    )


@pytest.fixture
def files(team, supervisor):
    """Four files of the team: closed with their follow-ups made, closed with one still to
    make, closed with none, and one open."""

    def young_person(name: str, **fields) -> YoungPerson:
        return YoungPersonFactory(given_name=name, family_name="Archer", team=team, **fields)

    followed = close_file(young_person("Followed"), on=CLOSED_ON, by=supervisor)
    for months in (1, 3):
        follow_up(followed, months=months, made=True)
    waiting = close_file(young_person("Waiting"), on=CLOSED_ON, by=supervisor)
    follow_up(waiting, months=1, made=True)
    follow_up(waiting, months=6)  # due 29 Aug 2026
    none = close_file(young_person("Unfollowed"), on=CLOSED_ON, by=supervisor)
    return {
        "followed": followed.young_person,
        "waiting": waiting.young_person,
        "none": none.young_person,
        "open": young_person("Open"),
    }


def archived(files) -> set[str]:
    return {
        name
        for name, young_person in files.items()
        if YoungPerson.objects.get(pk=young_person.pk).archived_on is not None
    }


def test_a_closed_file_is_archived_once_its_after_care_is_over(time_machine, files):
    time_machine.move_to("2026-09-01 07:20 +10:00")

    assert archive_closed_files_daily() == 2
    assert archived(files) == {"followed", "none"}

    time_machine.move_to("2026-09-29 07:20 +10:00")  # the last follow-up a month past due
    assert archive_closed_files_daily() == 0
    time_machine.move_to("2026-09-30 07:20 +10:00")
    assert archive_closed_files_daily() == 1
    assert archived(files) == {"followed", "none", "waiting"}
    assert YoungPerson.objects.get(pk=files["followed"].pk).archived_on == date(2026, 9, 1)
    assert archive_closed_files_daily() == 0  # archived once, whatever the job's runs
    rows = AuditEvent.objects.filter(action=AuditAction.CHANGE, detail__has_key="archived_on")
    assert sorted(rows.values_list("young_person_id", flat=True)) == sorted(
        files[name].pk for name in ("followed", "none", "waiting")
    )


def test_the_last_follow_up_made_ends_the_after_care(time_machine, files):
    time_machine.move_to("2026-09-01 07:20 +10:00")
    FollowUp.objects.filter(young_person=files["waiting"], made_on__isnull=True).update(
        made_on=date(2026, 8, 31),
        made_by=files["waiting"].closures.get().closed_by,
        holding="partly",
    )

    archive_closed_files(date(2026, 9, 1))

    assert "waiting" in archived(files)


@pytest.fixture
def archived_file(team, supervisor):
    young_person = YoungPersonFactory(
        given_name="Tahlia",
        family_name="Brennan",
        date_of_birth=date(2005, 8, 14),
        child_protection_number="CP-330912",
        team=team,
    )
    close_file(young_person, on=date(2024, 2, 1), by=supervisor)
    archive_closed_files(date(2024, 6, 1))
    young_person.refresh_from_db()
    return young_person


def test_an_archived_file_leaves_the_everyday_lists_and_search(
    supervisor_client, archived_file, own_young_person
):
    caseload = supervisor_client.get(reverse("clients:caseload"), {"q": "Brennan"})
    home = supervisor_client.get(reverse("home"))

    assert list(caseload.context["young_people"]) == []
    assert "Tahlia" not in caseload.text + home.text


def test_the_archive_search_finds_it_and_records_why(supervisor_client, archived_file):
    response = supervisor_client.get(
        reverse("records:archive"),
        {"q": "tahl bren", "purpose": "A care leaver asks for her file"},
    )

    assert [each.pk for each in response.context["found"]] == [archived_file.pk]
    assert "Tahlia Brennan" in response.text
    assert "14 Aug 2005" in response.text
    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.detail["list"] == "archive_search"
    assert search.detail["purpose"] == "A care leaver asks for her file"
    assert search.detail["found"] == [archived_file.pk]
    assert search.in_words == "Searched the archive of closed files"


@pytest.mark.parametrize(
    "criteria",
    [{"q": "CP-330912"}, {"born": "2005-08-14"}, {"q": "Brennan", "born": "2005-08-14"}],
    ids=["CP number", "date of birth", "both"],
)
def test_the_archive_is_searched_by_number_or_birth_date(
    supervisor_client, archived_file, criteria
):
    response = supervisor_client.get(
        reverse("records:archive"), {**criteria, "purpose": "A subpoena"}
    )

    assert [each.pk for each in response.context["found"]] == [archived_file.pk]


def test_a_search_without_its_purpose_shows_nothing_and_is_not_made(
    supervisor_client, archived_file
):
    response = supervisor_client.get(reverse("records:archive"), {"q": "Brennan"})

    assert response.context["found"] is None
    assert "Tahlia" not in response.text
    assert "This field is required" in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_a_search_needs_something_to_search_by(supervisor_client, archived_file):
    response = supervisor_client.get(reverse("records:archive"), {"purpose": "Curious"})

    assert response.context["found"] is None
    assert "Give a name, a child protection number or a birth date." in response.text


def test_the_archive_holds_only_the_teams_archived_files(
    supervisor_client, supervisor, archived_file, other_team
):
    elsewhere = YoungPersonFactory(family_name="Brennan", team=other_team)
    close_file(elsewhere, on=date(2024, 2, 1), by=supervisor)
    in_after_care = YoungPersonFactory(family_name="Brennan", team=archived_file.team)
    follow_up(close_file(in_after_care, on=date(2024, 5, 1), by=supervisor), months=1)
    archive_closed_files(date(2024, 6, 1))  # the other team's; not the one in after-care

    response = supervisor_client.get(
        reverse("records:archive"), {"q": "Brennan", "purpose": "A subpoena"}
    )

    assert [each.pk for each in response.context["found"]] == [archived_file.pk]


def test_an_archived_file_opens_read_only_saying_so(supervisor_client, archived_file):
    record = supervisor_client.get(reverse("clients:detail", args=[archived_file.pk]))

    assert record.status_code == 200
    assert "Closed file: read only." in record.text
    assert "Archived on 1 Jun 2024" in record.text


def test_a_case_manager_cannot_search_the_archive(client, log_in, case_manager, archived_file):
    log_in(case_manager)

    assert (
        client.get(reverse("records:archive"), {"q": "Brennan", "purpose": "x"}).status_code == 403
    )


def test_a_duplicate_merged_into_an_archived_file_reopens_it(supervisor, team, archived_file):
    duplicate = YoungPersonFactory(given_name="Tahlia", family_name="Brenan", team=team)

    merge_young_people(archived_file, duplicate, by=supervisor, reason="The same young woman")

    archived_file.refresh_from_db()
    assert (archived_file.status, archived_file.archived_on) == ("active", None)


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_archive_search_runs_a_constant_number_of_queries(
    supervisor_client, team, supervisor, django_assert_num_queries, item_count
):
    for number in range(item_count):
        close_file(
            YoungPersonFactory(family_name="Brennan", team=team, given_name=f"Number{number}"),
            on=date(2024, 2, 1),
            by=supervisor,
        )
    archive_closed_files(date(2024, 6, 1))

    # user, OTP device, groups; the archived files found, with their teams and last closing;
    # unread notifications; the search recorded (savepoint, insert, release)
    with django_assert_num_queries(8):
        response = supervisor_client.get(
            reverse("records:archive"), {"q": "Brennan", "purpose": "An access request"}
        )
    assert len(response.context["found"]) == item_count
