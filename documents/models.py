import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import RestrictableEntry
from toolkit.formats import show_date
from toolkit.validators import validate_past_day, validate_plausible_day


class DocumentQuerySet(models.QuerySet):
    def standing(self) -> "DocumentQuerySet":
        """Leaving out the documents marked added in error."""
        return self.filter(in_error_at__isnull=True)

    def expiring_by(self, day: object) -> "DocumentQuerySet":
        """Standing orders and consents that expire on or before `day` (or have expired)."""
        return self.standing().filter(kind__in=Document.EXPIRING_KINDS, expires_on__lte=day)


@pghistory.track()
class Document(RestrictableEntry):
    """A document on a young person's file: a court order, a consent, a report from another
    service, a photo of a paper form. Each upload of it is a DocumentVersion; none replaces
    another. One added in error is marked so, never deleted."""

    class Kind(models.TextChoices):
        COURT_ORDER = "court_order", "Court order"
        CONSENT = "consent", "Consent"
        AGREEMENT = "agreement", "Case management agreement"
        ASSESSMENT = "assessment", "Assessment"
        REPORT = "report", "Report from another service"
        PHOTO = "photo", "Photo"
        REFERRAL = "referral", "Referral document"
        CORRESPONDENCE = "correspondence", "Correspondence"
        OTHER = "other", "Other"

    # The kinds that lapse: only these take an expiry, and their expiry reminds.
    EXPIRING_KINDS = (Kind.COURT_ORDER, Kind.CONSENT)

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=200)
    dated = models.DateField("dated", validators=[validate_past_day])
    provided_by = models.CharField(
        "provided by", max_length=200, help_text="For example “Child protection (Jo Smith)”."
    )
    expires_on = models.DateField(
        "expires on", null=True, blank=True, validators=[validate_plausible_day]
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    in_error_at = models.DateTimeField(null=True, blank=True)
    in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    in_error_reason = models.CharField("why", max_length=300, blank=True)

    author_fields = ("added_by",)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-dated", "-id"]
        indexes = [
            models.Index(fields=["young_person", "-dated"]),
            models.Index(
                fields=["expires_on"], condition=Q(expires_on__isnull=False), name="document_expiry"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(kind__in=["court_order", "consent"]),
                name="document_only_orders_and_consents_expire",
            ),
            models.CheckConstraint(
                condition=Q(in_error_at__isnull=True, in_error_reason="")
                | Q(in_error_at__isnull=False) & ~Q(in_error_reason=""),
                name="document_in_error_says_why",
            ),
        ]

    def __str__(self) -> str:
        # What the audit trail and messages name it by: a restricted one's title would tell
        # those who may not read it what it is.
        if self.is_restricted:
            return f"Restricted document added {show_date(timezone.localtime(self.added_at))}"
        return self.title

    @property
    def days_to_expiry(self) -> int | None:
        """Days from today to the expiry (negative once passed), for the lists' badges."""
        if self.expires_on is None:
            return None
        return (self.expires_on - timezone.localdate()).days

    @property
    def expires_soon(self) -> bool:
        days = self.days_to_expiry
        return days is not None and days <= settings.DOCUMENT_EXPIRY_NOTICE_DAYS

    @property
    def latest_version(self) -> "DocumentVersion | None":
        """The newest upload, from the versions the query prefetched newest first."""
        versions = self.versions.all()
        return versions[0] if versions else None


def _version_path(version: "DocumentVersion", filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never on disk.
    return f"documents/{version.document.young_person_id}/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    """One upload of a document, checked by its content. A new version is added beside the
    earlier ones, whose files stay as they were."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=_version_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.document}"

    @property
    def restricted_entry(self) -> Document:
        """The entry whose restriction this version follows (clients.timeline)."""
        return self.document
