from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from referrals.models import Referral
from toolkit.choices import choice_labels
from toolkit.formats import show_date
from toolkit.models import Meeting
from toolkit.validators import validate_past_day, validate_plausible_day


@pghistory.track()
class RegisterEntry(models.Model):
    """A young person listed on a division's high-risk youth register. Removal closes the entry
    (it is kept); a young person is on at most one active entry."""

    # Child protection's record about the young person: it goes on after ICMS closes its file.
    part_of_the_file = False

    class Status(models.TextChoices):
        ACTIVE = "active", "Listed"
        REMOVED = "removed", "Removed"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="register_entries"
    )
    division = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="register_entries"
    )
    listed_on = models.DateField(validators=[validate_past_day])
    risk_factors = ArrayField(
        models.CharField(max_length=20, choices=Referral.Risk), default=list, blank=True
    )
    risk_details = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_on = models.DateField(null=True, blank=True, validators=[validate_past_day])
    removal_reason = models.TextField(max_length=2000, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "register entries"
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(status="active"),
                name="register_one_active_entry",
            ),
            models.CheckConstraint(
                condition=Q(status="active")
                | (Q(removed_on__isnull=False) & ~Q(removal_reason="")),
                name="register_removal_dated_and_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.young_person} on the {self.division} register"

    @property
    def risk_labels(self) -> list[str]:
        return choice_labels(self.risk_factors, Referral.Risk)


class LiaisonMeeting(Meeting):
    """The division's regular formal meeting of child protection, placement coordination,
    mental health, drug and alcohol services and ICMS. The young people discussed are the
    register reviews it completed."""

    division = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="liaison_meetings"
    )
    agencies = ArrayField(
        models.CharField(max_length=20), default=list, verbose_name="agencies present"
    )
    attendees = models.TextField("who attended, by name", max_length=2000, blank=True)

    def __str__(self) -> str:
        return f"{self.division} liaison meeting, {show_date(self.held_on)}"

    @property
    def agency_labels(self) -> list[str]:
        return choice_labels(self.agencies, RegisterReview.Participant)


class MeetingAction(models.Model):
    """Something the meeting agreed someone will do."""

    meeting = models.ForeignKey(LiaisonMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("what", max_length=500)
    owner = models.CharField("who", max_length=200)
    due_on = models.DateField("by when", null=True, blank=True, validators=[validate_plausible_day])

    def __str__(self) -> str:
        return self.description


@pghistory.track()
class RegisterReview(models.Model):
    """A fortnightly review of an active entry: made (due) by the daily job, completed with the
    outcome. One open review per entry: the database holds that, so the job may run any number
    of times, at once too."""

    class Outcome(models.TextChoices):
        REMAIN = "remain", "Remain listed"
        REMOVE = "remove", "Remove from the register"
        ESCALATE = "escalate", "Escalate"

    class Participant(models.TextChoices):
        CHILD_PROTECTION = "child_protection", "Child protection"
        ICMS = "icms", "ICMS"
        PLACEMENT = "placement", "Placement coordination"
        MENTAL_HEALTH = "mental_health", "Mental health"
        ALCOHOL_AND_DRUGS = "aod", "Drug and alcohol services"
        POLICE = "police", "Police"
        EDUCATION = "education", "Education"
        YOUNG_PERSON = "young_person", "The young person"
        FAMILY = "family", "Family"

    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(validators=[validate_plausible_day])
    reviewed_on = models.DateField(null=True, blank=True, validators=[validate_past_day])
    participants = ArrayField(
        models.CharField(max_length=20, choices=Participant),
        default=list,
        blank=True,
        verbose_name="who took part",
    )
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        LiaisonMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="The liaison meeting that held the review, if one did.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(reviewed_on__isnull=True),
                name="register_one_open_review",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=True) | ~Q(outcome=""),
                name="register_review_has_an_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(reviewed_on__isnull=True), name="register_open_due"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.entry}, due {show_date(self.due_on)}"

    @property
    def overdue(self) -> bool:
        return self.reviewed_on is None and self.due_on < timezone.localdate()

    @property
    def due_soon(self) -> bool:
        """Open and due within a week (or overdue): the time to hold it."""
        return self.reviewed_on is None and self.due_on <= timezone.localdate() + timedelta(7)

    @property
    def participant_labels(self) -> list[str]:
        return choice_labels(self.participants, self.Participant)


class ListingRequest(models.Model):
    """ICMS asks the division's register coordinator to confirm that a young person is on the
    register: a referral that says they are listed, or a record a team opened outside a referral
    (a transfer from another service). The coordinator lists them, so that the entry says who
    listed them and when, or says they are not listed and why. ICMS takes on nobody without
    the coordinator's entry."""

    # Child protection's record about the young person: it goes on after ICMS closes its file.
    part_of_the_file = False

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the register coordinator"
        LISTED = "listed", "Listed"
        NOT_LISTED = "not_listed", "Not listed"

    division = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="listing_requests"
    )
    referral = models.OneToOneField(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listing_request",
    )
    young_person = models.ForeignKey(
        "clients.YoungPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listing_requests",
        help_text="The record opened outside a referral, when there is no referral.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status, default=Status.WAITING)
    entry = models.ForeignKey(
        RegisterEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("why they are not listed", max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=True) ^ Q(young_person__isnull=True),
                name="register_listing_request_of_a_referral_or_a_record",
            ),
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(status="waiting"),
                name="register_one_waiting_request_per_record",
            ),
            models.CheckConstraint(
                condition=~Q(status="listed") | Q(entry__isnull=False),
                name="register_listing_request_listed_with_its_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_listed") | ~Q(reason=""),
                name="register_listing_request_not_listed_explained",
            ),
        ]
        indexes = [
            models.Index(
                fields=["division"], condition=Q(status="waiting"), name="register_waiting_listings"
            )
        ]

    def __str__(self) -> str:
        return f"Listing of {self.display_name} on the {self.division} register"

    @property
    def about(self) -> "Referral | models.Model":
        """Whose details the coordinator checks: the referral's, or the record's."""
        return self.referral or self.young_person

    @property
    def display_name(self) -> str:
        return self.about.display_name


@pghistory.track()
class Escalation(models.Model):
    """A register review (on its own or at a liaison meeting) escalated a young person: the
    team's supervisor and the primary case manager are told, and the young person is flagged
    until one of the ICMS workers who hold the case records what was done."""

    # Child protection's record about the young person: it goes on after ICMS closes its file.
    part_of_the_file = False

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="escalations"
    )
    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="escalations")
    review = models.OneToOneField(
        RegisterReview, on_delete=models.PROTECT, related_name="escalation"
    )
    what = models.TextField("what is escalated, and why", max_length=2000)
    escalated_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name="told"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    what_was_done = models.TextField("what was done", max_length=4000, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True, what_was_done="")
                | (Q(resolved_at__isnull=False, resolved_by__isnull=False) & ~Q(what_was_done="")),
                name="register_escalation_resolved_by_whom_and_how",
            ),
        ]
        indexes = [
            models.Index(
                fields=["young_person"],
                condition=Q(resolved_at__isnull=True),
                name="register_escalation_open",
            )
        ]

    def __str__(self) -> str:
        return f"Escalation of {self.young_person}, {show_date(self.raised_at)}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
