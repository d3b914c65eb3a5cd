"""Reading case plans: what changed between two versions, and the contacts that advanced goals."""

from dataclasses import dataclass, field

from caseplans.forms import PlanForm
from caseplans.models import CasePlan, ContactAdvanced, Goal, GoalNote, Task

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
        labels = dict(CasePlan.Participant.choices)
        return ", ".join(str(labels.get(item, item)) for item in value) or "—"
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


def contacts_by_goal(lineages: list) -> dict:
    """The contacts that advanced each goal (in any version of the plan), newest first."""
    contacts: dict = {}
    links = (
        ContactAdvanced.objects.filter(
            goal_lineage__in=lineages, contact__entered_in_error_at__isnull=True
        )
        .select_related("contact", "task")
        .order_by("-contact__started_at")
    )
    for link in links:
        contacts.setdefault(link.goal_lineage, []).append(link)
    return contacts


def notes_by_goal(lineages: list) -> dict:
    """The progress notes of each goal (in any version of the plan), newest first."""
    notes: dict = {}
    for note in GoalNote.objects.filter(lineage__in=lineages).select_related("written_by"):
        notes.setdefault(note.lineage, []).append(note)
    return notes
