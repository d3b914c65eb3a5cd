"""The young person's own file, released: the team's supervisor, with a recorded reason,
produces the whole file as a PDF and a zip of its documents; third-party and restricted
information is listed for redaction first, and what was withheld keeps its place in the copy.
The release is kept as released, audited and listed."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from clients.models import Contact, YoungPerson
from documents.models import Document
from exits.models import Closure, FollowUp
from records.models import FileRelease
from records.release import file_to_release, redaction_list, whole_file
from register.services import list_young_person
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    CrisisEventFactory,
    DisclosureFactory,
    DocumentFactory,
    DocumentVersionFactory,
    FileReleaseFactory,
    GoalFactory,
    KeyPersonFactory,
    OutcomeReviewFactory,
    ProfessionalFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Identity",
    "Episodes",
    "Case plans and reviews",
    "Crisis plan",
    "Exit plan",
    "Outcome reviews",
    "Contacts",
    "Crises",
    "Register reviews",
    "Documents",
    "Key people and professionals",
    "Disclosures",
]
REQUEST = {
    "purpose": "care_leaver",
    "requested_by": "Noah, now 19",
    "released_to": "Noah, by hand at the office",
    "reason": "Asked for his file on leaving care (letter of 2 Dec).",
}
RESTRICTED_WORDS = "Mental health review with Noah"


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def release_page(client, young_person):
    return client.get(reverse("records:release", args=[young_person.pk]))


def release(client, young_person, **data):
    return client.post(reverse("records:release", args=[young_person.pk]), REQUEST | data)


def defaults_ticked(page) -> list[str]:
    """The redaction list's items ticked when the page opens."""
    return [item.key for item, ticked in page.context["form"].rows() if ticked]


# --- The demo's file, released whole ---------------------------------------------------------


def test_the_whole_file_of_a_demo_young_person_is_released_as_a_pdf_and_a_zip(
    settings, client, log_in
):
    settings.DEBUG = True
    call_command("seed_demo")
    sam = User.objects.get(username="sup.demo")
    noah = YoungPerson.objects.get(given_name="Noah", family_name="Martin")
    log_in(sam)

    page = release_page(client, noah)
    withheld = defaults_ticked(page)
    restricted = Contact.objects.get(young_person=noah, restricted_because="health")
    response = release(client, noah, withheld=withheld)

    made = FileRelease.objects.get(young_person=noah)
    assert response.url == reverse("records:release-detail", args=[made.pk])
    assert withheld == [f"contact:{restricted.pk}"]
    pdf = client.get(reverse("records:release-pdf", args=[made.pk]))
    text = pdf_text(downloaded(pdf))
    for heading in SECTIONS:
        assert heading in text
    assert "The file of Noah Martin" in text
    assert "Noah, by hand at the office" in text
    assert "Withheld items are marked" in text
    assert "[Withheld: restricted — health]" in text
    assert RESTRICTED_WORDS not in text
    # the other contacts are there, in full
    assert noah.contacts.exclude(pk=restricted.pk).first().notes.split()[0] in text
    documents = client.get(reverse("records:release-documents", args=[made.pk]))
    with zipfile.ZipFile(io.BytesIO(downloaded(documents))) as bundle:
        names = bundle.namelist()
        listed = bundle.read("contents.txt").decode()
    assert len(names) == 1 + noah.documents.count() == 4
    assert "Consent to share information with school" in listed
    (export,) = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(made.pk))
    assert (export.actor, export.young_person_id) == (sam, noah.pk)
    assert export.in_words == "Released the file to Noah, by hand at the office"
    assert export.detail["released_to"] == "Noah, by hand at the office"
    assert export.detail["reason"] == REQUEST["reason"]
    assert export.detail["withheld"] == withheld
    listing = client.get(reverse("records:young-person-releases", args=[noah.pk])).text
    assert "Released to Noah, by hand at the office" in listing
    assert "A care leaver asking for their file" in listing


def test_the_demo_has_a_release_for_the_supervisor_to_see(settings, client, log_in):
    settings.DEBUG = True
    call_command("seed_demo")
    jay = YoungPerson.objects.get(given_name="Jayden", family_name="Smith")
    log_in(User.objects.get(username="sup.demo"))

    record = client.get(reverse("clients:detail", args=[jay.pk])).text
    listing = client.get(reverse("records:young-person-releases", args=[jay.pk])).text

    assert reverse("records:young-person-releases", args=[jay.pk]) in record
    assert "Released to Registry, Children&#x27;s Court" in listing
    (made,) = FileRelease.objects.filter(young_person=jay)
    withheld = {item["kind"] for item in made.withheld}
    assert withheld == {"document", "key_person"}
    detail = client.get(reverse("records:release-detail", args=[made.pk])).text
    assert "CAMHS" not in pdf_text(made.pdf.read())
    assert "Restricted — health" in detail


