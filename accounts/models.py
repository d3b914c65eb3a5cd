from datetime import date, timedelta
from decimal import Decimal

import pghistory
import rules
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property

from toolkit.formats import show_date
from toolkit.validators import validate_plausible_day


class Role(models.TextChoices):
    """The roles of DOMAIN.md. Each is a Django group of the same name."""

    CASE_MANAGER = "Case manager", "Case manager"
    SUPERVISOR = "Supervisor", "Supervisor"
    PRACTITIONER = "Child protection practitioner", "Child protection practitioner"
    REGISTER_COORDINATOR = "Register coordinator", "Register coordinator"
    ADMINISTRATOR = "Administrator", "Administrator"


class Discipline(models.TextChoices):
    INTENSIVE_CASE_MANAGER = "icm", "Intensive case manager"
    DRUG_AND_ALCOHOL = "aod", "Drug and alcohol worker"
    MENTAL_HEALTH = "mh", "Mental health worker"
    YOUTH_WORK = "youth", "Youth worker"
    SOCIAL_WORK = "social", "Social worker"


class Division(models.Model):
    """A child protection region. Each keeps its own high-risk youth register."""

    name = models.CharField(max_length=100, unique=True)
    register_review_days = models.PositiveSmallIntegerField(
        "days between register reviews",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A listed young person's next review falls due this many days after the last.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """An ICMS team: a supervisor (team leader) and the workers who are its members."""

    name = models.CharField(max_length=100, unique=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="teams")
    supervisor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    weighted_caseload_limit = models.DecimalField(
        "weighted caseload limit",
        max_digits=4,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text="A worker whose caseload, weighted by intensity, is above this is shown as "
        "overloaded in the caseload review.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. ICMS staff belong to a team; child protection staff to a division."""

    discipline = models.CharField(
        max_length=10,
        choices=Discipline,
        blank=True,
        help_text="For ICMS workers: the discipline they bring to a care team.",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="For ICMS workers and supervisors.",
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_protection_staff",
        help_text="For child protection practitioners and register coordinators.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """A permission of ICMS's access policy (each app's rules.py) is that policy's alone to
        answer: Django's superuser flag, which passes every permission, and a model permission
        of the same name given in the admin site pass none of it (DOMAIN.md: the administrator
        reads client records only through the audited trail). The admin site's own model
        permissions keep Django's rules."""
        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    async def ahas_perm(self, perm: str, obj: object = None) -> bool:
        return await sync_to_async(self.has_perm)(perm, obj)


LONGEST_COVER = timedelta(weeks=12)


class CoverQuerySet(models.QuerySet):
    def on(self, day: date) -> "CoverQuerySet":
        """The covers in force on `day`: between their dates (both included), not ended early."""
        return self.filter(starts_on__lte=day, ends_on__gte=day, ended_early_at__isnull=True)


@pghistory.track()
class Cover(models.Model):
    """While a worker or a whole team's supervisor is away, a colleague covers: the covered
    worker's caseload, or the team as its supervisor would. Access and reminders follow the
    cover for its dates (accounts.cover says who covers what today) and end with it."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covers_of_caseload",
        help_text="The worker whose caseload is covered; or leave empty and choose a team.",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covers",
        help_text="The team covered as its supervisor would; or leave empty and choose a worker.",
    )
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="covers_given"
    )
    starts_on = models.DateField("from", validators=[validate_plausible_day])
    ends_on = models.DateField(
        "until", help_text="The last day of the cover.", validators=[validate_plausible_day]
    )
    reason = models.CharField(max_length=200)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    arranged_at = models.DateTimeField(default=timezone.now)
    ended_early_at = models.DateTimeField(null=True, blank=True)
    ended_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CoverQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(worker__isnull=False, team__isnull=True)
                | Q(worker__isnull=True, team__isnull=False),
                name="cover_of_a_worker_or_a_team",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cover_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__lt=F("starts_on") + LONGEST_COVER),
                name="cover_at_most_twelve_weeks",
            ),
            models.CheckConstraint(
                condition=~Q(covered_by=F("worker")), name="cover_not_by_the_covered_worker"
            ),
            models.CheckConstraint(
                condition=Q(ended_early_at__isnull=True) | Q(ended_early_by__isnull=False),
                name="cover_ended_early_by_someone",
            ),
        ]

    def __str__(self) -> str:
        covered = f"{self.worker}'s caseload" if self.worker_id else f"the team {self.team}"
        return f"{self.covered_by} covering {covered} until {show_date(self.ends_on)}"


class ExternalSystem(models.Model):
    """Another system that uses ICMS's API and its event feeds: a child protection integration,
    the agency's data warehouse. It acts through an account of its own, which cannot sign in to
    the pages: the account's roles and its team or division are the system's scope, under the
    same access policy as a person's (DOMAIN.md; clients.rules for what a system reads)."""

    name = models.CharField(max_length=100, unique=True)
    account = models.OneToOneField(User, on_delete=models.PROTECT, related_name="external_system")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A named token of an external system. The secret is shown once, when it is made, and kept
    only hashed (django-rest-knox's AuthToken); revoking or expiry deletes knox's row, so that
    the token no longer works, and this row stays as its history."""

    system = models.ForeignKey(ExternalSystem, on_delete=models.PROTECT, related_name="tokens")
    name = models.CharField(max_length=100, help_text="Where it is used, e.g. “OpenFn production”.")
    knox_token = models.OneToOneField(
        "knox.AuthToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="named",
    )
    prefix = models.CharField(max_length=16, help_text="The token's first characters.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def works(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def last_day(self) -> date:
        """The last day it works (it expires at the midnight that ends it)."""
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()
