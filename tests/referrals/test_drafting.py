"""Nothing typed on a referral is lost: every button of the form saves it first, documents are
attached (even to a new referral) and taken off again, the draft saves itself as it is typed,
and a practitioner may discard their own draft."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from referrals.models import Referral, ReferralAttachment
from referrals.services import discard_referral_draft, save_referral_draft, submit_referral
from tests.factories import PDF_BYTES, ReferralAttachmentFactory, ReferralFactory, UserFactory
from tests.referrals.test_referrals import referral_form, rows

pytestmark = pytest.mark.django_db

CREATE = reverse("referrals:create")


def pdf(name: str = "school report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def practitioner_client(client, log_in, practitioner):
    log_in(practitioner)
    return client


@pytest.fixture
def draft(team, practitioner):
    return ReferralFactory(team=team, referred_by=practitioner, status="draft")


def edit(referral) -> str:
    return reverse("referrals:edit", args=[referral.pk])


def test_attaching_on_a_new_referral_saves_it_once_and_keeps_what_was_typed(
    practitioner_client, team
):
    typed = referral_form(team, action="attach", given_name="Kayla", family_name="Reid")

    page = practitioner_client.post(CREATE, typed | {"document": pdf()}, follow=True)
    practitioner_client.post(CREATE, typed | {"document": pdf("care plan.pdf")})

    referral = Referral.objects.get()  # the same form's reference: one referral, never two
    assert referral.status == "draft"
    assert (referral.given_name, referral.family_name) == ("Kayla", "Reid")
    assert [str(attachment) for attachment in referral.attachments.all()] == [
        "school report.pdf",
        "care plan.pdf",
    ]
    assert page.request["PATH_INFO"] == edit(referral)
    assert page.context["form"]["given_name"].value() == "Kayla"
    assert "“school report.pdf” is attached" in page.text


def test_attaching_to_a_draft_keeps_what_was_typed_since_it_was_saved(practitioner_client, draft):
    typed = referral_form(
        draft.team, action="attach", client_reference=str(draft.client_reference)
    ) | {"risk_details": "Leaves with older men in a grey car.", "document": pdf()}

    page = practitioner_client.post(edit(draft), typed, follow=True)

    draft.refresh_from_db()
    assert draft.risk_details == "Leaves with older men in a grey car."
    assert draft.attachments.get().original_name == "school report.pdf"
    assert page.context["form"]["risk_details"].value() == "Leaves with older men in a grey car."


def test_a_refused_document_still_keeps_what_was_typed(practitioner_client, draft):
    typed = referral_form(draft.team, action="attach", tried_before="A youth worker since May.")
    fake = SimpleUploadedFile("notes.pdf", b"just some text", content_type="application/pdf")

    page = practitioner_client.post(edit(draft), typed | {"document": fake}, follow=True)

    draft.refresh_from_db()
    assert draft.tried_before == "A youth worker since May."
    assert "of a kind ICMS cannot check" in page.text
    assert not ReferralAttachment.objects.exists()


def test_a_form_that_cannot_be_saved_comes_back_as_typed(practitioner_client, draft):
    typed = referral_form(draft.team, action="attach", given_name="Kayla") | {
        "date_of_birth": "2099-01-01",
        "document": pdf(),
    }

    page = practitioner_client.post(edit(draft), typed)

    assert page.status_code == 200
    assert page.context["form"]["given_name"].value() == "Kayla"
    assert "A date of birth cannot be in the future." in page.text
    assert "choose the document again" in page.text
    draft.refresh_from_db()
    assert draft.given_name != "Kayla"


def test_the_family_and_the_network_are_saved_with_the_draft_and_shown(practitioner_client, team):
    typed = (
        referral_form(team, action="save")
        | rows(
            "family",
            {
                "name": "Dana Reid",
                "relationship": "mother",
                "phone": "0400 111 222",
                "is_support": "on",
            },
            {
                "name": "Ray Reid",
                "relationship": "father",
                "notes": "No contact: intervention order.",
            },
        )
        | rows("network", {"role": "school", "name": "Priya Shah", "organisation": "Northside SC"})
    )

    page = practitioner_client.post(CREATE, typed, follow=True)

    referral = Referral.objects.get()
    family = list(referral.key_people.values_list("name", "relationship", "is_support"))
    assert family == [("Dana Reid", "mother", True), ("Ray Reid", "father", False)]
    assert list(referral.professionals.values_list("role", "name")) == [("school", "Priya Shah")]
    assert "Dana Reid, mother" in page.text
    assert "Priya Shah, Northside SC" in page.text
    again = practitioner_client.get(edit(referral))
    assert again.context["form"].key_people.forms[1]["name"].value() == "Ray Reid"


def test_the_rows_sent_again_as_they_were_saved_stay(practitioner_client, draft):
    """A page opened before its draft was first saved (the autosave did it) sends the rows as
    new ones: they are the draft's rows all the same."""
    draft.key_people.create(name="Dana Reid", relationship="mother")
    mother = {"name": "Dana Reid", "relationship": "mother", "is_support": "on"}
    typed = referral_form(draft.team, action="save") | rows("family", mother)

    practitioner_client.post(edit(draft), typed)

    assert list(draft.key_people.values_list("name", "relationship")) == [("Dana Reid", "mother")]


