import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import KeyPerson, LifeDomain, ProfessionalContact, YoungPerson
from toolkit.choices import choice_labels
from toolkit.formats import show_date
from toolkit.validators import validate_date_of_birth, validate_past_day, validate_plausible_day


@pghistory.track()
class Referral(models.Model):
    """A child protection practitioner's request that ICMS take on a young person. Drafted,
    submitted, then decided by the receiving team's supervisor; every move is a ReferralMove.
    The young person's details travel with it; the record is made (or reopened) on acceptance.
    """

    # Child protection's record about the young person: it goes on after ICMS closes its file.
    part_of_the_file = False

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_CONSIDERATION = "considering", "Under consideration"
        WAITLISTED = "waitlisted", "Waitlisted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        PRIORITY = "priority", "Priority (within a week)"
        URGENT = "urgent", "Urgent (within two days)"

    class Risk(models.TextChoices):
        SELF_HARM = "self_harm", "Self-harm or suicide"
        SUBSTANCE_USE = "substance_use", "Substance use"
        OFFENDING = "offending", "Offending"
        SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
        ABSCONDING = "absconding", "Absconding"
        HOMELESSNESS = "homelessness", "Homelessness"
        OTHER = "other", "Other"

    class Consent(models.TextChoices):
        CONSENTS = "consents", "The young person knows and agrees to the referral"
        KNOWS = "knows", "The young person knows but has not agreed"
        NOT_TOLD = "not_told", "The young person has not been told (say why)"

    class DeclineReason(models.TextChoices):
        CAPACITY = "capacity", "No capacity"
        ELIGIBILITY = "eligibility", "Not eligible"
        OTHER = "other", "Other"

    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="referrals",
        verbose_name="ICMS team",
    )  # fmt: skip
    division = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    # Made when the form is first shown: saving twice makes one referral.
    client_reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    # The young person, as child protection knows them; linked to an existing record when ICMS
    # already has one with the same child protection number.
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    gender = models.CharField(
        max_length=20, choices=YoungPerson.Gender, default=YoungPerson.Gender.NOT_STATED
    )
    indigenous_status = models.CharField(
        "Aboriginal and/or Torres Strait Islander",
        max_length=20,
        choices=YoungPerson.Indigenous,
        default=YoungPerson.Indigenous.NOT_STATED,
    )
    cultural_background = models.CharField(max_length=200, blank=True)
    language = models.CharField("language spoken at home", max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    child_protection_number = models.CharField(
        "child protection client number", max_length=30, blank=True
    )
    legal_order = models.CharField(
        max_length=10, choices=YoungPerson.LegalOrder, default=YoungPerson.LegalOrder.NONE
    )
    legal_order_ends_on = models.DateField(
        "order ends on", null=True, blank=True, validators=[validate_plausible_day]
    )
    placement = models.CharField(max_length=20, choices=YoungPerson.Placement, blank=True)

    # Why ICMS, and why now.
    presenting_issues = models.JSONField(
        default=dict, blank=True, help_text="By life domain: what is happening."
    )
    risks = ArrayField(models.CharField(max_length=20, choices=Risk), default=list, blank=True)
    risk_details = models.TextField(max_length=4000, blank=True)
    tried_before = models.TextField(
        "what has been tried, and why a less assertive approach has not worked",
        max_length=4000,
        blank=True,
    )
    permanency_objective = models.CharField(
        max_length=15, choices=YoungPerson.Permanency, default=YoungPerson.Permanency.NOT_DECIDED
    )
    register_listed = models.BooleanField(
        "listed on the divisional high-risk youth register", default=False
    )
    register_listed_on = models.DateField(
        "listed on", null=True, blank=True, validators=[validate_past_day]
    )
    urgency = models.CharField(max_length=10, choices=Urgency, default=Urgency.ROUTINE)
    consent = models.CharField(
        "the young person and the referral", max_length=10, choices=Consent, blank=True
    )
    consent_notes = models.CharField(max_length=500, blank=True)
    referrer_phone = models.CharField(
        "your phone", max_length=40, blank=True, help_text="How the ICMS team can reach you."
    )

    # The decision.
    decline_reason = models.CharField(max_length=12, choices=DeclineReason, blank=True)
    decision_notes = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["team", "status", "submitted_at"]),
            models.Index(fields=["referred_by", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="referral_submitted_at_once_submitted",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.preferred_name or self.given_name} {self.family_name}".strip()
        return f"Referral of {name or 'a young person'}"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}".strip()

    @property
    def issues_by_domain(self) -> list[tuple[str, str]]:
        """(life domain, what is happening), in the order of the domains."""
        return [
            (domain.label, self.presenting_issues[domain.value])
            for domain in LifeDomain
            if self.presenting_issues.get(domain.value)
        ]

    @property
    def risk_labels(self) -> list[str]:
        return choice_labels(self.risks, self.Risk)

    @property
    def is_open(self) -> bool:
        """Still waiting for a decision (or for its practitioner to submit it)."""
        return self.status in OPEN_STATUSES


