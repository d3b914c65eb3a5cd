from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Replace
from django.utils import timezone

from toolkit.choices import choice_labels
from toolkit.formats import show_date, show_datetime
from toolkit.validators import validate_date_of_birth, validate_past_day, validate_plausible_day

if TYPE_CHECKING:
    from accounts.models import User


class LifeDomain(models.TextChoices):
    """The areas of a young person's life that referrals, goals and reports speak of."""

    HOUSING = "housing", "Housing"
    EDUCATION = "education", "Education and employment"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    ALCOHOL_AND_DRUGS = "aod", "Alcohol and drugs"
    FAMILY = "family", "Family and relationships"
    LIVING_SKILLS = "living_skills", "Living skills"
    SAFETY = "safety", "Safety"
    CULTURE = "culture", "Culture and identity"
    LEGAL = "legal", "Legal"
    FINANCES = "finances", "Finances"
    SOCIAL = "social", "Social and recreational"


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
                condition=Q(caseload_weight__gt=0), name="intensity_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(contact_threshold_days__gt=0), name="intensity_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Versioned(models.Model):
    """A record edited in place, by optimistic locking: an edit names the version it started
    from, and one that started from an older version is refused (clients.services.Conflict)
    with what was saved in between; who changed it last, and when."""

    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class RestrictionReason(models.TextChoices):
    """Why an entry's content is kept to a few readers. Shown only to those readers: the reason
    itself ("sexual exploitation") would tell the others what the entry says."""

    HEALTH = "health", "Health"
    DRUG_AND_ALCOHOL = "aod_treatment", "Drug and alcohol treatment"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    FAMILY_CONFIDENTIAL = "family_confidential", "A family member's confidential information"


class RestrictableEntry(models.Model):
    """An entry on a young person's file (a contact note, a document, a crisis record) whose
    content can be restricted. A restricted entry's content is read only by its authors, the
    young person's primary case manager, their team's supervisor and the people the author
    names; the others who see the young person see that it exists (when, by whom), not what it
    says. Who may read is decided in one place: clients.rules.with_readable_content and
    clients.rules.can_read_content."""

    # db_default: rows loaded in bulk by SQL (the scale data, the benchmarks) are not restricted.
    restricted_because = models.CharField(
        "restricted",
        max_length=20,
        choices=RestrictionReason,
        blank=True,
        default="",
        db_default="",
    )
    restricted_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="also readable by"
    )
    # The fields naming the entry's authors: ForeignKeys or ManyToManyFields to the user.
    author_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_restricted(self) -> bool:
        return bool(self.restricted_because)


class YoungPersonQuerySet(models.QuerySet):
    def allocated_to(self, worker: User) -> YoungPersonQuerySet:
        """Young people the worker is allocated to now, as primary case manager or care team."""
        return self.filter(pk__in=allocated_ids([worker]))

    def open(self) -> YoungPersonQuerySet:
        return self.exclude(status__in=[YoungPerson.Status.CLOSED, YoungPerson.Status.MERGED])


def allocated_ids(workers: list[User] | models.QuerySet[User]) -> models.QuerySet:
    """The ids of the young people allocated now to any of `workers` (primary or care team), as
    one UNION: each side reads its own index, where an OR of the two would read every young
    person (14 ms at 10,000 young people, on every page)."""
    primary = YoungPerson.objects.filter(primary_case_manager__in=workers).values("pk")
    care_team = Allocation.objects.filter(worker__in=workers, ended_on__isnull=True)
    return primary.order_by().union(care_team.values("young_person").order_by())


