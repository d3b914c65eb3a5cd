from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from toolkit.formats import show_date

LONGEST_VISIT = timedelta(hours=24)


class VisitPlan(models.Model):
    """A worker going out alone: where, and when they expect to be back. Checking in closes it;
    one not checked in by then (and a grace period) tells the worker's supervisor. A worker has
    at most one open plan."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_plans"
    )
    young_person = models.ForeignKey(
        "clients.YoungPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_plans",
        verbose_name="young person visited",
    )
    place = models.CharField("where", max_length=200, help_text="The address or place.")
    purpose = models.CharField("what for", max_length=200, blank=True)
    contact = models.CharField("who else knows, or the phone you carry", max_length=200, blank=True)
    leaves_at = models.DateTimeField("leaving at", default=timezone.now)
    back_by = models.DateTimeField("expected back by")
    extended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the expected time back was last put later."
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_in_note = models.TextField(max_length=1000, blank=True)
    supervisor_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the supervisor was told of a missed check-in."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(checked_in_at__isnull=True),
                name="safety_one_open_visit_per_worker",
            ),
            models.CheckConstraint(
                condition=Q(back_by__gt=F("leaves_at")), name="safety_back_after_leaving"
            ),
            models.CheckConstraint(
                condition=Q(back_by__lte=F("leaves_at") + LONGEST_VISIT),
                name="safety_back_within_a_day",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True, checked_in_by__isnull=True)
                | Q(checked_in_at__isnull=False, checked_in_by__isnull=False),
                name="safety_check_in_says_who",
            ),
        ]
        indexes = [
            models.Index(
                fields=["back_by"],
                condition=Q(checked_in_at__isnull=True),
                name="safety_open_back_by",
            )
        ]

    def __str__(self) -> str:
        return f"Visit by {self.worker} to {self.place}, {show_date(self.leaves_at)}"

    def get_absolute_url(self) -> str:
        return reverse("visits:plan", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.checked_in_at is None

    @property
    def overdue(self) -> bool:
        return self.is_open and self.back_by < timezone.now()
