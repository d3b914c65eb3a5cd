"""Restricted contact notes: who reads them, what the others see, and the audit of each read."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from audit.services import record_answer
from clients.models import Contact
from clients.services import amend_contact
from tests.factories import CareTeamFactory, ContactFactory, CrisisEventFactory, UserFactory
from toolkit.access import shows_restricted_content

pytestmark = pytest.mark.django_db

SECRET = "Started naloxone training; methadone dose stays at 40 mg"


@pytest.fixture
def author(team, care_team_young_person):
    """A drug and alcohol clinician of the team, in the young person's care team."""
    worker = UserFactory(role=Role.CASE_MANAGER, team=team)
    CareTeamFactory(young_person=care_team_young_person, worker=worker)
    return worker


@pytest.fixture
def named_reader(team, care_team_young_person):
    worker = UserFactory(role=Role.CASE_MANAGER, team=team)
    CareTeamFactory(young_person=care_team_young_person, worker=worker)
    return worker


@pytest.fixture
def note(care_team_young_person, author, named_reader):
    """The clinician's restricted note; the case manager (care team) is not one of its readers."""
    contact = ContactFactory(
        young_person=care_team_young_person,
        recorded_by=author,
        notes=SECRET,
        restricted_because="aod_treatment",
    )
    contact.restricted_readers.set([named_reader])
    return contact


def read_rows(entry, actor=None):
    rows = AuditEvent.objects.filter(
        action=AuditAction.READ_RESTRICTED,
        object_type=entry._meta.label_lower,
        object_id=str(entry.pk),
    )
    return rows.filter(actor=actor) if actor else rows


def timeline_url(young_person) -> str:
    return reverse("clients:timeline", args=[young_person.pk])


def detail_url(contact) -> str:
    return reverse("clients:contact-detail", args=[contact.young_person_id, contact.pk])


# --- The audit of reads (toolkit.access.shows_restricted_content) -----------------------------


def test_an_answer_records_one_read_per_restricted_entry_it_showed(author, note, own_young_person):
    open_note = ContactFactory(young_person=own_young_person)
    request = RequestFactory().get("/some/page/")
    request.user = author

    shows_restricted_content(request, [note, open_note, note])
    record_answer(request, _answer(200))

    rows = list(read_rows(note))
    assert [(row.actor, row.path) for row in rows] == [(author, "/some/page/")]
    assert not read_rows(open_note).exists(), "an entry that is not restricted is no such read"


def test_an_answer_that_is_refused_records_no_read(author, note):
    request = RequestFactory().get("/some/page/")
    request.user = author

    shows_restricted_content(request, [note])
    record_answer(request, _answer(403))

    assert not read_rows(note).exists()


def _answer(status):
    from django.http import HttpResponse

    return HttpResponse(status=status)


# --- What each person sees -------------------------------------------------------------------

READERS = ["author", "primary_case_manager", "supervisor", "named_reader"]


def _reader(request, who, young_person):
    if who == "primary_case_manager":
        return young_person.primary_case_manager
    return request.getfixturevalue(who)


