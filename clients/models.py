from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pghistory
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


@pghistory.track()
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
    child_protection_number = models.CharField(
        "child protection client number", max_length=30, blank=True
    )
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
            models.UniqueConstraint(
                fields=["child_protection_number"],
                condition=~models.Q(child_protection_number=""),
                name="young_person_child_protection_number_unique",
                violation_error_message="Another young person has this child protection number.",
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


# Deletes too: leaving a care team is part of the record.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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


@pghistory.track()
class WorkerSafetyAlert(models.Model):
    """A risk to workers visiting or meeting the young person, shown on every page about them."""

    class Kind(models.TextChoices):
        VISIT_IN_PAIRS = "pairs", "Visit in pairs"
        DOG = "dog", "Dog at address"
        VIOLENCE = "violence", "Risk of violence"
        UNSAFE_ADDRESS = "address", "Unsafe address"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind)
    details = models.TextField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.details}"
            if self.details
            else self.get_kind_display()
        )


@pghistory.track()
class Disclosure(models.Model):
    """Information about the young person shared outside the agency, and on what authority."""

    class Authority(models.TextChoices):
        CONSENT_YOUNG_PERSON = "consent_yp", "Consent of the young person"
        CONSENT_GUARDIAN = "consent_guardian", "Consent of a parent or guardian"
        LEGISLATION = "legislation", "Authorised by legislation"
        COURT = "court", "Court order or subpoena"
        SERIOUS_THREAT = "threat", "Serious threat to someone's life, health or safety"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="disclosures"
    )
    disclosed_on = models.DateField("date shared")
    information = models.TextField("what was shared", max_length=2000)
    recipient_organisation = models.CharField("shared with (organisation)", max_length=200)
    recipient_person = models.CharField("shared with (person or role)", max_length=200, blank=True)
    authority = models.CharField("on what authority", max_length=20, choices=Authority)
    authority_detail = models.CharField(
        "consent or provision",
        max_length=300,
        blank=True,
        help_text="Whose consent and when, or which provision or order.",
    )
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-disclosed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Shared with {self.recipient_organisation} on {self.disclosed_on:%d/%m/%Y}"


class BreakGlassAccess(models.Model):
    """An on-call worker's time-limited access, after hours, to the safety information of a
    young person who is not on their caseload. Granted with a reason, audited, and reviewed by
    the young person's team supervisor."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.TextField(max_length=1000)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="break_glass_expires_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"After-hours access by {self.worker} to {self.young_person}"

    def is_active_at(self, moment: timezone.datetime) -> bool:
        return self.granted_at <= moment < self.expires_at
