from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User


class IntensityLevel(models.Model):
    """A reference list kept by the administrator: what a young person weighs on a caseload and
    how often they are expected to be seen."""

    name = models.CharField(max_length=50, unique=True)
    caseload_weight = models.DecimalField(max_digits=3, decimal_places=1)
    contact_threshold_days = models.PositiveSmallIntegerField(
        help_text="Days without a successful contact before the case manager is reminded."
    )
    expected_contacts_per_fortnight = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-caseload_weight"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(caseload_weight__gt=0), name="intensity_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(contact_threshold_days__gt=0),
                name="intensity_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class YoungPersonQuerySet(models.QuerySet):
    def allocated_to(self, worker: User) -> YoungPersonQuerySet:
        """Young people the worker is allocated to, as primary case manager or in the care team."""
        in_care_team = CareTeamMember.objects.filter(worker=worker).values("young_person")
        return self.filter(models.Q(primary_case_manager=worker) | models.Q(pk__in=in_care_team))

    def open(self) -> YoungPersonQuerySet:
        return self.exclude(status=YoungPerson.Status.CLOSED)


class YoungPerson(models.Model):
    """A young person known to child protection and referred to or supported by ICMS."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        ACTIVE = "active", "Active"
        EXITING = "exiting", "Exiting"
        CLOSED = "closed", "Closed"

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    division = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="young_people"
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="young_people",
        help_text="The ICMS team holding the case.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.REFERRED)
    intensity = models.ForeignKey(
        IntensityLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    primary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_young_people",
    )
    care_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CareTeamMember",
        related_name="care_team_young_people",
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "young people"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(status="referred"),
                name="young_person_team_once_accepted",
                violation_error_message="A young person accepted into ICMS must have a team.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name to use with the young person: their preferred name first."""
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class CareTeamMember(models.Model):
    """A worker of the care team around a young person, beside their primary case manager."""

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="care_team_members"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_memberships"
    )
    joined_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "worker"], name="care_team_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} for {self.young_person}"