def test_a_row_without_a_name_is_refused_and_a_cleared_row_leaves_the_person_out(
    practitioner_client, draft
):
    draft.key_people.create(name="Dana Reid", relationship="mother")
    typed = referral_form(draft.team, action="save") | {
        "family-TOTAL_FORMS": "2",
        "family-INITIAL_FORMS": "1",
        "family-0-name": "",  # Dana cleared
        "family-1-phone": "0400 333 444",  # a phone, but whose?
    }

    page = practitioner_client.post(edit(draft), typed)

    assert "Give their name, or clear the row." in page.text
    assert list(draft.key_people.values_list("name", flat=True)) == ["Dana Reid"]
    typed["family-1-phone"] = ""
    practitioner_client.post(edit(draft), typed)
    assert not draft.key_people.exists()


def test_removing_a_document_from_a_draft_deletes_it_and_keeps_what_was_typed(
    practitioner_client, practitioner, draft, django_capture_on_commit_callbacks
):
    attachment = ReferralAttachmentFactory(referral=draft)
    stored = attachment.file.name
    typed = referral_form(draft.team, consent_notes="Told on Tuesday.") | {
        "action": "",
        "remove": str(attachment.pk),
    }

    with django_capture_on_commit_callbacks(execute=True):
        page = practitioner_client.post(edit(draft), typed, follow=True)

    assert not ReferralAttachment.objects.exists()
    assert not attachment.file.storage.exists(stored)
    draft.refresh_from_db()
    assert draft.consent_notes == "Told on Tuesday."
    assert "“report.pdf” is removed" in page.text
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, actor=practitioner, object_type="referrals.referralattachment"
    ).exists()


def test_a_document_of_a_submitted_referral_is_withdrawn_never_deleted(
    practitioner_client, practitioner, team
):
    referral = ReferralFactory(team=team, referred_by=practitioner)
    attachment = ReferralAttachmentFactory(referral=referral, original_name="Other child.pdf")
    url = reverse("referrals:attachment-withdraw", args=[referral.pk, attachment.pk])

    refused = practitioner_client.post(url, {"reason": ""}, follow=True)
    page = practitioner_client.post(url, {"reason": "A report about another child."}, follow=True)

    assert "This field is required." in refused.text
    attachment.refresh_from_db()
    assert attachment.withdrawn_by == practitioner
    assert attachment.withdrawn_at is not None
    assert attachment.withdrawn_reason == "A report about another child."
    assert attachment.file.storage.exists(attachment.file.name)
    assert "withdrawn" in page.text
    assert f"Withdrawn by {practitioner} on" in page.text
    assert "A report about another child." in page.text
    download = reverse("referrals:attachment-download", args=[referral.pk, attachment.pk])
    assert practitioner_client.get(download).status_code == 404


def test_a_draft_keeps_its_documents_for_removing_not_withdrawing(practitioner_client, draft):
    attachment = ReferralAttachmentFactory(referral=draft)

    page = practitioner_client.post(
        reverse("referrals:attachment-withdraw", args=[draft.pk, attachment.pk]),
        {"reason": "Wrong file"},
    )

    assert page.status_code == 403
    attachment.refresh_from_db()
    assert attachment.withdrawn_at is None