@pytest.mark.parametrize("page", ["timeline", "detail"])
def test_a_care_team_member_who_is_not_a_reader_sees_that_it_exists_not_what_it_says(
    client, log_in, case_manager, note, page
):
    log_in(case_manager)

    response = client.get(
        timeline_url(note.young_person) if page == "timeline" else detail_url(note)
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in text
    assert "Restricted entry" in text
    assert "Drug and alcohol treatment" not in text, "the reason too says what it is about"
    assert "Outreach support" not in text, "nor does its kind"
    assert str(note.recorded_by) in text, "who wrote it shows"
    assert not read_rows(note).exists()


@pytest.mark.parametrize("page", ["timeline", "detail"])
@pytest.mark.parametrize("who", READERS)
def test_its_readers_read_it_and_each_read_is_audited(request, client, log_in, note, page, who):
    reader = _reader(request, who, note.young_person)
    log_in(reader)

    response = client.get(
        timeline_url(note.young_person) if page == "timeline" else detail_url(note)
    )

    text = response.content.decode()
    assert SECRET[:40] in text
    assert "Restricted: drug and alcohol treatment" in text
    assert read_rows(note, reader).count() == 1


def test_earlier_versions_of_a_restricted_contact_stay_with_its_readers(
    client, log_in, case_manager, author, note
):
    days_ago = timezone.now() - timedelta(days=3)
    Contact.objects.filter(pk=note.pk).update(started_at=days_ago, recorded_at=days_ago)
    note.refresh_from_db()
    amend_contact(note, by=author, version=note.version, notes="Dose now 30 mg.")

    log_in(case_manager)
    stub = client.get(detail_url(note)).content.decode()
    log_in(author)
    full = client.get(detail_url(note)).content.decode()

    assert SECRET not in stub
    assert "Dose now 30 mg." not in stub
    assert "Earlier versions" in full
    assert SECRET in full


def test_the_timeline_runs_as_many_queries_with_one_restricted_note_as_with_three(
    client, log_in, supervisor, care_team_young_person, author, django_assert_num_queries
):
    for round_ in range(2):
        for _ in range(1 if round_ == 0 else 2):
            ContactFactory(
                young_person=care_team_young_person,
                recorded_by=author,
                restricted_because="health",
            )
        log_in(supervisor)
        # user, OTP device, groups; the young person with active alerts (2); the page of
        # entries; the care team's allocation; contacts (readable, annotated) with their workers
        # (2); status changes; may the user add a contact; unread notifications; the reads of
        # restricted content (savepoint, one insert of every row, release); the view recorded
        # (savepoint, insert, release)
        with django_assert_num_queries(18):
            response = client.get(timeline_url(care_team_young_person))
        assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.READ_RESTRICTED).count() == 1 + 3


# --- Marking, changing and lifting ------------------------------------------------------------


def _contact_data(**changes) -> dict:
    return {
        "client_reference": str(uuid.uuid4()),
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "45",
        "mode": "face",
        "location": "community",
        "kind": "outreach",
        "reached_young_person": "on",
        "notes": SECRET,
        "follow_up": "",
    } | changes


def test_the_author_restricts_a_contact_when_logging_it_and_names_a_reader(
    client, log_in, author, named_reader, care_team_young_person
):
    log_in(author)

    response = client.post(
        reverse("clients:contact-create", args=[care_team_young_person.pk]),
        _contact_data(restricted_because="aod_treatment", restricted_readers=[named_reader.pk]),
    )

    contact = Contact.objects.get(notes=SECRET)
    assert response.status_code == 302
    assert contact.restricted_because == "aod_treatment"
    assert list(contact.restricted_readers.all()) == [named_reader]
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(contact.pk))
    assert created.detail == {"restricted": "aod_treatment", "readers": [named_reader.pk]}


def test_a_reader_from_outside_the_team_cannot_be_named(
    client, log_in, author, other_team_case_manager, care_team_young_person
):
    log_in(author)

    response = client.post(
        reverse("clients:contact-create", args=[care_team_young_person.pk]),
        _contact_data(restricted_because="health", restricted_readers=[other_team_case_manager.pk]),
    )

    assert response.status_code == 200
    assert "Also readable by" in response.content.decode()
    assert not Contact.objects.filter(notes=SECRET).exists()


def test_the_contact_form_offers_only_the_team_as_readers(
    client, log_in, author, other_team_case_manager, care_team_young_person
):
    log_in(author)

    form = client.get(reverse("clients:contact-create", args=[care_team_young_person.pk])).context[
        "form"
    ]

    readers = set(form.fields["restricted_readers"].queryset)
    assert other_team_case_manager not in readers
    assert author not in readers
    assert readers
    assert {reader.team_id for reader in readers} == {author.team_id}


