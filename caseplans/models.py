import uuid

import pghistory
from concurrency.fields import IntegerVersionField
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import LifeDomain
from toolkit.choices import choice_labels
from toolkit.formats import show_date
from toolkit.validators import validate_past_day, validate_plausible_day


@pghistory.track()
class CasePlan(models.Model):
    """One version of a young person's case plan. A draft is made with the young person,
    submitted, and approved by the supervisor, when it becomes current and the version before
    it is superseded. Only a draft changes; a current plan records progress on its tasks."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded"

    class Participant(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        FAMILY = "family", "Family"
        SIGNIFICANT_OTHERS = "significant_others", "Significant others"
        CHILD_PROTECTION = "child_protection", "Child protection"
        OTHER_AGENCIES = "other_agencies", "Other agencies"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="case_plans"
    )
    number = models.PositiveSmallIntegerField("version")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    starts_on = models.DateField("plan starts", validators=[validate_plausible_day])
    review_on = models.DateField("review by", validators=[validate_plausible_day])

    participants = ArrayField(
        models.CharField(max_length=20, choices=Participant),
        default=list,
        blank=True,
        verbose_name="who took part",
    )
    participation_notes = models.TextField(
        "who took part, by name, and how", max_length=2000, blank=True
    )
    young_persons_view = models.TextField(
        "the young person's view of the plan, in their words", max_length=4000, blank=True
    )
    agreed_on = models.DateField(
        "agreed with the young person on", null=True, blank=True, validators=[validate_past_day]
    )
    cultural_plan = models.TextField(
        "cultural plan", max_length=4000, blank=True,
        help_text="How the plan keeps the young person connected to culture, community and "
        "Country.",
    )  # fmt: skip
    cultural_organisation = models.CharField(
        "Aboriginal community-controlled organisation involved", max_length=200, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    version = IntegerVersionField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "number"], name="case_plan_number_once"
            ),
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(status="current"),
                name="case_plan_one_current",
            ),
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(status__in=["draft", "submitted"]),
                name="case_plan_one_in_the_making",
            ),
            models.CheckConstraint(
                condition=Q(review_on__gte=models.F("starts_on")),
                name="case_plan_reviewed_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Case plan {self.number} for {self.young_person}"

    @property
    def participant_labels(self) -> list[str]:
        return choice_labels(self.participants, self.Participant)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def review_overdue(self) -> bool:
        return self.status == self.Status.CURRENT and self.review_on < timezone.localdate()


@pghistory.track()
class Goal(models.Model):
    """What the young person wants, in their words, in one area of life."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DISCONTINUED = "discontinued", "Discontinued"

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    # The same goal in every version of the plan: versions are compared by it, and contacts
    # linked to the goal in an earlier version still show.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    domain = models.CharField("life domain", max_length=20, choices=LifeDomain)
    in_own_words = models.TextField("the goal, in the young person's words", max_length=1000)
    strengths = models.TextField("strengths it builds on", max_length=2000, blank=True)
    status = models.CharField(max_length=15, choices=Status, default=Status.NOT_STARTED)
    position = models.PositiveSmallIntegerField(default=0)
    version = IntegerVersionField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "lineage"], name="goal_once_per_plan")
        ]

    def __str__(self) -> str:
        return self.in_own_words


class GoalNote(models.Model):
    """Progress towards a goal, as it happens or at a review."""

    lineage = models.UUIDField(db_index=True)  # Goal.lineage: notes outlive plan versions
    text = models.TextField(max_length=4000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    review = models.ForeignKey(
        "PlanReview", on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


@pghistory.track()
class Task(models.Model):
    """A row of the action table: who does what, by when."""

    class Responsible(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        KEY_PERSON = "key_person", "Family member or significant other"
        CASE_MANAGER = "case_manager", "Case manager"
        CHILD_PROTECTION = "child_protection", "Child protection"
        AGENCY = "agency", "Another agency"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    description = models.CharField("what", max_length=500)
    responsible = models.CharField("who", max_length=20, choices=Responsible)
    key_person = models.ForeignKey(
        "clients.KeyPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.CharField("agency", max_length=200, blank=True)
    due_on = models.DateField("by when", validators=[validate_plausible_day])
    status = models.CharField(max_length=15, choices=Status, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True, validators=[validate_past_day])
    position = models.PositiveSmallIntegerField(default=0)
    version = IntegerVersionField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False),
                name="task_done_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(responsible="key_person") | Q(key_person__isnull=False),
                name="task_key_person_named",
            ),
            models.CheckConstraint(
                condition=~Q(responsible="agency") | ~Q(agency=""),
                name="task_agency_named",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def who(self) -> str:
        if self.responsible == self.Responsible.KEY_PERSON and self.key_person:
            return self.key_person.name
        if self.responsible == self.Responsible.AGENCY:
            return self.agency
        return self.get_responsible_display()

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.NOT_STARTED, self.Status.IN_PROGRESS}

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class TaskChange(models.Model):
    """The plan's history between reviews: a task added to the action table of the current
    plan, given to someone else, or given another date; who did it, when, and from what to
    what (as the table said then)."""

    class Kind(models.TextChoices):
        ADDED = "added", "added"
        REASSIGNED = "reassigned", "changed who does"
        REDATED = "redated", "changed the date of"

    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="table_changes")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind)
    before = models.CharField(max_length=250, blank=True)
    after = models.CharField(max_length=250)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.task}"


