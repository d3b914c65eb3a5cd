"""Adding documents to a young person's file: checked by content, stored under random names,
downloaded only as files; versions keep the earlier ones; one added in error is kept, marked;
a referral's documents are on the file from acceptance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from documents.models import Document, DocumentVersion
from documents.services import add_version, mark_document_in_error
from referrals.models import ReferralAttachment
from referrals.services import withdraw_document
from tests.documents.samples import ELF, MZ, SAMPLES, upload
from tests.factories import DocumentFactory, ReferralAttachmentFactory
from tests.referrals.test_acceptance import accept

pytestmark = pytest.mark.django_db


def add(client, young_person, *, name="order.pdf", data=None, field="file", **fields):
    return client.post(
        reverse("documents:create", args=[young_person.pk]),
        {
            "kind": "court_order",
            "title": "Care by Secretary order",
            "dated": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "provided_by": "Child protection (Jo Smith)",
            **fields,
            field: upload(name, data),
        },
        follow=True,
    )


def download(client, version):
    return client.get(reverse("documents:download", args=[version.document_id, version.pk]))


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_supported_kind_of_file_is_added_and_downloads_only_as_a_file(
    client, log_in, case_manager, own_young_person, name
):
    log_in(case_manager)

    response = add(client, own_young_person, name=name, kind="report", title="From school")

    assert "“From school” is on the file." in response.text
    version = DocumentVersion.objects.get()
    assert version.file.name.startswith(f"documents/{own_young_person.pk}/")
    assert name not in version.file.name  # stored under a random name
    got = download(client, version)
    assert got["Content-Disposition"].startswith("attachment")
    assert name in got["Content-Disposition"]
    assert got["X-Content-Type-Options"] == "nosniff"
    assert b"".join(got.streaming_content) == SAMPLES[name]


def test_a_photo_straight_from_the_camera_is_added(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    form = client.get(reverse("documents:create", args=[own_young_person.pk])).text
    response = add(client, own_young_person, name="form.jpg", field="photo", kind="photo")

    assert 'accept="image/*"' in form
    assert 'capture="environment"' in form
    assert "is on the file" in response.text
    assert DocumentVersion.objects.get().content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "message"), [(ELF, "is really a .elf file"), (MZ, "is really a .exe file")]
)
def test_a_renamed_program_is_refused_with_a_message_and_nothing_saved(
    client, log_in, case_manager, own_young_person, data, message
):
    log_in(case_manager)

    response = add(client, own_young_person, name="order.pdf", data=data)

    assert response.status_code == 200
    assert f"“order.pdf” {message}" in response.text
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_an_expiry_is_refused_for_a_kind_that_does_not_expire(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    response = add(
        client,
        own_young_person,
        kind="photo",
        expires_on=(timezone.localdate() + timedelta(days=60)).isoformat(),
    )

    assert "Only court orders and consents expire." in response.text
    assert not Document.objects.exists()


def test_a_new_version_keeps_the_old_one_downloadable(
    client, log_in, case_manager, own_young_person
):
    document = DocumentFactory(young_person=own_young_person, added_by=case_manager)
    first = document.versions.get()
    log_in(case_manager)

    client.post(
        reverse("documents:version-create", args=[document.pk]),
        {"file": upload("agreement.docx")},
    )
    page = client.get(reverse("documents:detail", args=[document.pk])).text

    second = document.versions.get(number=2)
    assert second.file.name != first.file.name
    assert b"".join(download(client, first).streaming_content) == SAMPLES["order.pdf"]
    assert b"".join(download(client, second).streaming_content) == SAMPLES["agreement.docx"]
    assert "Version 2: agreement.docx" in page
    assert "Version 1: report.pdf" in page


def test_a_renewed_consent_takes_its_new_expiry_with_its_version(case_manager, own_young_person):
    document = DocumentFactory(
        young_person=own_young_person,
        kind="consent",
        expires_on=timezone.localdate() + timedelta(days=5),
    )
    renewed = timezone.localdate() + timedelta(days=365)

    add_version(document, by=case_manager, upload=upload("consent.doc"), expires_on=renewed)

    document.refresh_from_db()
    assert (document.expires_on, document.versions.count()) == (renewed, 2)


def test_a_document_in_error_is_kept_and_listed_struck_with_the_reason(
    client, log_in, case_manager, own_young_person
):
    document = DocumentFactory(
        young_person=own_young_person, added_by=case_manager, title="Another child's report"
    )
    log_in(case_manager)

    client.post(
        reverse("documents:in-error", args=[document.pk]), {"reason": "Another young person's."}
    )
    listed = client.get(reverse("documents:list", args=[own_young_person.pk])).text

    document.refresh_from_db()
    assert (document.in_error_by, document.in_error_reason) == (
        case_manager,
        "Another young person's.",
    )
    assert "<s>Another child&#x27;s report</s>" in listed
    assert "Another young person&#x27;s." in listed
    assert Document.objects.count() == 1
    assert download(client, document.versions.get()).status_code == 200  # still readable


def test_only_the_author_primary_case_manager_or_supervisor_marks_one_in_error(
    client, log_in, case_manager, supervisor, care_team_young_person
):
    document = DocumentFactory(young_person=care_team_young_person)  # added by someone else
    log_in(case_manager)  # in the care team, not the primary case manager

    refused = client.post(reverse("documents:in-error", args=[document.pk]), {"reason": "x"})
    mark_document_in_error(document, by=supervisor, reason="Duplicate.")

    assert refused.status_code == 403
    document.refresh_from_db()
    assert document.in_error_reason == "Duplicate."


def test_the_list_filters_by_kind(client, log_in, case_manager, own_young_person):
    DocumentFactory(young_person=own_young_person, kind="photo", title="Photo of the form")
    DocumentFactory(young_person=own_young_person, kind="assessment", title="Psych assessment")
    log_in(case_manager)

    page = client.get(reverse("documents:list", args=[own_young_person.pk]), {"kind": "photo"})

    assert [document.title for document in page.context["page"]] == ["Photo of the form"]


def test_the_referrals_documents_are_on_the_file_after_acceptance(
    client,
    log_in,
    referral,
    supervisor,
    case_manager,
    practitioner,
):
    kept = ReferralAttachmentFactory(referral=referral, original_name="CP assessment.pdf")
    wrong = ReferralAttachmentFactory(referral=referral, original_name="Other child.pdf")
    withdraw_document(wrong, by=practitioner, reason="About another child.")
    young_person = accept(referral, supervisor, case_manager).young_person
    log_in(case_manager)

    document = Document.objects.get()  # the withdrawn one stays with the referral
    version = document.versions.get()
    record = client.get(young_person.get_absolute_url()).text
    got = download(client, version)

    assert (document.young_person, document.kind, document.title) == (
        young_person,
        Document.Kind.REFERRAL,
        "CP assessment.pdf",
    )
    assert document.provided_by == f"Child protection ({practitioner})"
    assert document.dated == timezone.localdate(kept.uploaded_at)
    assert version.file.name != kept.file.name  # a copy, under a new random name
    assert reverse("documents:detail", args=[document.pk]) in record
    assert b"".join(got.streaming_content) == kept.file.open("rb").read()
    read = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert (read.object_type, read.young_person_id) == (
        "documents.documentversion",
        young_person.pk,
    )
    assert ReferralAttachment.objects.count() == 2
