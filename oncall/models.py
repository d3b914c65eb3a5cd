"""The after-hours on-call roster: each team's shifts (who is on call, with a backup), the swaps
between workers, and the alerts raised after hours, which go to the worker on call first."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from toolkit.formats import show_datetime
from toolkit.hours import is_working_day


class ShiftKind(models.TextChoices):
    DAY = "day", "Day"
    NIGHT = "night", "Evening and night"


@dataclass(frozen=True)
class Period:
    """A stretch of after hours that one shift covers."""

    kind: str
    starts_at: datetime
    ends_at: datetime

    @property
    def label(self) -> str:
        return ShiftKind(self.kind).label

    @property
    def day_name(self) -> str:
        """The local weekday it starts on ("Saturday"): a roster is read by the day."""
        return calendar.day_name[timezone.localtime(self.starts_at).weekday()]


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def periods_of(day: date) -> list[Period]:
    """The after-hours periods that start on `day`, in the service's local time: on a working
    day the evening and night, from closing to opening the next morning; on a weekend day or a
    public holiday also the day, from opening to closing. Consecutive days' periods meet, so
    together they cover every moment after hours."""
    opens, closes = settings.OFFICE_HOURS
    night = Period(ShiftKind.NIGHT, _at(day, closes), _at(day + timedelta(days=1), opens))
    if is_working_day(day):
        return [night]
    return [Period(ShiftKind.DAY, _at(day, opens), _at(day, closes)), night]


def periods_between(first: date, last: date) -> list[Period]:
    """The periods starting on the days from `first` to `last`, both included, in order."""
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return [period for day in days for period in periods_of(day)]


class OnCallShiftQuerySet(models.QuerySet):
    def at(self, moment: datetime) -> "OnCallShiftQuerySet":
        """The shifts under way at `moment`."""
        return self.filter(starts_at__lte=moment, ends_at__gt=moment)

    def of_worker(self, user_id: int) -> "OnCallShiftQuerySet":
        """The shifts `user_id` is on call for, as the worker or as the backup."""
        return self.filter(Q(worker_id=user_id) | Q(backup_id=user_id))


@pghistory.track()
class OnCallShift(models.Model):
    """One period of after hours for one team: the worker on call and their backup. Its history
    (who was rostered, when, by whom) is kept by pghistory; swaps are recorded as ShiftSwap."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    kind = models.CharField(max_length=10, choices=ShiftKind)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        verbose_name="on call",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_shifts",
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    handover_note = models.TextField(max_length=4000, blank=True)
    handover_at = models.DateTimeField(null=True, blank=True)

    objects = OnCallShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "team"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_at"], name="oncall_one_shift_a_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="oncall_shift_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=~Q(backup=F("worker")), name="oncall_backup_is_someone_else"
            ),
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]

    def __str__(self) -> str:
        return (
            f"{self.team}: {self.get_kind_display().lower()} from {show_datetime(self.starts_at)}"
        )

    def get_absolute_url(self) -> str:
        return reverse("oncall:roster", args=[self.team_id])

    @property
    def is_now(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at


class ShiftSwap(models.Model):
    """A shift handed from one worker to another of the team, and why. Append-only."""

    shift = models.ForeignKey(OnCallShift, on_delete=models.CASCADE, related_name="swaps")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    swapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    swapped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["swapped_at", "pk"]

    def __str__(self) -> str:
        return f"{self.shift}: {self.from_worker} to {self.to_worker}"


class AfterHoursAlert(models.Model):
    """Something that needs a worker after hours (a missed check-in, a crisis): told to the
    worker on call and the backup first, and to the supervisor if nobody acknowledges it in
    time. It names what it is about by its page (`url`) and a `key` unique to the event, so
    that this app needs none of the apps that raise alerts."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    raised_at = models.DateTimeField(default=timezone.now)
    told = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    supervisor_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=Q(acknowledged_at__isnull=True, supervisor_told_at__isnull=True),
                name="oncall_alert_waiting",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="oncall_alert_acknowledged_by_someone",
            )
        ]

    def __str__(self) -> str:
        return f"After-hours alert, {show_datetime(self.raised_at)}"

    def get_absolute_url(self) -> str:
        return reverse("oncall:alert", args=[self.pk])
