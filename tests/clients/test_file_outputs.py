"""The file's outputs (the timeline's search, the contacts CSV, the file's PDF, the contacts API)
obey restriction: a care-team member who is not a reader sees that a restricted contact exists,
not what it says; its author, the primary case manager and the supervisor read it, and each of
their reads is in the audit trail as a read of restricted content."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from clients.forms import months_before
from tests.factories import (
    CareTeamFactory,
    ContactFactory,
    CrisisEventFactory,
    UserFactory,
    YoungPersonFactory,
    api_token_for,
)

pytestmark = pytest.mark.django_db

SECRET = "Started methadone at the clinic; dose reviewed weekly."
OPEN_NOTE = "Went to the skate park and talked about school."


@pytest.fixture
def file(team, supervisor, case_manager):
    """A young person whose care team has the case manager (no reader) and the author of a
    restricted contact; the primary case manager is a third worker. Each worker by role."""
    primary = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Pat")
    author = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Alex")
    young_person = YoungPersonFactory(team=team, primary_case_manager=primary)
    for worker in (case_manager, author):
        CareTeamFactory(young_person=young_person, worker=worker)
    started_at = timezone.now() - timedelta(days=3)
    restricted = ContactFactory(
        young_person=young_person,
        recorded_by=author,
        started_at=started_at,
        notes=SECRET,
        follow_up="Ask the clinic about take-away doses.",
        kind="assessment",
        restricted_because="aod_treatment",
    )
    open_contact = ContactFactory(
        young_person=young_person,
        recorded_by=case_manager,
        started_at=started_at - timedelta(days=1),
        notes=OPEN_NOTE,
    )
    return {
        "young_person": young_person,
        "restricted": restricted,
        "open": open_contact,
        "readers": {"author": author, "primary": primary, "supervisor": supervisor},
    }


READERS = ["author", "primary", "supervisor"]


def more_restricted_contacts(file, count: int, *, by) -> list:
    return [
        ContactFactory(
            young_person=file["young_person"], recorded_by=by, restricted_because="health"
        )
        for _ in range(count)
    ]


def restricted_reads() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.READ_RESTRICTED).values_list(
            "actor__username", "object_id"
        )
    )


# --- The timeline's search --------------------------------------------------------------------


def search(client, young_person, words: str):
    return client.get(reverse("clients:timeline", args=[young_person.pk]), {"q": words})


def found(response) -> list:
    return [entry.item for entry in response.context["entries"]]


def test_a_non_reader_searching_a_word_only_in_the_restricted_note_finds_nothing(
    client, log_in, case_manager, file
):
    log_in(case_manager)

    response = search(client, file["young_person"], "methadone")

    assert found(response) == []
    assert "Nothing found." in response.text
    assert found(search(client, file["young_person"], "skate")) == [file["open"]]


@pytest.mark.parametrize("reader", READERS)
def test_the_readers_of_a_restricted_note_find_it_by_its_words(client, log_in, file, reader):
    log_in(file["readers"][reader])

    # "dosing" finds "dose" (English stemming); the follow-up is searched too
    assert found(search(client, file["young_person"], "dosing")) == [file["restricted"]]
    assert found(search(client, file["young_person"], "take-away")) == [file["restricted"]]


def test_the_search_finds_crises_by_what_happened_and_leaves_out_other_kinds(
    client, log_in, case_manager, file
):
    crisis = CrisisEventFactory(
        young_person=file["young_person"],
        recorded_by=case_manager,
        what_happened="Police found them at the skate park after midnight.",
    )
    log_in(case_manager)

    response = search(client, file["young_person"], "skate park")

    assert found(response) == [crisis, file["open"]]
    assert "The contacts and crises that say “skate park”" in response.text


def test_a_search_is_in_the_audit_trail_with_its_words(client, log_in, case_manager, file):
    log_in(case_manager)

    search(client, file["young_person"], "skate")

    (event,) = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert event.detail == {"timeline": True, "searched": "skate"}
    assert event.in_words == "Searched the timeline"
    assert restricted_reads() == []


@pytest.mark.parametrize(
    ("words", "message"),
    [("x" * 201, "at most 200 characters"), ("meth\x00adone", "Null characters are not allowed")],
)
def test_search_words_it_cannot_use_are_refused_with_a_message(
    client, log_in, case_manager, file, words, message
):
    log_in(case_manager)

    response = search(client, file["young_person"], words)

    assert response.status_code == 200
    assert message in response.text
    assert {file["restricted"], file["open"]} <= set(found(response))  # the timeline, unsearched


# --- The contacts CSV -------------------------------------------------------------------------


def contacts_csv(client, young_person) -> list[list[str]]:
    response = client.get(reverse("clients:contacts-csv", args=[young_person.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_non_reader_s_csv_shows_the_restricted_contact_exists_and_not_what_it_says(
    client, log_in, case_manager, file
):
    restricted = timezone.localtime(file["restricted"].started_at)
    log_in(case_manager)

    header, open_row, restricted_row = contacts_csv(client, file["young_person"])

    assert header[:3] == ["Date", "Start", "Minutes"]
    assert open_row[9] == OPEN_NOTE
    assert restricted_row == [
        f"{restricted:%Y-%m-%d}",
        f"{restricted:%H:%M}",
        *[""] * 6,
        str(file["readers"]["author"]),
        "Restricted",
        "",
        "",
    ]
    (export,) = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert (export.young_person_id, export.in_words) == (
        file["young_person"].pk,
        "Exported contacts (CSV)",
    )
    assert restricted_reads() == []


@pytest.mark.parametrize("reader", READERS)
def test_a_reader_s_csv_has_the_restricted_note_and_the_read_is_audited(
    client, log_in, file, reader
):
    log_in(file["readers"][reader])

    rows = contacts_csv(client, file["young_person"])

    assert rows[2][5:] == [
        "Assessment",
        "yes",
        "no",
        str(file["readers"]["author"]),
        SECRET,
        "Ask the clinic about take-away doses.",
        "no",
    ]
    assert restricted_reads() == [(file["readers"][reader].username, str(file["restricted"].pk))]


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_csv_runs_a_constant_number_of_queries(
    client, log_in, supervisor, file, django_assert_num_queries, item_count
):
    more_restricted_contacts(file, item_count, by=supervisor)
    log_in(supervisor)

    # user, authenticator, roles; the young person (visible?); the restricted contacts the
    # supervisor reads; the row count; the export's row in the trail and the restricted reads
    # (savepoint, insert, release each); as the rows stream: the contacts, their workers
    with django_assert_num_queries(14):
        assert len(contacts_csv(client, file["young_person"])) == 3 + item_count


# --- The file's PDF ---------------------------------------------------------------------------


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def file_pdf(client, young_person, **period):
    return client.get(reverse("clients:file-pdf", args=[young_person.pk]), period)


def test_a_non_reader_s_pdf_shows_the_restricted_contact_exists_and_not_what_it_says(
    client, log_in, case_manager, file
):
    log_in(case_manager)

    text = pdf_text(file_pdf(client, file["young_person"]))

    assert file["young_person"].display_name in text
    assert "Went to the skate park" in text
    assert "Restricted entry" in text
    assert "methadone" not in text
    assert "Drug and alcohol" not in text
    assert restricted_reads() == []
    (event,) = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert event.in_words == "Downloaded the file (PDF)"


@pytest.mark.parametrize("reader", READERS)
def test_a_reader_s_pdf_has_the_restricted_note_and_the_read_is_audited(
    client, log_in, file, reader
):
    log_in(file["readers"][reader])

    text = pdf_text(file_pdf(client, file["young_person"]))

    assert "Started methadone at the clinic" in text
    assert "Restricted: drug and alcohol treatment" in text
    assert restricted_reads() == [(file["readers"][reader].username, str(file["restricted"].pk))]


def test_the_pdf_holds_the_period_asked_for_the_last_three_months_by_default(
    client, log_in, case_manager, file
):
    today = timezone.localdate()
    young_person = file["young_person"]
    ContactFactory(
        young_person=young_person,
        recorded_by=case_manager,
        started_at=timezone.now() - timedelta(days=120),
        notes="Long ago: first meeting at the unit.",
    )
    CrisisEventFactory(young_person=young_person, recorded_by=case_manager, outcome="Home safe.")
    log_in(case_manager)

    recent = pdf_text(file_pdf(client, young_person))
    earlier = pdf_text(
        file_pdf(client, young_person, **{"from": f"{today - timedelta(days=150):%Y-%m-%d}"})
    )
    before = pdf_text(file_pdf(client, young_person, to=f"{today - timedelta(days=100):%Y-%m-%d}"))

    assert "Long ago" not in recent
    assert "Home safe" in recent
    assert "Long ago" in earlier
    assert "Long ago" in before
    assert "skate park" not in before


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2026-13-01"}, "Enter a valid date."),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "The period ends before it starts."),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most two years"),
        ({"to": "1990-01-01"}, "check the year"),
    ],
)
def test_a_period_it_cannot_use_is_refused_with_a_message(
    client, log_in, case_manager, file, period, message
):
    log_in(case_manager)

    response = file_pdf(client, file["young_person"], **period)

    assert response.status_code == 400
    assert message in response.text
    assert "methadone" not in response.text


def test_three_months_before_a_day_that_month_has_not_is_its_last_day():
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 2, 15), 3) == date(2025, 11, 15)


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_pdf_runs_a_constant_number_of_queries(
    client, log_in, supervisor, file, django_assert_num_queries, item_count
):
    for contact in more_restricted_contacts(file, item_count, by=supervisor):
        CrisisEventFactory(young_person=contact.young_person, recorded_by=supervisor)
    log_in(supervisor)

    # user, authenticator, roles; the young person with their team, its supervisor, division,
    # primary case manager and intensity; the care team; the contacts, their workers; the
    # crises; the unread notifications (the context processor); the restricted reads and the
    # read in the trail (savepoint, insert, release each)
    with django_assert_num_queries(15):
        assert file_pdf(client, file["young_person"]).status_code == 200


# --- The contacts API -------------------------------------------------------------------------


def api_get(client, user, url: str):
    token = api_token_for(user)
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token}")


def contacts_url(young_person, contact=None) -> str:
    if contact is None:
        return reverse("api:contact-list", args=[young_person.pk])
    return reverse("api:contact-detail", args=[young_person.pk, contact.pk])


def test_a_non_reader_gets_the_restricted_contact_through_the_api_without_its_content(
    client, case_manager, file
):
    listed = api_get(client, case_manager, contacts_url(file["young_person"]))
    one = api_get(client, case_manager, contacts_url(file["young_person"], file["restricted"]))

    assert listed.status_code == one.status_code == 200
    restricted, open_contact = listed.json()["results"]
    assert restricted == one.json()
    assert restricted | {"started_at": None, "recorded_at": None} == {
        "id": file["restricted"].pk,
        "started_at": None,
        "duration_minutes": 45,
        "after_hours": False,
        "reached_young_person": True,
        "workers": [str(file["readers"]["author"])],
        "recorded_at": None,
        "amended_at": None,
        "entered_in_error_at": None,
        "restricted": True,
        "restricted_because": None,
        "kind": None,
        "mode": None,
        "location": None,
        "notes": None,
        "follow_up": None,
        "participants": None,
    }
    assert "methadone" not in listed.text + one.text
    assert (open_contact["notes"], open_contact["restricted"]) == (OPEN_NOTE, False)
    assert restricted_reads() == []


@pytest.mark.parametrize("reader", READERS)
def test_a_reader_gets_the_restricted_contact_through_the_api_and_each_read_is_audited(
    client, file, reader
):
    user = file["readers"][reader]

    listed = api_get(client, user, contacts_url(file["young_person"]))
    one = api_get(client, user, contacts_url(file["young_person"], file["restricted"]))

    assert listed.json()["results"][0] == one.json()
    assert one.json()["notes"] == SECRET
    assert one.json()["restricted_because"] == "aod_treatment"
    assert restricted_reads() == [(user.username, str(file["restricted"].pk))] * 2


def test_the_api_answers_404_for_a_young_person_or_contact_out_of_sight(
    client, case_manager, other_young_person, file
):
    other_contact = ContactFactory(young_person=other_young_person)

    assert api_get(client, case_manager, contacts_url(other_young_person)).status_code == 404
    mixed = contacts_url(file["young_person"], other_contact)
    assert api_get(client, case_manager, mixed).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED).count() == 2


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_api_list_runs_a_constant_number_of_queries(
    client, supervisor, file, django_assert_num_queries, item_count
):
    more_restricted_contacts(file, item_count, by=supervisor)
    token = api_token_for(supervisor)

    # the token with its user, the token again (knox), the user's roles; the young person
    # (visible?); the count and the page of contacts, their workers; the read and the
    # restricted reads in the trail (savepoints, inserts, releases)
    with django_assert_num_queries(13):
        response = client.get(
            contacts_url(file["young_person"]), HTTP_AUTHORIZATION=f"Token {token}"
        )
    assert len(response.json()["results"]) == 2 + item_count