# --- The redaction list --------------------------------------------------------------------


@pytest.fixture
def full_file(own_young_person, case_manager, supervisor, practitioner):
    """The case manager's young person with one of everything the redaction list lists."""
    young_person = own_young_person
    mother = KeyPersonFactory(
        young_person=young_person, name="Dana Whitlock", relationship="mother"
    )
    plan = CasePlanFactory(young_person=young_person, number=1, status="current")
    TaskFactory(
        goal=GoalFactory(plan=plan),
        description="Visit Nan on Sundays",
        responsible="key_person",
        key_person=mother,
    )
    return {
        "young_person": young_person,
        "mother": mother,
        "professional": ProfessionalFactory(young_person=young_person, name="Dr Ilse Brandt"),
        "disclosure": DisclosureFactory(young_person=young_person),
        "family_contact": ContactFactory(
            young_person=young_person,
            recorded_by=case_manager,
            participants=["family"],
            notes="Talked with mum about the weekend.",
        ),
        "own_contact": ContactFactory(
            young_person=young_person, recorded_by=case_manager, notes="Went bowling."
        ),
        "restricted_crisis": CrisisEventFactory(
            young_person=young_person,
            recorded_by=case_manager,
            restricted_because="sexual_exploitation",
            what_happened="Found at the Station St flat.",
        ),
        "report": DocumentFactory(
            young_person=young_person, title="Psych report from Orygen", added_by=case_manager
        ),
        "order": DocumentFactory(
            young_person=young_person,
            kind="court_order",
            title="Care by Secretary order",
            added_by=case_manager,
        ),
    }


def test_the_redaction_list_names_the_third_party_and_restricted_information(
    client, log_in, supervisor, full_file
):
    log_in(supervisor)

    page = release_page(client, full_file["young_person"])

    rows = {item.key: (item.why, ticked) for item, ticked in page.context["form"].rows()}
    assert rows == {
        f"contact:{full_file['family_contact'].pk}": (
            "Third-party information: family present",
            False,
        ),
        f"crisis:{full_file['restricted_crisis'].pk}": (
            "Restricted — sexual exploitation",
            True,
        ),
        f"document:{full_file['report'].pk}": (
            "Third-party information: provided by Northside Secondary College (Ms Park)",
            False,
        ),
        f"key_person:{full_file['mother'].pk}": (
            "Third-party information: the name and details of family or a significant other",
            False,
        ),
        f"professional:{full_file['professional'].pk}": (
            "Third-party information: a professional's name and details",
            False,
        ),
        f"disclosure:{full_file['disclosure'].pk}": (
            "Third-party information: shared with "
            f"{full_file['disclosure'].recipient_organisation}",
            False,
        ),
    }
    assert "Went bowling" not in page.text  # the list names, it does not quote


def test_withheld_items_keep_their_place_and_leave_the_zip(client, log_in, supervisor, full_file):
    log_in(supervisor)
    withheld = [
        f"crisis:{full_file['restricted_crisis'].pk}",
        f"key_person:{full_file['mother'].pk}",
        f"document:{full_file['report'].pk}",
        f"contact:{full_file['family_contact'].pk}",
    ]

    release(client, full_file["young_person"], withheld=withheld)

    made = FileRelease.objects.get()
    text = pdf_text(made.pdf.read())
    assert "Went bowling" in text
    assert "Talked with mum" not in text
    assert "Station St" not in text
    assert "Dana Whitlock" not in text
    assert "Psych report from Orygen" not in text
    assert "[Withheld: restricted — sexual exploitation]" in text
    assert text.count("[Withheld: third-party information]") == 4  # with the task naming mum
    assert "Visit Nan on Sundays" in text
    assert "Dr Ilse Brandt" in text
    with zipfile.ZipFile(made.documents_zip) as bundle:
        assert bundle.namelist() == ["02-report.pdf", "contents.txt"]
        listed = bundle.read("contents.txt").decode()
    assert "01. [Withheld: third-party information]" in listed
    assert "02. Care by Secretary order (Court order" in listed
    assert [item["kind"] for item in made.withheld] == [
        "contact",
        "crisis",
        "document",
        "key_person",
    ]
    assert made.contents["documents in the zip"] == 1


