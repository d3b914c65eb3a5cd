"""A restricted document: its readers (its author, the primary case manager, the team's
supervisor, those the author names) read and download it, each read in the audit trail as a
read of restricted content; the rest of the care team see that it exists, not what it is."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from documents.models import Document
from tests.documents.samples import upload
from tests.factories import CareTeamFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Sexual health clinic letter"


@pytest.fixture
def author(team, own_young_person):
    worker = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Avery")
    CareTeamFactory(young_person=own_young_person, worker=worker)
    return worker


@pytest.fixture
def colleague(team, own_young_person):
    """In the care team, not named a reader."""
    worker = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Blake")
    CareTeamFactory(young_person=own_young_person, worker=worker)
    return worker


@pytest.fixture
def restricted(own_young_person, author):
    return DocumentFactory(
        young_person=own_young_person,
        added_by=author,
        kind="assessment",
        title=TITLE,
        provided_by="Sexual health clinic (Dr Lee)",
        restricted_because="sexual_exploitation",
    )


def add_restricted(client, young_person, *, readers):
    return client.post(
        reverse("documents:create", args=[young_person.pk]),
        {
            "kind": "report",
            "title": TITLE,
            "dated": timezone.localdate().isoformat(),
            "provided_by": "Clinic",
            "restricted_because": "health",
            "restricted_readers": [reader.pk for reader in readers],
            "file": upload(),
        },
    )


def test_a_care_team_member_who_is_no_reader_sees_it_exists_not_what_it_is(
    client, log_in, colleague, restricted
):
    log_in(colleague)

    listed = client.get(reverse("documents:list", args=[restricted.young_person_id])).text
    record = client.get(restricted.young_person.get_absolute_url()).text
    timeline = client.get(reverse("clients:timeline", args=[restricted.young_person_id])).text
    details = client.get(reverse("documents:detail", args=[restricted.pk]))
    download = client.get(
        reverse("documents:download", args=[restricted.pk, restricted.versions.get().pk])
    )

    added = f"added {timezone.localdate():%-d %b %Y} by {restricted.added_by}"
    for page in (listed, record, timeline):
        assert "Restricted document" in page
        assert added in page
        for secret in (TITLE, "Sexual health clinic", "exploitation", "report.pdf"):
            assert secret.lower() not in page.lower()
        assert "Assessment</span>" not in page  # its kind, as the list shows it
        assert "· assessment" not in page  # as the timeline does
    assert (details.status_code, download.status_code) == (403, 403)
    assert not AuditEvent.objects.filter(action=AuditAction.READ_RESTRICTED).exists()


@pytest.mark.parametrize("reader", ["author", "case_manager", "supervisor"])
def test_its_readers_download_it_and_each_read_is_audited_as_restricted(
    client, log_in, request, restricted, reader
):
    user = request.getfixturevalue(reader)
    log_in(user)

    details = client.get(reverse("documents:detail", args=[restricted.pk]))
    download = client.get(
        reverse("documents:download", args=[restricted.pk, restricted.versions.get().pk])
    )

    assert TITLE in details.text
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    reads = AuditEvent.objects.filter(action=AuditAction.READ_RESTRICTED)
    assert [(read.actor, read.object_type, read.object_id) for read in reads] == [
        (user, "documents.document", str(restricted.pk))
    ] * 2


def test_a_reader_the_author_names_reads_it(client, log_in, own_young_person, author, colleague):
    log_in(author)
    add_restricted(client, own_young_person, readers=[colleague])
    document = Document.objects.get()
    log_in(colleague)

    listed = client.get(reverse("documents:list", args=[own_young_person.pk])).text

    assert (document.is_restricted, list(document.restricted_readers.all())) == (True, [colleague])
    assert TITLE in listed
    read = AuditEvent.objects.get(action=AuditAction.READ_RESTRICTED)
    assert (read.actor, read.object_id) == (colleague, str(document.pk))


def test_the_author_restricts_a_document_later_naming_a_reader_and_the_supervisor_lifts_it(
    client, log_in, own_young_person, author, colleague, supervisor
):
    document = DocumentFactory(young_person=own_young_person, added_by=author, title=TITLE)
    restriction = reverse("documents:restriction", args=[document.pk])
    log_in(colleague)
    assert client.post(restriction, {"restricted_because": "health"}).status_code == 403

    log_in(author)
    client.post(restriction, {"restricted_because": "health", "restricted_readers": [colleague.pk]})
    document.refresh_from_db()
    assert document.restricted_because == "health"
    assert list(document.restricted_readers.all()) == [colleague]
    log_in(colleague)
    assert TITLE in client.get(reverse("documents:detail", args=[document.pk])).text

    log_in(supervisor)
    client.post(restriction, {"restricted_because": ""})
    document.refresh_from_db()
    assert not document.is_restricted
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(document.pk))
    assert [event.detail["restricted"] for event in changes.order_by("id")] == ["health", "lifted"]


def test_the_supervisor_sees_who_has_read_a_restricted_document(
    client, log_in, restricted, author, colleague, supervisor
):
    log_in(author)
    client.get(reverse("documents:detail", args=[restricted.pk]))
    log_in(colleague)
    assert client.get(reverse("documents:reads", args=[restricted.pk])).status_code == 403

    log_in(supervisor)
    page = client.get(reverse("documents:reads", args=[restricted.pk])).text

    assert "Read what it says" in page
    assert str(author) in page
