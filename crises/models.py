import uuid
from datetime import datetime, timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import RestrictableEntry
from toolkit.choices import choice_labels
from toolkit.formats import show_datetime

# An after-hours crisis: one that stands (not entered in error) and happened after hours by
# toolkit.hours.is_after_hours (evening, weekend or public holiday, in local time), which
# record_crisis stores with it. Every list and count of them (the crisis log, the reports, the
# supervisors' digests) reads this one definition.
AFTER_HOURS_CRISIS = Q(after_hours=True, entered_in_error_at__isnull=True)


class CrisisEventQuerySet(models.QuerySet):
    def standing(self) -> "CrisisEventQuerySet":
        """Leaving out the crises marked entered in error."""
        return self.filter(entered_in_error_at__isnull=True)

    def after_hours(self) -> "CrisisEventQuerySet":
        return self.filter(AFTER_HOURS_CRISIS)

    def in_office_hours(self) -> "CrisisEventQuerySet":
        return self.standing().filter(after_hours=False)

    def happened_between(self, start: datetime, end: datetime) -> "CrisisEventQuerySet":
        """From `start` to before `end` (for a period of days: local midnights)."""
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


@pghistory.track()
class CrisisEvent(RestrictableEntry):
    """A crisis or after-hours event: who raised it, what happened, what was done, how it
    ended. Append-only: an event recorded by mistake is marked entered in error and kept.
    "After hours" is derived from the time by the service, never typed."""

    class Caller(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        CARER_FAMILY = "carer_family", "Carer or family"
        RESIDENTIAL = "residential", "Residential staff"
        POLICE = "police", "Police"
        HOSPITAL = "hospital", "Hospital"
        CHILD_PROTECTION = "child_protection", "Child protection"
        AFTER_HOURS_SERVICE = "ahcpes", "After-hours child protection emergency service"
        OTHER = "other", "Other"

    class Action(models.TextChoices):
        AFTER_HOURS_SERVICE = "ahcpes", "After-hours child protection emergency service consulted"
        POLICE = "police", "Police attended or contacted"
        HOSPITAL = "hospital", "Hospital or ambulance"
        MENTAL_HEALTH = "mental_health", "Mental health crisis team"
        CRISIS_PLAN = "crisis_plan", "Crisis plan followed"
        PHONE_SUPPORT = "phone_support", "Support by phone"
        WENT_OUT = "went_out", "A worker went out to the young person"
        SAFE_AT_HOME = "safe_at_home", "Young person safe at home or placement"

    class Safe(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Not known"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="crisis_events"
    )
    occurred_at = models.DateTimeField("when it happened")
    caller = models.CharField(
        "who raised it", max_length=200, help_text="For example “Residential carer (Sam)”."
    )
    caller_relationship = models.CharField("who they are", max_length=20, choices=Caller)
    what_happened = models.TextField(max_length=10_000)
    actions = ArrayField(
        models.CharField(max_length=20, choices=Action),
        default=list,
        blank=True,
        verbose_name="what was done",
    )
    action_details = models.TextField("details of what was done", max_length=4000, blank=True)
    outcome = models.TextField(max_length=4000)
    safe_at_end = models.CharField(
        "was the young person safe at the end?", max_length=10, choices=Safe
    )
    after_hours = models.BooleanField(editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)
    # Made by the form when it is opened: submitting twice (a double tap, a resend after a lost
    # connection) records one event.
    client_reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    author_fields = ("recorded_by",)

    objects = CrisisEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["young_person", "-occurred_at"]),
            models.Index(fields=["recorded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_at__lte=models.F("recorded_at") + timedelta(minutes=5)),
                name="crisis_not_in_the_future",
            ),
            models.CheckConstraint(
                condition=~Q(what_happened="") & ~Q(outcome=""),
                name="crisis_says_what_happened_and_the_outcome",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error_at__isnull=True, entered_in_error_reason="")
                | Q(entered_in_error_at__isnull=False) & ~Q(entered_in_error_reason=""),
                name="crisis_in_error_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Crisis for {self.young_person} on {show_datetime(self.occurred_at)}"

    @property
    def action_labels(self) -> list[str]:
        return choice_labels(self.actions, self.Action)
