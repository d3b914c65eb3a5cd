"""Reading case plans: what changed between two versions, the contacts that advanced goals,
and when plans are due for review."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseplans.forms import PlanForm
from caseplans.models import CasePlan, ContactAdvanced, Goal, GoalNote, Task
from clients.models import Contact, YoungPerson
from clients.queries import OPEN_STATUSES
from toolkit.choices import choice_labels
from toolkit.formats import show_date

PLAN_FIELDS = PlanForm.Meta.fields
GOAL_FIELDS = ["domain", "in_own_words", "strengths", "status"]
TASK_FIELDS = ["description", "responsible", "key_person", "agency", "due_on", "status"]


@dataclass
class Changes:
    """What changed from one version of a plan to another, in words for the page."""

    plan: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)
    goals_added: list[Goal] = field(default_factory=list)
    goals_removed: list[Goal] = field(default_factory=list)
    goals_changed: list[tuple[Goal, list[tuple[str, str, str]]]] = field(default_factory=list)
    tasks_added: list[Task] = field(default_factory=list)
    tasks_removed: list[Task] = field(default_factory=list)
    tasks_changed: list[tuple[Task, list[tuple[str, str, str]]]] = field(default_factory=list)

    @property
    def none(self) -> bool:
        return not any(vars(self).values())


def _shown(obj: object, name: str) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    if isinstance(value, list):
        return ", ".join(choice_labels(value, CasePlan.Participant)) or "—"
    if isinstance(value, date):
        return show_date(value)
    return "—" if value in (None, "") else str(value)


def _differences(before: object, after: object, names: list[str]) -> list[tuple[str, str, str]]:
    return [
        (str(after._meta.get_field(name).verbose_name), _shown(before, name), _shown(after, name))
        for name in names
        if _shown(before, name) != _shown(after, name)
    ]


def _by_lineage(objects: list) -> dict:
    return {obj.lineage: obj for obj in objects}


def compare_plans(earlier: CasePlan, later: CasePlan) -> Changes:
    """Goals and tasks are matched across versions by their lineage."""
    changes = Changes(plan=_differences(earlier, later, PLAN_FIELDS))
    goals = {}
    tasks = {}
    for version in (earlier, later):
        version_goals = list(version.goals.all())
        goals[version.pk] = _by_lineage(version_goals)
        tasks[version.pk] = _by_lineage(
            Task.objects.filter(goal__plan=version).select_related("key_person", "goal")
        )
    before, after = goals[earlier.pk], goals[later.pk]
    changes.goals_added = [after[key] for key in after.keys() - before.keys()]
    changes.goals_removed = [before[key] for key in before.keys() - after.keys()]
    for key in before.keys() & after.keys():
        differences = _differences(before[key], after[key], GOAL_FIELDS)
        if differences:
            changes.goals_changed.append((after[key], differences))
    before, after = tasks[earlier.pk], tasks[later.pk]
    changes.tasks_added = [after[key] for key in after.keys() - before.keys()]
    changes.tasks_removed = [before[key] for key in before.keys() - after.keys()]
    for key in before.keys() & after.keys():
        differences = _differences(before[key], after[key], TASK_FIELDS)
        if differences:
            changes.tasks_changed.append((after[key], differences))
    return changes


@dataclass
class Advance:
    """A contact that moved a goal forward, and the tasks of the goal it named."""

    contact: Contact
    tasks: list[Task] = field(default_factory=list)


def contacts_by_goal(lineages: list) -> dict:
    """The contacts that advanced each goal (in any version of the plan), newest first."""
    advances: dict = {}
    links = (
        ContactAdvanced.objects.filter(
            goal_lineage__in=lineages, contact__entered_in_error_at__isnull=True
        )
        .select_related("contact", "task")
        .order_by("-contact__started_at", "contact_id", "task__position")
    )
    for link in links:
        by_contact = advances.setdefault(link.goal_lineage, {})
        advance = by_contact.setdefault(link.contact_id, Advance(link.contact))
        if link.task:
            advance.tasks.append(link.task)
    return {lineage: list(by_contact.values()) for lineage, by_contact in advances.items()}


def goals_to_advance(young_person: YoungPerson) -> list[Goal]:
    """The goals of the young person's current plan that a contact may move forward, each with
    its tasks (those no longer needed left out)."""
    return list(
        Goal.objects.filter(plan__young_person=young_person, plan__status=CasePlan.Status.CURRENT)
        .exclude(status=Goal.Status.DISCONTINUED)
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.exclude(status=Task.Status.DROPPED).select_related(
                    "key_person"
                ),
            )
        )
    )


def advanced_by(contact: Contact) -> list[tuple[Goal, list[Task]]]:
    """The goals (as in their latest version) and tasks a contact moved forward."""
    links = list(contact.advanced.select_related("task").order_by("task__position"))
    goals = (
        Goal.objects.filter(lineage__in={link.goal_lineage for link in links})
        .order_by("lineage", "-plan__number")
        .distinct("lineage")
    )
    return [
        (goal, [link.task for link in links if link.goal_lineage == goal.lineage and link.task])
        for goal in goals
    ]


def with_plan_review(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Annotate each young person with the review date of their current plan (None without
    one) and whether that review is overdue."""
    current = CasePlan.objects.filter(young_person=OuterRef("pk"), status=CasePlan.Status.CURRENT)
    return young_people.annotate(plan_review_on=Subquery(current.values("review_on")[:1])).annotate(
        plan_review_overdue=ExpressionWrapper(
            Q(plan_review_on__lt=timezone.localdate()), output_field=BooleanField()
        )
    )


def with_overdue_tasks(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Annotate each young person with the open tasks of their current plan past their date."""
    overdue = (
        Task.objects.filter(
            goal__plan__young_person=OuterRef("pk"),
            goal__plan__status=CasePlan.Status.CURRENT,
            status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS],
            due_on__lt=timezone.localdate(),
        )
        .order_by()
        .values("goal__plan__young_person")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return young_people.annotate(
        overdue_tasks=Coalesce(Subquery(overdue, output_field=IntegerField()), 0)
    )


def notes_by_goal(lineages: list) -> dict:
    """The progress notes of each goal (in any version of the plan), newest first."""
    notes: dict = {}
    for note in GoalNote.objects.filter(lineage__in=lineages).select_related("written_by"):
        notes.setdefault(note.lineage, []).append(note)
    return notes


def plans_for_supervision(plans: QuerySet[CasePlan], teams: QuerySet) -> dict[str, list]:
    """Among `plans` (those the supervisor sees), the teams' plans waiting for approval and
    the current plans whose review date has passed, oldest first."""
    of_teams = plans.filter(young_person__team__in=teams).select_related(
        "young_person", "created_by", "young_person__primary_case_manager"
    )
    return {
        "to_approve": list(
            of_teams.filter(status=CasePlan.Status.SUBMITTED).order_by("submitted_at")
        ),
        "review_overdue": list(
            of_teams.filter(
                status=CasePlan.Status.CURRENT,
                review_on__lt=timezone.localdate(),
                young_person__status__in=OPEN_STATUSES,
            ).order_by("review_on")
        ),
    }