OPEN_STATUSES = {
    Referral.Status.DRAFT,
    Referral.Status.SUBMITTED,
    Referral.Status.UNDER_CONSIDERATION,
    Referral.Status.WAITLISTED,
}


class ReferralMove(models.Model):
    """One move of a referral: from which status to which, who, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="moves")
    from_status = models.CharField(max_length=12, choices=Referral.Status)
    to_status = models.CharField(max_length=12, choices=Referral.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=2000, blank=True)
    # A decision keeps the team's capacity as the supervisor saw it (referrals.queries.Capacity):
    # the figures stand however the caseload changes afterwards.
    weighted_caseload = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    caseload_limit = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    headroom = models.DecimalField(
        "headroom after this young person", max_digits=8, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_status} → {self.to_status}"


class ReferralKeyPerson(models.Model):
    """Family or a significant other the referral names; a key person of the record once the
    referral is accepted."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="key_people")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=KeyPerson.Relationship)
    is_support = models.BooleanField(
        "a support", default=True, help_text="Someone the young person can rely on."
    )
    phone = models.CharField(max_length=40, blank=True)
    notes = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "referral key people"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display().lower()})"


class ReferralProfessional(models.Model):
    """Someone of the professional network the referral names; on the record once accepted."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="professionals")
    role = models.CharField(max_length=20, choices=ProfessionalContact.Role)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_role_display()}"


def _attachment_path(attachment: "ReferralAttachment", filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never on disk.
    return f"referrals/{attachment.referral_id}/{uuid.uuid4().hex}"


class ReferralAttachment(models.Model):
    """A document sent with a referral (PDF, Word, or a photo), checked by its content."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # A document attached by mistake to a submitted referral is withdrawn, never deleted.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField("why", max_length=300, blank=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


@pghistory.track()
class CaseManagementAgreement(models.Model):
    """The formal case management agreement ICMS enters into for every young person taken on:
    accepted from a referral, or taken on outside one (a transfer from another service)."""

    class Source(models.TextChoices):
        REFERRAL = "referral", "A referral from child protection"
        TRANSFER = "transfer", "Outside a referral (a transfer from another service)"

    source = models.CharField(max_length=10, choices=Source, default=Source.REFERRAL)
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="agreement"
    )
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="agreements"
    )
    agreed_on = models.DateField(validators=[validate_past_day])
    parties = models.TextField(max_length=1000)
    terms = models.TextField(max_length=8000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-agreed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="referral", referral__isnull=False)
                | Q(source="transfer", referral__isnull=True),
                name="agreement_of_a_referral_or_a_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"Case management agreement for {self.young_person}, {show_date(self.agreed_on)}"


@pghistory.track()
class Consultation(models.Model):
    """Case consultancy: advice ICMS gave to a practitioner or another body about a young
    person it could not take on, or about whom it was asked."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="consultations"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    asked_by = models.CharField("who asked", max_length=200)
    organisation = models.CharField(max_length=200)
    asked_on = models.DateField(default=timezone.localdate, validators=[validate_past_day])
    question = models.TextField("what they asked about", max_length=4000)
    advice = models.TextField("the advice given", max_length=8000)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations_given"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Consultation for {self.asked_by} ({self.organisation}), {show_date(self.asked_on)}"