def test_a_document_added_in_error_or_restricted_stays_out_of_the_zip(
    client, log_in, supervisor, case_manager, own_young_person
):
    DocumentFactory(young_person=own_young_person, kind="assessment", added_by=case_manager)
    DocumentFactory(
        young_person=own_young_person,
        kind="assessment",
        added_by=case_manager,
        in_error_at=timezone.now(),
        in_error_reason="Another young person's",
    )
    DocumentFactory(
        young_person=own_young_person,
        kind="assessment",
        added_by=case_manager,
        restricted_because="health",
    )
    log_in(supervisor)
    page = release_page(client, own_young_person)

    release(client, own_young_person, withheld=defaults_ticked(page))

    with zipfile.ZipFile(FileRelease.objects.get().documents_zip) as bundle:
        assert bundle.namelist() == ["01-report.pdf", "contents.txt"]
        listed = bundle.read("contents.txt").decode()
    assert "not included, added in error" in listed
    assert "03. [Withheld: restricted — health]" in listed


def test_restricted_content_the_user_may_not_read_is_always_withheld(
    case_manager, care_team_young_person
):
    restricted = ContactFactory(young_person=care_team_young_person, restricted_because="health")
    young_person = file_to_release(YoungPerson.objects.all()).get(pk=care_team_young_person.pk)

    (item,) = redaction_list(whole_file(young_person, case_manager))

    assert (item.key, item.always) == (f"contact:{restricted.pk}", True)


# --- Refused, with nothing written ----------------------------------------------------------


def test_a_release_without_its_reasons_is_refused_and_nothing_is_written(
    client, log_in, supervisor, own_young_person
):
    log_in(supervisor)

    response = client.post(reverse("records:release", args=[own_young_person.pk]), {})

    assert response.status_code == 200
    for message in [
        "Choose why the file is released.",
        "Say who asked for the file.",
        "Say who receives the copy.",
        "Give the reason: the request or order, and what allows it.",
    ]:
        assert message in response.text
    assert not FileRelease.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"withheld": ["contact:999999"]},
        {"withheld": ["nonsense"]},
        {"purpose": "a whim"},
        {"released_to": "x\x00y"},
        {"reason": "x" * 4001},
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    client, log_in, supervisor, own_young_person, bad
):
    log_in(supervisor)

    response = release(client, own_young_person, **bad)

    assert response.status_code == 200
    assert 'class="alert alert-danger' in response.text or "invalid-feedback" in response.text
    assert not FileRelease.objects.exists()


def test_case_managers_and_practitioners_cannot_release_or_see_releases(
    client, log_in, case_manager, practitioner, supervisor, own_young_person
):
    made = FileReleaseFactory(young_person=own_young_person, released_by=supervisor)
    pages = [
        reverse("records:release-detail", args=[made.pk]),
        reverse("records:release-pdf", args=[made.pk]),
        reverse("records:release-documents", args=[made.pk]),
    ]

    log_in(case_manager)
    assert release_page(client, own_young_person).status_code == 403
    assert release(client, own_young_person).status_code == 403
    listing = client.get(reverse("records:young-person-releases", args=[own_young_person.pk]))
    assert listing.status_code == 403
    assert [client.get(url).status_code for url in pages] == [404, 404, 404]
    assert (
        "releases-heading"
        not in client.get(reverse("clients:detail", args=[own_young_person.pk])).text
    )
    log_in(practitioner)
    assert release(client, own_young_person).status_code == 404
    assert [client.get(url).status_code for url in pages] == [404, 404, 404]
    assert FileRelease.objects.count() == 1


def test_a_closed_file_is_released_too(client, log_in, supervisor, own_young_person):
    own_young_person.status = YoungPerson.Status.CLOSED
    own_young_person.save(update_fields=["status"])
    Closure.objects.create(
        young_person=own_young_person,
        began_on=date(2025, 3, 1),
        closed_on=date(2026, 1, 20),
        closed_by=supervisor,
        reason="turned_18",
        destination="independent",
    )
    log_in(supervisor)

    response = release(client, own_young_person)

    made = FileRelease.objects.get()
    assert response.url == reverse("records:release-detail", args=[made.pk])
    text = pdf_text(made.pdf.read())
    assert "20 Jan 2026" in text
    assert "Turned 18" in text


def test_the_form_sent_twice_releases_the_file_once(client, log_in, supervisor, own_young_person):
    log_in(supervisor)
    reference = release_page(client, own_young_person).context["form"]["client_reference"].value()

    first = release(client, own_young_person, client_reference=reference)
    again = release(client, own_young_person, client_reference=reference)

    made = FileRelease.objects.get()
    assert first.url == again.url == reverse("records:release-detail", args=[made.pk])
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


# --- The copy as released ------------------------------------------------------------------