def test_a_practitioner_discards_their_own_draft_after_saying_yes(
    practitioner_client, practitioner, draft, django_capture_on_commit_callbacks
):
    attachment = ReferralAttachmentFactory(referral=draft)
    draft.key_people.create(name="Dana Reid", relationship="mother")
    url = reverse("referrals:discard", args=[draft.pk])

    question = practitioner_client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        page = practitioner_client.post(url, follow=True)

    assert "cannot be undone" in question.text
    assert "report.pdf" in question.text
    assert not Referral.objects.exists()
    assert not ReferralAttachment.objects.exists()
    assert not attachment.file.storage.exists(attachment.file.name)
    assert "is discarded" in page.text
    assert AuditEvent.objects.get(
        action=AuditAction.DELETE, object_type="referrals.referral"
    ).detail == {"documents": ["report.pdf"]}


def test_discarding_from_the_form_saves_what_was_typed_then_asks(practitioner_client, draft):
    typed = referral_form(draft.team, action="discard", preferred_name="Kay")

    page = practitioner_client.post(edit(draft), typed, follow=True)

    assert page.request["PATH_INFO"] == reverse("referrals:discard", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.preferred_name == "Kay"  # "Keep it" brings back what was typed


@pytest.mark.parametrize("whose", ["submitted", "another practitioner's"])
def test_only_ones_own_draft_can_be_discarded(team, practitioner, whose):
    if whose == "submitted":
        referral = ReferralFactory(team=team, referred_by=practitioner)
    else:
        referral = ReferralFactory(team=team, status="draft", referred_by=UserFactory())

    with pytest.raises(ValidationError):
        discard_referral_draft(referral, by=practitioner)

    assert Referral.objects.filter(pk=referral.pk).exists()


def test_a_new_referral_autosaves_into_one_draft_whose_page_a_reload_opens(
    practitioner_client, team
):
    typed = referral_form(team) | rows("family", {"name": "Dana Reid", "relationship": "mother"})
    del typed["action"]
    url = reverse("referrals:create-autosave")

    first = practitioner_client.post(url, typed | {"given_name": "Kay"})
    second = practitioner_client.post(url, typed | {"given_name": "Kayla"})

    referral = Referral.objects.get()
    assert (referral.status, referral.given_name) == ("draft", "Kayla")
    assert list(referral.key_people.values_list("name", flat=True)) == ["Dana Reid"]
    assert first["HX-Replace-Url"] == edit(referral)
    assert "Draft saved" in second.text
    reloaded = practitioner_client.get(edit(referral))
    assert reloaded.context["form"]["given_name"].value() == "Kayla"


def test_the_autosave_keeps_what_it_can_and_names_what_it_cannot(practitioner_client, draft):
    typed = referral_form(draft.team, client_reference=str(draft.client_reference)) | {
        "given_name": "Kayla",
        "date_of_birth": "31/02/2011",
    }

    answer = practitioner_client.post(reverse("referrals:autosave", args=[draft.pk]), typed)

    draft.refresh_from_db()
    assert draft.given_name == "Kayla"
    assert draft.date_of_birth is not None  # the last date that could be taken
    assert "Draft saved" in answer.text
    assert "except Date of birth" in answer.text


def test_the_autosave_of_a_page_that_is_not_the_drafts_saves_nothing(practitioner_client, draft):
    typed = referral_form(draft.team, given_name="Someone else")  # another form's reference

    answer = practitioner_client.post(reverse("referrals:autosave", args=[draft.pk]), typed)

    assert "Not saved" in answer.text
    draft.refresh_from_db()
    assert draft.given_name != "Someone else"


def test_a_save_that_arrives_after_submitting_changes_nothing(practitioner, team):
    """The autosave of a page whose Submit went first: the draft it read is no longer one."""
    referral = ReferralFactory(team=team, referred_by=practitioner, status="draft")
    read_before = Referral.objects.get(pk=referral.pk)
    submit_referral(referral, by=practitioner)

    with pytest.raises(ValidationError, match="Only a draft can be changed"):
        save_referral_draft(read_before, by=practitioner, given_name="Changed")

    referral.refresh_from_db()
    assert (referral.status, referral.given_name) == ("submitted", read_before.given_name)
