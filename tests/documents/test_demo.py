import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from documents.models import Document
from documents.tasks import document_expiry_reminders
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_files_hold_documents_and_a_consent_reminds_its_case_manager(
    settings, client, log_in
):
    settings.DEBUG = True
    call_command("seed_demo")
    casey = User.objects.get(username="cm.demo")
    jay = Document.objects.get(restricted_because="health").young_person

    document_expiry_reminders()
    log_in(casey)
    listed = client.get(reverse("documents:list", args=[jay.pk])).text
    version = Document.objects.filter(young_person=jay, kind="photo").get().versions.get()
    photo = client.get(reverse("documents:download", args=[version.document_id, version.pk]))

    reminders = Notification.objects.filter(recipient=casey, message__contains="Consent to share")
    assert (
        reminders.count()
        == Document.objects.filter(kind="consent", young_person__primary_case_manager=casey).count()
    )
    assert reminders.count() >= 2
    assert "Care by Secretary order" in listed
    assert "expires in 21 days" in listed
    assert "CAMHS mental health assessment" in listed  # Casey holds Jay's case: a reader
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