class PlanReview(models.Model):
    """A review of the current plan: progress on each goal, then a new version (with the open
    tasks carried forward) to agree and approve, and the next review date."""

    reviewed_plan = models.OneToOneField(CasePlan, on_delete=models.PROTECT, related_name="review")
    next_plan = models.OneToOneField(
        CasePlan, on_delete=models.PROTECT, related_name="made_at_review"
    )
    reviewed_on = models.DateField(validators=[validate_past_day])
    summary = models.TextField("what the review found", max_length=4000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Review of {self.reviewed_plan}, {show_date(self.reviewed_on)}"


class ContactAdvanced(models.Model):
    """A contact that moved a goal forward, in general or through one of its tasks. The goal is
    named by its lineage, so the contact stays with the goal in later versions of the plan."""

    contact = models.ForeignKey(
        "clients.Contact", on_delete=models.CASCADE, related_name="advanced"
    )
    goal_lineage = models.UUIDField(db_index=True)
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="advanced_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "goal_lineage", "task"],
                nulls_distinct=False,
                name="contact_advanced_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} advanced goal {self.goal_lineage}"


@pghistory.track()
class CrisisPlan(models.Model):
    """The young person's safety plan: what to watch for and what to do, after hours too."""

    young_person = models.OneToOneField(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="crisis_plan"
    )
    warning_signs = models.TextField(blank=True)
    triggers = models.TextField(blank=True)
    what_helps = models.TextField(blank=True)
    who_to_call = models.TextField(blank=True)
    after_hours_steps = models.TextField(blank=True)
    when_to_consult_ahcpes = models.TextField(
        "when to consult the after-hours child protection emergency service", blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = IntegerVersionField()

    def __str__(self) -> str:
        return f"Crisis plan for {self.young_person}"


@pghistory.track()
class ExitPlan(models.Model):
    """How the young person leaves ICMS well: for each area of their life after ICMS (AREAS),
    what is arranged and whether it is in place yet. Started months ahead of the order's end or
    the 18th birthday (exits.services), and read at closing (exits.Closure)."""

    # (field, its "in place" flag): the areas an exit plan covers, in the order they are shown.
    AREAS = [
        ("accommodation", "accommodation_in_place"),
        ("income", "income_in_place"),
        ("education_or_work", "education_or_work_in_place"),
        ("health", "health_in_place"),
        ("supportive_adults", "supportive_adults_in_place"),
        ("supports", "supports_in_place"),
        ("post_statutory_support", "post_statutory_support_in_place"),
    ]

    young_person = models.OneToOneField(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="exit_plan"
    )
    exit_on = models.DateField(
        "planned exit date", null=True, blank=True, validators=[validate_plausible_day]
    )
    accommodation = models.TextField(
        "accommodation",
        max_length=2000,
        blank=True,
        help_text="Where they will live, and with whom.",
    )
    accommodation_in_place = models.BooleanField("accommodation is in place", default=False)
    income = models.TextField(
        max_length=2000, blank=True, help_text="Income support, wages, a bank account, ID."
    )
    income_in_place = models.BooleanField("income is in place", default=False)
    education_or_work = models.TextField(
        "education or work", max_length=2000, blank=True, help_text="School, training, a job."
    )
    education_or_work_in_place = models.BooleanField("education or work is in place", default=False)
    health = models.TextField(
        max_length=2000,
        blank=True,
        help_text="GP, mental health, drug and alcohol services; Medicare card, medication.",
    )
    health_in_place = models.BooleanField("health care is in place", default=False)
    supportive_adults = models.TextField(
        "supportive adults who will remain", max_length=2000, blank=True
    )
    supportive_adults_in_place = models.BooleanField(
        "the supportive adults have agreed", default=False
    )
    supports = models.TextField("support services", max_length=2000, blank=True)
    supports_in_place = models.BooleanField("support services are in place", default=False)
    post_statutory_support = models.TextField(
        "post-statutory supports", max_length=2000, blank=True,
        help_text="Leaving care and after-care services the young person can turn to.",
    )  # fmt: skip
    post_statutory_referrer = models.CharField(
        "who refers to them", max_length=200, blank=True,
        help_text="Who makes the referral to the post-statutory supports, and by when.",
    )  # fmt: skip
    post_statutory_support_in_place = models.BooleanField(
        "post-statutory supports are in place", default=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = IntegerVersionField()

    def __str__(self) -> str:
        return f"Exit plan for {self.young_person}"

    @property
    def areas(self) -> list[tuple[str, str, bool]]:
        """Each area as (its name, what is arranged, whether it is in place)."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name), getattr(self, flag))
            for name, flag in self.AREAS
        ]

    @property
    def not_yet_in_place(self) -> list[str]:
        """The names of the areas not yet in place."""
        return [name for name, _arranged, in_place in self.areas if not in_place]