def test_the_copy_downloads_as_an_attachment_and_each_download_is_audited(
    client, log_in, supervisor, own_young_person
):
    made = FileReleaseFactory(young_person=own_young_person, released_by=supervisor)
    log_in(supervisor)
    last = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0

    pdf = client.get(reverse("records:release-pdf", args=[made.pk]))
    documents = client.get(reverse("records:release-documents", args=[made.pk]))

    assert pdf["Content-Type"] == "application/pdf"
    assert documents["Content-Type"] == "application/zip"
    for response, extension in ((pdf, "pdf"), (documents, "zip")):
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Disposition"].endswith(f'.{extension}"')
        assert response["X-Content-Type-Options"] == "nosniff"
    reads = AuditEvent.objects.filter(id__gt=last, action=AuditAction.VIEW).order_by("id")
    assert [(event.in_words, event.young_person_id) for event in reads] == [
        ("Downloaded a released copy of the file (PDF)", own_young_person.pk),
        ("Downloaded the documents of a released copy of the file (zip)", own_young_person.pk),
    ]


# --- Constant query counts -----------------------------------------------------------------


def fill(young_person, worker, coordinator, count: int) -> None:
    """`count` of each part of the file, each with its own parts."""
    entry = list_young_person(
        young_person, by=coordinator, listed_on=date(2026, 11, 2), risk_factors=["absconding"]
    )
    assert entry.reviews.exists()
    for number in range(1, count + 1):
        plan = CasePlanFactory(
            young_person=young_person,
            number=number,
            status="current" if number == count else "superseded",
        )
        goal = GoalFactory(plan=plan)
        TaskFactory(goal=goal, responsible="key_person", key_person=KeyPersonFactory(
            young_person=young_person
        ))  # fmt: skip
        ContactFactory(young_person=young_person, recorded_by=worker, participants=["family"])
        ContactFactory(young_person=young_person, recorded_by=worker, restricted_because="health")
        CrisisEventFactory(young_person=young_person, recorded_by=worker)
        DocumentFactory(young_person=young_person, added_by=worker)
        ProfessionalFactory(young_person=young_person)
        DisclosureFactory(young_person=young_person)
        OutcomeReviewFactory(
            young_person=young_person,
            reviewed_by=worker,
            reviewed_on=timezone.localdate() - timedelta(days=number),
        )
        closure = Closure.objects.create(
            young_person=young_person,
            began_on=date(2025, number, 1),
            closed_on=date(2025, number, 20),
            closed_by=worker,
            reason="goals_achieved",
            destination="parent",
        )
        FollowUp.objects.create(
            closure=closure,
            young_person=young_person,
            months=1,
            due_on=date(2025, number + 1, 20),
            worker=worker,
            made_on=date(2025, number + 1, 21),
            made_by=worker,
            holding="holding",
        )


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_release_page_and_the_release_run_a_constant_number_of_queries(
    client,
    log_in,
    supervisor,
    case_manager,
    register_coordinator,
    own_young_person,
    django_assert_num_queries,
    item_count,
):
    fill(own_young_person, case_manager, register_coordinator, item_count)
    log_in(supervisor)

    # user, OTP device, groups; the young person (is it visible) with their team, division,
    # case manager, intensity, crisis and exit plans, and their alerts; the file: accepted
    # referrals, agreements, closings, their follow-ups and who made them, case plans, their
    # goals and tasks, outcome reviews and their ratings, contacts (readable?) and their
    # workers, crises, register entries and their reviews, documents and their versions, key
    # people, professionals, disclosures; unread notifications; the read (savepoint, insert,
    # release)
    with django_assert_num_queries(29):
        assert release_page(client, own_young_person).status_code == 200
    # the page's, to the file's disclosures, and whether this form released the file already;
    # then the release written (with the history's context) and its audit entry
    with django_assert_num_queries(33):
        response = release(client, own_young_person)

    assert response.status_code == 302
    assert FileRelease.objects.get().contents["contacts"] == 2 * item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_release_list_runs_a_constant_number_of_queries(
    client, log_in, supervisor, own_young_person, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        FileReleaseFactory(young_person=own_young_person, released_by=supervisor)
    log_in(supervisor)

    # user, OTP device, groups; the young person (is it visible) and their alerts; the
    # releases with who made them; unread notifications; the read (savepoint, insert, release)
    with django_assert_num_queries(10):
        assert (
            client.get(
                reverse("records:young-person-releases", args=[own_young_person.pk])
            ).status_code
            == 200
        )


def test_the_documents_of_the_copy_are_the_latest_versions(
    client, log_in, supervisor, case_manager, own_young_person
):
    document = DocumentFactory(young_person=own_young_person, added_by=case_manager)
    document.versions.update(original_name="first.pdf")
    DocumentVersionFactory(document=document, number=2, original_name="second.pdf")
    log_in(supervisor)

    release(client, own_young_person)

    with zipfile.ZipFile(FileRelease.objects.get().documents_zip) as bundle:
        assert bundle.namelist() == ["01-second.pdf", "contents.txt"]
    assert Document.objects.count() == 1
