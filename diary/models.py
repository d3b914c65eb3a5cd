from datetime import datetime, timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clients.models import Contact, Versioned
from toolkit.choices import choice_labels
from toolkit.formats import show_datetime

# A repeating appointment is made as rows, at most this many: half a year of weekly visits.
MOST_OCCURRENCES = 26


@pghistory.track()
class Appointment(Versioned):
    """Something planned with a young person: the GP with their psychiatrist, school, court,
    Thursday's home visit. A repeating one is a row per occurrence, the rows sharing a
    `series`; each then has its own outcome (attended, with the contact it became; not
    attended, with the attempt recorded; or cancelled)."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit or outreach"
        HEALTH = "health", "Health"
        SCHOOL = "school", "School or training"
        COURT = "court", "Court or legal"
        FAMILY = "family", "Family"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        ATTENDED = "attended", "Attended"
        NOT_ATTENDED = "not_attended", "Not attended"
        CANCELLED = "cancelled", "Cancelled"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="appointments"
    )
    what = models.CharField(max_length=120)
    kind = models.CharField(max_length=15, choices=Kind, default=Kind.HOME_VISIT)
    starts_at = models.DateTimeField("when")
    duration_minutes = models.PositiveSmallIntegerField("minutes", default=60)
    place = models.CharField("where", max_length=200, blank=True)
    show_place_in_feed = models.BooleanField(
        "show the place in my phone's calendar",
        default=False,
        help_text="Otherwise the calendar on your phone shows only the kind and initials.",
    )
    key_people = models.ManyToManyField(
        "clients.KeyPerson", blank=True, related_name="+", verbose_name="family and others"
    )
    professionals = models.ManyToManyField(
        "clients.ProfessionalContact", blank=True, related_name="+"
    )
    participants = ArrayField(
        models.CharField(max_length=15, choices=Contact.Participant),
        verbose_name="also present",
        default=list,
        blank=True,
    )
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="appointments", verbose_name="who goes from ICMS"
    )
    transport_needed = models.BooleanField("transport needed", default=False)
    note = models.TextField(max_length=1000, blank=True)
    series = models.UUIDField(null=True, blank=True, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=15, choices=Outcome, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField("why cancelled", max_length=300, blank=True)
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="appointment"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["young_person", "starts_at"]),
            models.Index(
                fields=["series", "starts_at"],
                condition=Q(series__isnull=False),
                name="diary_series",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="diary_duration_within_a_day",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True)
                | (~Q(outcome="") & Q(outcome_at__isnull=False, outcome_by__isnull=False)),
                name="diary_outcome_says_when_and_who",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="cancelled") | Q(contact__isnull=True),
                name="diary_cancelled_has_no_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.what}, {show_datetime(self.starts_at)}"

    def get_absolute_url(self) -> str:
        return reverse("diary:appointment", args=[self.pk])

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        """Still to be given an outcome."""
        return not self.outcome

    @property
    def participants_display(self) -> str:
        return ", ".join(
            label.lower() for label in choice_labels(self.participants, Contact.Participant)
        )

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class FeedLink(models.Model):
    """A worker's private calendar link. Only a hash of its token is kept: the link is shown
    once, when made. A worker has at most one link in force; revoking it ends it for good."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(revoked_at__isnull=True),
                name="diary_one_feed_link_per_worker",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar link of {self.worker}, made {show_datetime(self.created_at)}"
