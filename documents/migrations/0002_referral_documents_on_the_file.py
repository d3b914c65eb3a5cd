"""The documents of referrals accepted before documents were on the file: each not withdrawn
goes on the young person's file, as acceptance now does (referrals.services.accept_referral),
its file copied under a new random name."""

import uuid

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone


def file_referral_documents(apps, schema_editor):
    ReferralAttachment = apps.get_model("referrals", "ReferralAttachment")
    Document = apps.get_model("documents", "Document")
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    User = apps.get_model("accounts", "User")
    attachments = ReferralAttachment.objects.filter(
        referral__status="accepted",
        referral__young_person__isnull=False,
        withdrawn_at__isnull=True,
    ).select_related("referral__referred_by", "referral__agreement")
    for attachment in attachments.order_by("pk").iterator():
        referral = attachment.referral
        if not default_storage.exists(attachment.file.name):
            continue  # nothing to copy; the referral still lists it
        referrer = referral.referred_by
        name = f"{referrer.first_name} {referrer.last_name}".strip() or referrer.username
        agreement = getattr(referral, "agreement", None)
        document = Document.objects.create(
            young_person_id=referral.young_person_id,
            kind="referral",
            title=attachment.original_name[:200],
            dated=timezone.localdate(attachment.uploaded_at),
            provided_by=f"Child protection ({name})"[:200],
            added_by_id=agreement.recorded_by_id if agreement else referral.referred_by_id,
            added_at=referral.decided_at or attachment.uploaded_at,
        )
        with default_storage.open(attachment.file.name, "rb") as content:
            stored = default_storage.save(
                f"documents/{referral.young_person_id}/{uuid.uuid4().hex}", File(content)
            )
        DocumentVersion.objects.create(
            document=document,
            number=1,
            file=stored,
            original_name=attachment.original_name,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_by_id=attachment.uploaded_by_id,
            uploaded_at=attachment.uploaded_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_documents"),
        ("referrals", "0005_referral_carries_family_and_network"),
    ]

    operations = [migrations.RunPython(file_referral_documents, migrations.RunPython.noop)]