def test_the_author_restricts_a_contact_later_without_amending_it(
    client, log_in, author, care_team_young_person
):
    days_ago = (timezone.now() - timedelta(days=3)).replace(second=0, microsecond=0)
    contact = ContactFactory(
        young_person=care_team_young_person,
        recorded_by=author,
        started_at=days_ago,
        recorded_at=days_ago,
    )
    log_in(author)

    client.post(
        reverse("clients:contact-edit", args=[care_team_young_person.pk, contact.pk]),
        _contact_data(
            notes=contact.notes,
            started_at=timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
            version=contact.version,
            restricted_because="health",
        )
        | {"client_reference": ""},
    )

    contact.refresh_from_db()
    assert contact.restricted_because == "health"
    assert contact.amended_at is None, "restricting it changes nothing it says"
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_id=str(contact.pk), detail__restricted="health"
    ).exists()


def test_the_primary_case_manager_lifts_a_restriction_and_it_is_audited(client, log_in, note):
    primary = note.young_person.primary_case_manager
    log_in(primary)

    client.post(
        reverse("clients:contact-restriction", args=[note.young_person_id, note.pk]),
        {"restricted_because": ""},
    )

    note.refresh_from_db()
    assert not note.is_restricted
    assert not note.restricted_readers.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE,
        actor=primary,
        object_id=str(note.pk),
        detail__restricted="lifted",
    ).exists()


def test_a_care_team_member_who_did_not_write_it_can_neither_lift_nor_restrict_it(
    client, log_in, case_manager, note
):
    log_in(case_manager)
    url = reverse("clients:contact-restriction", args=[note.young_person_id, note.pk])

    lift = client.post(url, {"restricted_because": ""})
    change = client.post(url, {"restricted_because": "health"})

    note.refresh_from_db()
    assert (lift.status_code, change.status_code) == (403, 403)
    assert note.restricted_because == "aod_treatment"


def test_the_supervisor_sees_who_read_it_and_from_which_page(
    client, log_in, supervisor, named_reader, case_manager, note
):
    log_in(named_reader)
    client.get(timeline_url(note.young_person))
    log_in(case_manager)
    client.get(detail_url(note))
    log_in(supervisor)

    response = client.get(reverse("clients:contact-reads", args=[note.young_person_id, note.pk]))

    reads = response.context["reads"]
    assert [(row.actor, row.action) for row in reads] == [
        (case_manager, AuditAction.VIEW),
        (named_reader, AuditAction.READ_RESTRICTED),
    ]
    assert timeline_url(note.young_person) in response.content.decode()


def test_the_record_page_lists_a_restricted_crisis_without_who_raised_it(
    client, log_in, case_manager, care_team_young_person
):
    CrisisEventFactory(
        young_person=care_team_young_person, restricted_because="sexual_exploitation",
        caller_relationship="police",
    )  # fmt: skip
    log_in(case_manager)

    text = client.get(reverse("clients:detail", args=[care_team_young_person.pk])).content.decode()

    assert "raised by police" not in text
    assert "restricted" in text


def test_the_demo_has_a_restricted_note_that_casey_sees_only_exists(client, log_in, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    note = Contact.objects.exclude(restricted_because="").select_related("young_person").get()
    url = timeline_url(note.young_person)

    log_in(User.objects.get(username="cm.demo"))
    stub = client.get(url).content.decode()
    log_in(User.objects.get(username="cm3.demo"))
    full = client.get(url).content.decode()

    assert "Restricted entry" in stub
    assert "low mood" not in stub
    assert "low mood" in full


def test_the_record_counts_a_restricted_note_but_never_shows_what_it_says(
    client, log_in, case_manager, note
):
    log_in(case_manager)

    page = client.get(reverse("clients:detail", args=[note.young_person_id])).content.decode()

    assert SECRET not in page
    assert "1 contact this fortnight" in page  # that it exists: it counts
    assert not read_rows(note).exists()