@pghistory.track(exclude=["search"])
class YoungPerson(Versioned):
    """A young person known to child protection and referred to or supported by ICMS."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        ACTIVE = "active", "Active"
        EXITING = "exiting", "Exiting"
        CLOSED = "closed", "Closed"
        # A second record of someone ICMS already held: a pointer to the record kept (Merge).
        MERGED = "merged", "Merged into another record"

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NON_BINARY = "non_binary", "Non-binary"
        SELF_DESCRIBED = "self_described", "Uses a different term"
        NOT_STATED = "not_stated", "Not stated"

    class Indigenous(models.TextChoices):
        ABORIGINAL = "aboriginal", "Aboriginal"
        TORRES_STRAIT_ISLANDER = "tsi", "Torres Strait Islander"
        BOTH = "both", "Both Aboriginal and Torres Strait Islander"
        NEITHER = "neither", "Neither"
        NOT_STATED = "not_stated", "Not stated"

    class LegalOrder(models.TextChoices):
        NONE = "none", "No order"
        INTERIM_ACCOMMODATION = "iao", "Interim accommodation order"
        FAMILY_PRESERVATION = "fpo", "Family preservation order"
        FAMILY_REUNIFICATION = "fro", "Family reunification order"
        CARE_BY_SECRETARY = "cbso", "Care by Secretary order"
        LONG_TERM_CARE = "ltco", "Long-term care order"
        PERMANENT_CARE = "pco", "Permanent care order"
        THERAPEUTIC_TREATMENT = "tto", "Therapeutic treatment order"
        OTHER = "other", "Other order"

    class Placement(models.TextChoices):
        PARENT = "parent", "With a parent"
        HOME_BASED = "home_based", "Home-based (foster) care"
        KINSHIP = "kinship", "Kinship care"
        RESIDENTIAL = "residential", "Residential care"
        LEAD_TENANT = "lead_tenant", "Lead tenant"
        INDEPENDENT = "independent", "Independent living"
        SECURE_WELFARE = "secure_welfare", "Secure welfare"
        CUSTODY = "custody", "Youth justice custody"
        HOMELESS = "homeless", "Homeless"
        OTHER = "other", "Other"

    class Permanency(models.TextChoices):
        """Child protection's permanency objective: a decision ICMS records, never makes."""

        FAMILY_PRESERVATION = "preservation", "Family preservation"
        FAMILY_REUNIFICATION = "reunification", "Family reunification"
        ADOPTION = "adoption", "Adoption"
        PERMANENT_CARE = "permanent_care", "Permanent care"
        LONG_TERM_CARE = "long_term", "Long-term out-of-home care"
        NOT_DECIDED = "not_decided", "Not yet decided"

    class Consent(models.TextChoices):
        NOT_DISCUSSED = "not_discussed", "Not yet discussed"
        GIVEN = "given", "Consents to share with the care team's agencies"
        LIMITED = "limited", "Consents with limits (see notes)"
        REFUSED = "refused", "Does not consent"

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    gender = models.CharField(max_length=20, choices=Gender, default=Gender.NOT_STATED)
    gender_description = models.CharField("gender, in their words", max_length=100, blank=True)
    indigenous_status = models.CharField(
        "Aboriginal and/or Torres Strait Islander",
        max_length=20,
        choices=Indigenous,
        default=Indigenous.NOT_STATED,
    )
    cultural_background = models.CharField(max_length=200, blank=True)
    language = models.CharField("language spoken at home", max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    child_protection_number = models.CharField(
        "child protection client number", max_length=30, blank=True
    )
    # The permanency objective, the legal order and the placement are child protection's
    # decisions: its practitioner changes them (clients.services.record_child_protection_decisions,
    # each change a dated ChildProtectionDecision); ICMS reads them.
    permanency_objective = models.CharField(
        max_length=15,
        choices=Permanency,
        default=Permanency.NOT_DECIDED,
        db_default=Permanency.NOT_DECIDED,
    )
    legal_order = models.CharField(max_length=10, choices=LegalOrder, default=LegalOrder.NONE)
    legal_order_ends_on = models.DateField(
        "order ends on", null=True, blank=True, validators=[validate_plausible_day]
    )
    placement = models.CharField(max_length=20, choices=Placement, blank=True)
    placement_details = models.CharField(
        max_length=300, blank=True, help_text="Carer or unit, and anything a visitor must know."
    )
    information_sharing = models.CharField(
        "consent to share information",
        max_length=20,
        choices=Consent,
        default=Consent.NOT_DISCUSSED,
    )
    information_sharing_notes = models.TextField(max_length=2000, blank=True)
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
    # The current primary allocation, kept by clients.services.allocate_primary together with
    # the dated Allocation rows that hold the history.
    primary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_young_people",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A closed file once after-care is over: read-only, off the everyday lists and search, found
    # only by the audited archive search (records app); cleared when an episode reopens.
    archived_on = models.DateField(null=True, blank=True, editable=False)
    search = models.GeneratedField(
        expression=SearchVector(
            Coalesce("given_name", models.Value("")),
            Coalesce("family_name", models.Value("")),
            Coalesce("preferred_name", models.Value("")),
            # PostgreSQL would read "CP-200145" as "CP" and the number -200145.
            Replace("child_protection_number", models.Value("-"), models.Value(" ")),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "young people"
        indexes = [
            models.Index(fields=["family_name", "date_of_birth"]),
            models.Index(fields=["team", "status"]),
            GinIndex(fields=["search"], name="young_person_search"),
            # Likely duplicates: the same birthday first, then names alike (clients.queries).
            models.Index(fields=["date_of_birth"], name="young_person_born"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(status="referred"),
                name="young_person_team_once_accepted",
                violation_error_message="A young person accepted into ICMS must have a team.",
            ),
            models.UniqueConstraint(
                fields=["child_protection_number"],
                condition=~Q(child_protection_number=""),
                name="young_person_child_protection_number_unique",
                violation_error_message="Another young person has this child protection number.",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="young_person_merged_points_to_the_record_kept",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clients:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name to use with the young person: their preferred name first."""
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def is_aboriginal_or_torres_strait_islander(self) -> bool:
        return self.indigenous_status in {
            self.Indigenous.ABORIGINAL,
            self.Indigenous.TORRES_STRAIT_ISLANDER,
            self.Indigenous.BOTH,
        }

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def latest_child_protection_decisions(self) -> dict[str, ChildProtectionDecision]:
        """The last decision recorded on each subject, by subject (from the prefetched
        history, newest first)."""
        latest: dict[str, ChildProtectionDecision] = {}
        for decision in self.child_protection_decisions.all():
            latest.setdefault(decision.subject, decision)
        return latest


class ChildProtectionDecision(models.Model):
    """A change child protection made to a decision that is theirs: the permanency objective,
    the legal order or the placement. Recorded by the young person's child protection
    practitioner, dated, never changed: the history of the decisions ICMS works within."""

    class Subject(models.TextChoices):
        PERMANENCY = "permanency", "Permanency objective"
        LEGAL_ORDER = "legal_order", "Legal order"
        PLACEMENT = "placement", "Placement"

    class PlacementReason(models.TextChoices):
        """Why the placement changed: a move counts towards placement stability, a correction of
        what was recorded does not."""

        PLANNED = "planned", "Planned move"
        BREAKDOWN = "breakdown", "Placement breakdown"
        SAFETY = "safety", "Safety"
        CHOICE = "choice", "The young person's choice"
        REUNIFICATION = "reunification", "Reunification"
        INTO_CUSTODY = "into_custody", "Into custody"
        OUT_OF_CUSTODY = "out_of_custody", "Out of custody"
        OTHER = "other", "Other"
        CORRECTION = "correction", "Not a move: correcting what was recorded"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="child_protection_decisions"
    )
    subject = models.CharField(max_length=15, choices=Subject)
    before = models.CharField("was", max_length=500, blank=True)
    after = models.CharField("now", max_length=500)
    decided_on = models.DateField(validators=[validate_past_day])
    note = models.CharField(max_length=500, blank=True)
    # A placement decision's facts: the placement it moved to and why (placement stability).
    placement = models.CharField(
        "placement now", max_length=20, choices=YoungPerson.Placement, blank=True
    )
    placement_reason = models.CharField(
        "why the placement changed", max_length=20, choices=PlacementReason, blank=True
    )
    placement_reason_details = models.CharField("the reason, in words", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "-id"]
        indexes = [
            models.Index(
                fields=["young_person", "decided_on"],
                condition=Q(subject="placement"),
                name="placement_change_by_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.after} (decided {show_date(self.decided_on)})"

    @property
    def is_placement_move(self) -> bool:
        return (
            self.subject == self.Subject.PLACEMENT
            and self.placement_reason != self.PlacementReason.CORRECTION
        )


@pghistory.track()
class Allocation(models.Model):
    """A worker allocated to a young person, as primary case manager or in the care team, from
    one date to another (open-ended while current). Ended, never deleted: the history stays."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary case manager"
        CARE_TEAM = "care_team", "Care team"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="allocations"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    role = models.CharField(max_length=10, choices=Role)
    started_on = models.DateField(default=timezone.localdate, validators=[validate_plausible_day])
    ended_on = models.DateField(null=True, blank=True, validators=[validate_plausible_day])
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # When the allocation and its ending were recorded: their moments on the timeline.
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(role="primary", ended_on__isnull=True),
                name="allocation_one_current_primary",
                violation_error_message="A young person has one primary case manager at a time.",
            ),
            models.UniqueConstraint(
                fields=["young_person", "worker"],
                condition=Q(ended_on__isnull=True),
                name="allocation_worker_once_at_a_time",
                violation_error_message="This worker is already allocated to the young person.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="allocation_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} ({self.get_role_display().lower()}) for {self.young_person}"


@pghistory.track()
class KeyPerson(Versioned):
    """Family and significant others in the young person's life."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        SIBLING = "sibling", "Sibling"
        GRANDPARENT = "grandparent", "Grandparent"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        CARER = "carer", "Carer"
        PARTNER = "partner", "Partner"
        FRIEND = "friend", "Friend"
        ELDER = "elder", "Elder or community member"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="key_people"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship)
    is_support = models.BooleanField(
        "a support", default=True, help_text="Someone the young person can rely on."
    )
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-active", "-is_support", "name"]
        verbose_name_plural = "key people"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display().lower()})"


@pghistory.track()
class ProfessionalContact(Versioned):
    """The professional network around the young person."""

    class Role(models.TextChoices):
        CHILD_PROTECTION = "child_protection", "Child protection practitioner"
        SCHOOL = "school", "School or training"
        GP = "gp", "GP"
        PSYCHIATRIST = "psychiatrist", "Psychiatrist"
        MENTAL_HEALTH = "mental_health", "Mental health service"
        DRUG_AND_ALCOHOL = "aod", "Drug and alcohol service"
        POLICE = "police", "Police"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        LAWYER = "lawyer", "Lawyer"
        HOUSING = "housing", "Housing"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="professionals"
    )
    role = models.CharField(max_length=20, choices=Role)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-active", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_role_display()}"


@pghistory.track()
class WorkerSafetyAlert(Versioned):
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
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}: {self.details}" if self.details else label


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
    disclosed_on = models.DateField("date shared", validators=[validate_past_day])
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
        return f"Shared with {self.recipient_organisation} on {show_date(self.disclosed_on)}"


class ContactQuerySet(models.QuerySet):
    def successful(self) -> ContactQuerySet:
        """Contacts that reached the young person and were not entered in error."""
        return self.filter(reached_young_person=True, entered_in_error_at__isnull=True)


@pghistory.track()
class Contact(RestrictableEntry):
    """A case note: a contact with or about the young person, including attempts that did not
    reach them. "After hours" is derived from the start time by the service, never typed."""

    class Mode(models.TextChoices):
        FACE_TO_FACE = "face", "Face to face"
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text or message"
        VIDEO = "video", "Video call"
        EMAIL = "email", "Email"

    class Location(models.TextChoices):
        HOME = "home", "Home or placement"
        COMMUNITY = "community", "Community"
        SCHOOL = "school", "School or training"
        HOSPITAL = "hospital", "Hospital"
        CUSTODY = "custody", "Custody"
        OFFICE = "office", "ICMS office"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        OUTREACH = "outreach", "Outreach support"
        CRISIS = "crisis", "Crisis intervention"
        ASSESSMENT = "assessment", "Assessment"
        ADVOCACY = "advocacy", "Advocacy"
        SKILL_BUILDING = "skills", "Skill building"
        TRANSPORT = "transport", "Transport"
        CONSULTATION = "consultation", "Consultation"
        CASE_PLANNING = "planning", "Case planning"

    class Participant(models.TextChoices):
        FAMILY = "family", "Family"
        CARER = "carer", "Carer"
        PROFESSIONALS = "professionals", "Professionals"
        OTHERS = "others", "Others"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="contacts")
    started_at = models.DateTimeField("when")
    duration_minutes = models.PositiveSmallIntegerField("minutes")
    mode = models.CharField("how", max_length=10, choices=Mode)
    location = models.CharField("where", max_length=10, choices=Location, blank=True)
    kind = models.CharField("what kind", max_length=15, choices=Kind)
    reached_young_person = models.BooleanField(
        "reached the young person",
        default=True,
        help_text="Untick for an attempt that did not reach them.",
    )
    participants = ArrayField(
        models.CharField(max_length=15, choices=Participant),
        verbose_name="also present",
        default=list,
        blank=True,
    )
    notes = models.TextField(max_length=10_000)
    follow_up = models.TextField("follow-up", max_length=2000, blank=True)
    after_hours = models.BooleanField(editable=False)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ContactWorker", related_name="contacts"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set when the note is changed more than a day after it was recorded; every earlier
    # version stays in its history (pghistory).
    amended_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)
    # Made by the form when it is opened: submitting twice records one contact.
    client_reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    author_fields = ("recorded_by", "workers")

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["young_person", "-started_at", "-id"]),
            models.Index(
                fields=["young_person", "-started_at"],
                condition=Q(reached_young_person=True, entered_in_error_at__isnull=True),
                name="contact_successful_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="contact_duration_within_a_day",
            ),
            models.CheckConstraint(
                condition=Q(started_at__lte=models.F("recorded_at") + timedelta(minutes=5)),
                name="contact_not_in_the_future",
            ),
        ]

    def __str__(self) -> str:
        when = show_datetime(self.started_at)
        # A restricted contact's kind is part of what it says: it is named without it.
        kind = "Restricted contact" if self.is_restricted else self.get_kind_display()
        return f"{kind} with {self.young_person} on {when}"

    @property
    def is_successful(self) -> bool:
        return self.reached_young_person and self.entered_in_error_at is None

    @property
    def participants_display(self) -> str:
        return ", ".join(
            label.lower() for label in choice_labels(self.participants, self.Participant)
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class ContactWorker(models.Model):
    """A worker who made the contact: the one who recorded it, and any who went with them."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "worker"], name="contact_worker_once")
        ]

    def __str__(self) -> str:
        return f"{self.worker} on {self.contact_id}"


class ContactDraft(models.Model):
    """A contact being written, saved every few seconds so that nothing typed is lost if the
    session ends before it is submitted. One per worker and young person; removed on submit."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)
    data = models.JSONField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "young_person"], name="contact_draft_one_per_worker"
            )
        ]

    def __str__(self) -> str:
        return f"Draft by {self.author} for {self.young_person}"


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
                condition=Q(expires_at__gt=models.F("granted_at")),
                name="break_glass_expires_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"After-hours access by {self.worker} to {self.young_person}"

    def is_active_at(self, moment: timezone.datetime) -> bool:
        return self.granted_at <= moment < self.expires_at


class Merge(models.Model):
    """Two records of one young person made one (clients.services.merge_young_people): the
    other record's parts moved to the record kept, and it stays as a pointer to it. Kept to
    explain the merge afterwards: who, when, why, and what moved."""

    kept = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="merges")
    merged = models.OneToOneField(YoungPerson, on_delete=models.PROTECT, related_name="merge")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField("why these are one young person", max_length=2000)
    # The other record as it was: {"name": ..., "date_of_birth": ..., "child_protection_number":
    # ..., "team": ..., "status": ...}
    merged_identity = models.JSONField(default=dict)
    # What moved, as [[kind, count], ...] in the order of the record's page.
    moved = models.JSONField(default=list)
    # How each part that could not simply move was settled, in words.
    settled = models.JSONField(default=list)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kept=models.F("merged")), name="merge_of_two_records"
            ),
        ]

    def __str__(self) -> str:
        return f"Record {self.merged_id} merged into {self.kept}"

    @property
    def merged_born(self) -> date:
        return date.fromisoformat(self.merged_identity["date_of_birth"])
