"""What happens to a file once its episode is over: the retention rule and legal holds, the
stub left when a file is disposed of, and each release of a file to someone outside ICMS."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from toolkit.formats import show_date


class RetentionRule(models.Model):
    """How long a closed file is kept: until both so many years after its last closing and the
    young person's reaching an age have passed (the later of the two). One rule, the
    administrator's; a file is then due for review, and disposed of only on a person's
    approval (Disposal). A file under legal hold is never due."""

    years_after_closure = models.PositiveSmallIntegerField(default=7)
    until_age = models.PositiveSmallIntegerField("until the young person is aged", default=25)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="retention_rule_is_one"),
            models.CheckConstraint(
                condition=Q(years_after_closure__gte=1, until_age__gte=18),
                name="retention_rule_keeps_files",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.years_after_closure} years after closing, and until aged {self.until_age}"


@pghistory.track()
class LegalHold(models.Model):
    """A file that must not be disposed of (a court case, an inquiry, a claim), while the hold
    stands; lifted with a reason, never deleted."""

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField(max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(lifted_at__isnull=True),
                name="legal_hold_one_standing",
                violation_error_message="This file is already under legal hold.",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold on the file of {self.young_person}"


class Disposal(models.Model):
    """The stub a disposed file leaves: whose file it was, what it held, when it was disposed of
    and on whose approval. It outlives the file, so it points to nothing."""

    young_person_number = models.PositiveIntegerField("record number", unique=True)
    name = models.CharField(max_length=300)
    date_of_birth = models.DateField()
    child_protection_number = models.CharField(max_length=30, blank=True)
    team_name = models.CharField(max_length=200, blank=True)
    episodes = models.PositiveSmallIntegerField(default=0)
    last_closed_on = models.DateField(null=True, blank=True)
    retention_due_on = models.DateField()
    rule = models.CharField("retention rule applied", max_length=200)
    # What was disposed of: {"contacts": 120, "documents": 5, ...}, and the files removed from disk.
    contents = models.JSONField(default=dict)
    files_removed = models.PositiveIntegerField(default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approval_note = models.TextField(max_length=2000, blank=True)
    disposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disposed_at"]

    def __str__(self) -> str:
        return f"The file of {self.name} (born {show_date(self.date_of_birth)}), disposed of"


@pghistory.track()
class FileRelease(models.Model):
    """A copy of a young person's file released outside ICMS: why, at whose request, to whom,
    what it held and what was withheld, who released it and when. The copy released (a PDF, and
    a zip of the documents) is kept as released."""

    class Purpose(models.TextChoices):
        ACCESS_REQUEST = "access_request", "An access request (freedom of information)"
        SUBPOENA = "subpoena", "A subpoena or court order"
        CARE_LEAVER = "care_leaver", "A care leaver asking for their file"
        OTHER = "other", "Another lawful request (see the reason)"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="releases"
    )
    purpose = models.CharField(max_length=20, choices=Purpose)
    requested_by = models.CharField("requested by", max_length=300)
    released_to = models.CharField("released to", max_length=300)
    reason = models.TextField(max_length=4000)
    # What the copy held: {"contacts": 120, ...}; and what was withheld, each as
    # {"kind": "contact", "id": 12, "label": "...", "why": "restricted"}.
    contents = models.JSONField(default=dict)
    withheld = models.JSONField(default=list, blank=True)
    pdf = models.FileField(upload_to="releases/", blank=True)
    documents_zip = models.FileField(upload_to="releases/", blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(default=timezone.now)
    # Made when the release form is first shown: sent twice (a double tap, a resend after a lost
    # connection), it releases the file once.
    client_reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"The file of {self.young_person}, released to {self.released_to}"

    @property
    def download_name(self) -> str:
        """The copy's name when downloaded: whose file (by number) and when it was released."""
        return f"file-{self.young_person_id}-{timezone.localtime(self.released_at):%Y%m%d-%H%M}"
