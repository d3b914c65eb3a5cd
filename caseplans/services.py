"""Every change to case plans, crisis plans and exit plans.

A plan is changed only while it is a draft; once current it records progress on its tasks and
goals, and its action table stays alive (tasks added, given to someone else, re-dated: each
kept in the plan's history), but changes of substance go into the next version (made from it,
or at a review). Every
save names the version of the record the worker was looking at: if someone else saved it in
the meantime, the save is refused with what they changed (Conflict), never overwritten.
"""

from datetime import date, timedelta

from concurrency.exceptions import RecordModifiedError
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on, supervisors_of
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from caseplans.models import (
    CasePlan,
    ContactAdvanced,
    CrisisPlan,
    ExitPlan,
    Goal,
    GoalNote,
    PlanReview,
    Task,
    TaskChange,
)
from clients.models import Contact, KeyPerson, YoungPerson
from clients.queries import OPEN_STATUSES
from clients.services import amend_contact, record_contact
from notifications.services import Notice, notify, notify_many
from referrals.models import Referral
from toolkit.formats import show_date
from toolkit.text import quoted
from webhooks.events import publish
from webhooks.models import EventKind

Status = CasePlan.Status
REVIEW_AFTER = timedelta(weeks=12)


class Conflict(Exception):
    """Someone saved the record after the worker opened it. `current` is what is saved now;
    `changes` names each field whose saved value differs from what the worker submitted."""

    def __init__(self, current: models.Model, changes: dict[str, object]) -> None:
        super().__init__("Changed by someone else in the meantime.")
        self.current = current
        self.changes = changes


def _save_checked(
    obj: models.Model, *, version: int | None, by: User, stamps: dict | None = None, **fields
) -> None:
    """Apply `fields` (what the worker submitted) and `stamps` (who, when) to `obj` as the
    worker saw it at `version`; validate and save, or raise Conflict."""
    if version is not None:
        obj.version = version
    for name, value in (fields | (stamps or {})).items():
        setattr(obj, name, value)
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except RecordModifiedError:
        current = type(obj).objects.get(pk=obj.pk)
        changes = {
            name: getattr(current, name)
            for name in fields
            if getattr(current, name) != getattr(obj, name)
        }
        raise Conflict(current, changes) from None
    record(AuditAction.CHANGE, actor=by, obj=obj, detail={"fields": sorted(fields)})


def _require_draft(plan: CasePlan) -> None:
    if plan.status != Status.DRAFT:
        raise ValidationError(
            f"Version {plan.number} of the plan is {plan.get_status_display().lower()}: it "
            "can no longer be changed. Start a new version to change it."
        )


# --- The plan -----------------------------------------------------------------------------


def _copy_goals(source: CasePlan, target: CasePlan, *, statuses: dict | None = None) -> None:
    """Carry the goals of `source` into `target`, with their open tasks (done and dropped
    tasks stay in the version where they were finished)."""
    for goal in source.goals.prefetch_related("tasks"):
        status = (statuses or {}).get(goal.lineage, goal.status)
        if status in {Goal.Status.ACHIEVED, Goal.Status.DISCONTINUED} and statuses is not None:
            continue
        copy = Goal.objects.create(
            plan=target,
            lineage=goal.lineage,
            domain=goal.domain,
            in_own_words=goal.in_own_words,
            strengths=goal.strengths,
            status=status,
            position=goal.position,
        )
        Task.objects.bulk_create(
            Task(
                goal=copy,
                lineage=task.lineage,
                description=task.description,
                responsible=task.responsible,
                key_person_id=task.key_person_id,
                agency=task.agency,
                due_on=max(task.due_on, target.starts_on),
                status=task.status,
                position=task.position,
            )
            for task in goal.tasks.all()
            if task.is_open
        )


def _next_version(
    young_person: YoungPerson, *, by: User, starts_on: date, review_on: date, busy: str
) -> tuple[CasePlan, CasePlan | None]:
    """A new draft version (refused with `busy` if one is being made already), carrying over
    from the current plan who takes part and the culture fields; returns it and the current."""
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if young_person.case_plans.filter(status__in=[Status.DRAFT, Status.SUBMITTED]).exists():
        raise ValidationError(busy)
    current = young_person.case_plans.filter(status=Status.CURRENT).first()
    carried = ["participants", "cultural_plan", "cultural_organisation"]
    plan = CasePlan.objects.create(
        young_person=young_person,
        number=(young_person.case_plans.aggregate(last=Max("number"))["last"] or 0) + 1,
        starts_on=starts_on,
        review_on=review_on,
        created_by=by,
        **({name: getattr(current, name) for name in carried} if current else {}),
    )
    return plan, current


@transaction.atomic
def start_plan(young_person: YoungPerson, *, by: User) -> CasePlan:
    """A new draft: the first plan, or the next version of the current one."""
    today = timezone.localdate()
    plan, current = _next_version(
        young_person, by=by, starts_on=today, review_on=today + REVIEW_AFTER,
        busy="A new version of this plan is already being made.",
    )  # fmt: skip
    if current:
        _copy_goals(current, plan)
    record(AuditAction.CREATE, actor=by, obj=plan)
    return plan


@transaction.atomic
def update_plan(plan: CasePlan, *, by: User, version: int, **fields) -> CasePlan:
    _require_draft(plan)
    starts_on = fields.get("starts_on", plan.starts_on)
    if fields.get("review_on", plan.review_on) < starts_on:
        raise ValidationError({"review_on": "The review must come after the plan starts."})
    early = Task.objects.filter(goal__plan=plan, due_on__lt=starts_on).first()
    if early is not None:
        raise ValidationError(
            {"starts_on": f"{quoted(early)} is due before that date; change the task first."}
        )
    agreed_on = fields.get("agreed_on")
    if agreed_on and agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement cannot be dated in the future."})
    _save_checked(plan, version=version, by=by, **fields)
    return plan


def missing_parts(plan: CasePlan) -> list[str]:
    """What a draft needs before the supervisor can approve it."""
    missing = []
    if not plan.goals.exists():
        missing.append("at least one goal")
    if not plan.participants:
        missing.append("who took part in making the plan")
    if plan.agreed_on is None:
        missing.append("the date the young person agreed to the plan")
    if plan.young_person.is_aboriginal_or_torres_strait_islander and not plan.cultural_plan.strip():
        missing.append("the cultural plan")
    return missing


@transaction.atomic
def submit_plan(plan: CasePlan, *, by: User, version: int) -> CasePlan:
    plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    missing = missing_parts(plan)
    if missing:
        raise ValidationError([f"Missing: {part}." for part in missing])
    _save_checked(
        plan, version=version, by=by, status=Status.SUBMITTED,
        stamps={"submitted_at": timezone.now()},
    )  # fmt: skip
    if supervisors := supervisors_of(plan.young_person.team):
        notify(
            supervisors,
            message=f"Case plan {plan.number} for {plan.young_person} is waiting for approval.",
            url=reverse("caseplans:plan", args=[plan.pk]),
            key=f"case-plan-{plan.pk}-submitted-{plan.version}",
        )
    return plan


@transaction.atomic
def approve_plan(plan: CasePlan, *, by: User, version: int) -> CasePlan:
    """The submitted version becomes current; the one before it is superseded."""
    plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Status.SUBMITTED:
        raise ValidationError("Only a plan waiting for approval can be approved.")
    now = timezone.now()
    plan.young_person.case_plans.filter(status=Status.CURRENT).update(
        status=Status.SUPERSEDED, superseded_at=now
    )
    _save_checked(
        plan, version=version, by=by, status=Status.CURRENT,
        stamps={"approved_by": by, "approved_at": now},
    )  # fmt: skip
    notify(
        [plan.created_by],
        message=f"Case plan {plan.number} for {plan.young_person} is approved and current.",
        url=reverse("caseplans:plan", args=[plan.pk]),
        key=f"case-plan-{plan.pk}-approved",
    )
    publish(EventKind.PLAN_APPROVED, young_person=plan.young_person, case_plan=plan.pk)
    return plan


@transaction.atomic
def return_plan(plan: CasePlan, *, by: User, version: int, note: str) -> CasePlan:
    """The supervisor sends a submitted plan back to be worked on, saying why."""
    if not note.strip():
        raise ValidationError({"note": "Say what needs to change."})
    plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Status.SUBMITTED:
        raise ValidationError("Only a plan waiting for approval can be sent back.")
    _save_checked(plan, version=version, by=by, status=Status.DRAFT, stamps={"submitted_at": None})
    notify(
        [plan.created_by],
        message=f"Case plan {plan.number} for {plan.young_person} came back: {note}",
        url=reverse("caseplans:plan", args=[plan.pk]),
        key=f"case-plan-{plan.pk}-returned-{plan.version}",
    )
    return plan


# --- Goals and the action table -------------------------------------------------------------


def _next_position(rows: models.QuerySet) -> int:
    """The position after the last of `rows` (goals of a plan, tasks of a goal)."""
    last = rows.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _check_goal(fields: dict) -> None:
    if not fields.get("in_own_words", "x").strip():
        raise ValidationError({"in_own_words": "Write the goal as the young person says it."})


@transaction.atomic
def add_goal(plan: CasePlan, *, by: User, **fields) -> Goal:
    _require_draft(plan)
    _check_goal(fields)
    goal = Goal(plan=plan, position=_next_position(plan.goals), **fields)
    goal.full_clean()
    goal.save()
    record(AuditAction.CREATE, actor=by, obj=goal)
    return goal


@transaction.atomic
def update_goal(goal: Goal, *, by: User, version: int, **fields) -> Goal:
    """In a draft, anything; in the current plan, only the goal's status."""
    if goal.plan.status != Status.CURRENT or set(fields) - {"status"}:
        _require_draft(goal.plan)
    _check_goal(fields)
    _save_checked(goal, version=version, by=by, **fields)
    return goal


@transaction.atomic
def add_goal_note(goal: Goal, *, by: User, text: str) -> GoalNote:
    if not text.strip():
        raise ValidationError({"text": "Write what has happened."})
    if goal.plan.status not in {Status.DRAFT, Status.CURRENT}:
        raise ValidationError("Progress is noted on the current plan.")
    note = GoalNote.objects.create(lineage=goal.lineage, text=text.strip(), written_by=by)
    record(AuditAction.CREATE, actor=by, obj=note, detail={"goal": goal.pk})
    return note


def _check_task(goal: Goal, fields: dict) -> dict:
    """Refuse a task that cannot be carried out as written; return the fields to save."""
    plan = goal.plan
    errors = {}
    due_on = fields.get("due_on")
    if due_on is not None and due_on < plan.starts_on:
        errors["due_on"] = f"This is before the plan starts ({show_date(plan.starts_on)})."
    responsible = fields.get("responsible")
    key_person: KeyPerson | None = fields.get("key_person")
    if responsible == Task.Responsible.KEY_PERSON:
        if key_person is None:
            errors["key_person"] = "Choose the family member or significant other."
        elif key_person.young_person_id != plan.young_person_id:
            errors["key_person"] = "Choose one of this young person's family or significant others."
    elif responsible is not None:
        fields["key_person"] = None
    if responsible == Task.Responsible.AGENCY and not fields.get("agency", "").strip():
        errors["agency"] = "Name the agency."
    if not fields.get("description", "x").strip():
        errors["description"] = "Say what is to be done."
    if errors:
        raise ValidationError(errors)
    status = fields.get("status")
    if status == Task.Status.DONE and not fields.get("completed_on"):
        fields["completed_on"] = timezone.localdate()
    elif status is not None and status != Task.Status.DONE:
        fields["completed_on"] = None
    return fields


# What the action table of the current plan lets change between reviews, besides new tasks:
# who does a task, by when, and how far it has got. What a task is, and the goals, change at a
# review (the next version).
BETWEEN_REVIEWS = {"responsible", "key_person", "agency", "due_on", "status", "completed_on"}


def _plan_for_table(goal: Goal) -> CasePlan:
    """The goal's plan, locked (an approval does not supersede it meanwhile), if its action
    table may change: a draft's, or the current plan's."""
    plan = (
        CasePlan.objects.select_for_update(of=("self",))
        .select_related("young_person__team")
        .get(pk=goal.plan_id)
    )
    if plan.status != Status.CURRENT:
        _require_draft(plan)
    return plan


def _keep_in_history(plan: CasePlan, task: Task, *, by: User, kind: str, before: str = "") -> None:
    """A change to the current plan's action table, in the plan's history; the team's
    supervisor is told (once a day per plan: the history has each change)."""
    after = {
        TaskChange.Kind.ADDED: f"{task.who}, by {show_date(task.due_on)}",
        TaskChange.Kind.REASSIGNED: task.who,
        TaskChange.Kind.REDATED: f"{show_date(task.due_on)}",
    }[kind]
    change = TaskChange.objects.create(
        plan=plan, task=task, kind=kind, before=before[:250], after=after[:250], by=by
    )
    record(AuditAction.CREATE, actor=by, obj=change, detail={"task": task.pk})
    supervisors = [user for user in supervisors_of(plan.young_person.team) if user != by]
    notify(
        supervisors,
        message=f"{by} changed the action table of {plan.young_person}'s current case plan "
        "today; the plan's history says what changed.",
        url=reverse("caseplans:plan", args=[plan.pk]) + "#plan-history",
        key=f"case-plan-{plan.pk}-table-{timezone.localdate():%Y%m%d}",
    )


@transaction.atomic
def add_task(goal: Goal, *, by: User, **fields) -> Task:
    """A task in a draft, or in the current plan (kept in its history)."""
    plan = _plan_for_table(goal)
    fields = _check_task(goal, fields)
    task = Task(goal=goal, position=_next_position(goal.tasks), **fields)
    task.full_clean()
    task.save()
    record(AuditAction.CREATE, actor=by, obj=task)
    if plan.status == Status.CURRENT:
        _keep_in_history(plan, task, by=by, kind=TaskChange.Kind.ADDED)
    return task


@transaction.atomic
def update_task(task: Task, *, by: User, version: int, **fields) -> Task:
    """In a draft, anything. In the current plan, who does it, by when and its progress; a
    new person or date is kept in the plan's history."""
    plan = _plan_for_table(task.goal)
    fields = _check_task(task.goal, fields)
    # As saved: a bound model form has already put what was typed on `task`.
    saved = Task.objects.select_related("key_person").get(pk=task.pk)
    if plan.status == Status.CURRENT:
        changed = {name for name, value in fields.items() if getattr(saved, name) != value}
        if changed - BETWEEN_REVIEWS:
            raise ValidationError(
                f"Version {plan.number} of the plan is current: what a task is can no longer "
                "be changed until the plan's review. Until then a task can be given to someone "
                "else, given another date, or marked done."
            )
    _save_checked(task, version=version, by=by, **fields)
    if plan.status == Status.CURRENT:
        if task.who != saved.who:
            _keep_in_history(plan, task, by=by, kind=TaskChange.Kind.REASSIGNED, before=saved.who)
        if task.due_on != saved.due_on:
            before = f"{show_date(saved.due_on)}"
            _keep_in_history(plan, task, by=by, kind=TaskChange.Kind.REDATED, before=before)
    return task


@transaction.atomic
def move_task(task: Task, *, by: User, up: bool) -> Task:
    """Swap the task with the one above (or below) it under the same goal."""
    _require_draft(task.goal.plan)
    siblings = list(Task.objects.select_for_update().filter(goal=task.goal_id))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == task.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            Task.objects.filter(pk=sibling.pk).update(
                position=position, version=models.F("version") + 1
            )
    return task


# --- Contacts that advanced the plan ---------------------------------------------------------


@transaction.atomic
def record_contact_with_plan_work(
    young_person: YoungPerson,
    *,
    by: User,
    goals: list[Goal],
    tasks: list[Task],
    offered: list[Goal],
    **contact: object,
) -> Contact:
    """A contact and the plan work it moved forward, as one write: a refused choice of goals
    saves no contact, and a refused contact no plan work. `contact` is what record_contact
    takes; `goals`, `tasks` and `offered` what record_advanced does."""
    recorded = record_contact(young_person, by=by, **contact)
    record_advanced(recorded, by=by, goals=goals, tasks=tasks, offered=offered)
    return recorded


@transaction.atomic
def amend_contact_with_plan_work(
    contact: Contact,
    *,
    by: User,
    goals: list[Goal],
    tasks: list[Task],
    offered: list[Goal],
    **changes: object,
) -> Contact:
    """A contact amended and the plan work it moved forward said again, as one write."""
    amend_contact(contact, by=by, **changes)
    record_advanced(contact, by=by, goals=goals, tasks=tasks, offered=offered)
    return contact


@transaction.atomic
def record_advanced(
    contact: Contact,
    *,
    by: User,
    goals: list[Goal],
    tasks: list[Task],
    offered: list[Goal],
) -> None:
    """Say which of the `offered` goals (of the current plan), and which of their tasks, a
    contact moved forward; what it said before about other goals (of earlier versions) stays."""
    for goal in [*goals, *(task.goal for task in tasks)]:
        if goal not in offered:
            raise ValidationError(
                {"advanced": "Only goals of the young person's current plan can be chosen."}
            )
    if any(goal.plan.young_person_id != contact.young_person_id for goal in offered):
        raise ValidationError({"advanced": "That plan is another young person's."})
    wanted = {(goal.lineage, None): None for goal in goals}
    wanted |= {(task.goal.lineage, task.lineage): task for task in tasks}
    chosen = sorted(f"{goal}/{task or ''}" for goal, task in wanted)
    removed = 0
    for link in contact.advanced.filter(
        goal_lineage__in=[goal.lineage for goal in offered]
    ).select_related("task"):
        key = (link.goal_lineage, link.task.lineage if link.task else None)
        if key in wanted:
            del wanted[key]  # already recorded
        else:
            link.delete()
            removed += 1
    ContactAdvanced.objects.bulk_create(
        ContactAdvanced(contact=contact, goal_lineage=goal_lineage, task=task)
        for (goal_lineage, _), task in wanted.items()
    )
    if wanted or removed:
        record(AuditAction.CHANGE, actor=by, obj=contact, detail={"advanced": chosen})


# --- Reviews ----------------------------------------------------------------------------------


@transaction.atomic
def review_plan(
    plan: CasePlan,
    *,
    by: User,
    reviewed_on: date,
    summary: str,
    next_review_on: date,
    progress: dict,
) -> PlanReview:
    """Review the current plan: the progress on each goal (lineage -> (status, note)) is
    noted, and the next version is started from it: goals still being worked on, with their
    open tasks carried forward, to be agreed with the young person and approved."""
    plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Status.CURRENT:
        raise ValidationError("Only the current plan is reviewed.")
    if hasattr(plan, "review"):
        raise ValidationError("This version was reviewed already.")
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": "The next review must come after this one."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what the review found."})
    next_plan, _ = _next_version(
        plan.young_person, by=by, starts_on=reviewed_on, review_on=next_review_on,
        busy="A new version is already being made; finish or approve it before reviewing.",
    )  # fmt: skip
    statuses = {lineage: status for lineage, (status, _) in progress.items()}
    _copy_goals(plan, next_plan, statuses=statuses)
    review = PlanReview.objects.create(
        reviewed_plan=plan,
        next_plan=next_plan,
        reviewed_on=reviewed_on,
        summary=summary,
        reviewed_by=by,
    )
    for goal in plan.goals.all():
        status, note = progress.get(goal.lineage, (goal.status, ""))
        if status != goal.status:
            Goal.objects.filter(pk=goal.pk).update(status=status, version=models.F("version") + 1)
        if note.strip():
            GoalNote.objects.create(
                lineage=goal.lineage, text=note.strip(), written_by=by, review=review
            )
    record(AuditAction.CREATE, actor=by, obj=review)
    return review


# --- Crisis and exit plans --------------------------------------------------------------------


def _save_one_per_young_person(
    model: type[CrisisPlan | ExitPlan], young_person: YoungPerson, *, by: User,
    version: int | None, fields: dict,
) -> CrisisPlan | ExitPlan:  # fmt: skip
    """Save the young person's crisis or exit plan. A form opened before the plan existed
    (no version) cannot overwrite one someone else has made since."""
    plan, made = model.objects.get_or_create(young_person=young_person)
    if not made and version is None:
        version = 0
    _save_checked(
        plan, version=version, by=by, stamps={"updated_by": by, "updated_at": timezone.now()},
        **fields,
    )  # fmt: skip
    return plan


@transaction.atomic
def save_crisis_plan(
    young_person: YoungPerson, *, by: User, version: int | None, **fields
) -> CrisisPlan:
    return _save_one_per_young_person(
        CrisisPlan, young_person, by=by, version=version, fields=fields
    )


@transaction.atomic
def save_exit_plan(
    young_person: YoungPerson, *, by: User, version: int | None, **fields
) -> ExitPlan:
    exit_on = fields.get("exit_on")
    if exit_on and exit_on < young_person.date_of_birth:
        raise ValidationError({"exit_on": "This is before the young person was born."})
    return _save_one_per_young_person(ExitPlan, young_person, by=by, version=version, fields=fields)


# --- Reminders --------------------------------------------------------------------------------

TASK_SOON = timedelta(days=2)
REVIEW_SOON = timedelta(days=7)


def remind_of_plan_work(today: date) -> int:
    """Open tasks of current plans due within two days or overdue remind the case manager (and
    child protection's practitioner, for theirs); plan reviews due within a week remind the
    case manager, and once overdue the supervisor too. Colleagues covering the case manager or
    the team are reminded as they would be. Once per thing and person per day."""
    covering = covering_on(today)
    notices = []
    tasks = (
        Task.objects.filter(
            goal__plan__status=Status.CURRENT,
            goal__plan__young_person__status__in=OPEN_STATUSES,
            status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS],
            due_on__lte=today + TASK_SOON,
        )
        .annotate(
            practitioner_id=Subquery(
                Referral.objects.filter(
                    young_person=OuterRef("goal__plan__young_person"), status="accepted"
                )
                .order_by("-decided_at")
                .values("referred_by")[:1]
            )
        )
        .values_list(
            "pk", "description", "due_on", "responsible", "goal__plan_id", "practitioner_id",
            "goal__plan__young_person__primary_case_manager_id",
            "goal__plan__young_person__preferred_name", "goal__plan__young_person__given_name",
            "goal__plan__young_person__family_name",
        )
    )  # fmt: skip
    for row in tasks.iterator(chunk_size=5000):
        pk, description, due_on, responsible, plan_id, practitioner, case_manager, *name = row
        who = f"{name[0] or name[1]} {name[2]}"
        when = "was due" if due_on < today else "is due"
        message = f"{quoted(description[:120])} ({who}'s plan) {when} {show_date(due_on)}."
        url = reverse("caseplans:plan", args=[plan_id]) + f"#task-{pk}"
        key = f"task-{pk}-{today:%Y%m%d}"
        recipients = covering.worker_and_cover(case_manager)
        if practitioner and responsible == Task.Responsible.CHILD_PROTECTION:
            recipients.append(practitioner)
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    plans = CasePlan.objects.filter(
        status=Status.CURRENT,
        young_person__status__in=OPEN_STATUSES,
        review_on__lte=today + REVIEW_SOON,
    ).values_list(
        "pk", "review_on", "young_person__primary_case_manager_id",
        "young_person__team__supervisor_id", "young_person__team_id",
        "young_person__preferred_name", "young_person__given_name", "young_person__family_name",
    )  # fmt: skip
    for pk, review_on, case_manager, supervisor, team, *name in plans.iterator(chunk_size=5000):
        who = f"{name[0] or name[1]} {name[2]}"
        overdue = review_on < today
        message = (
            f"{who}'s case plan review was due {show_date(review_on)}."
            if overdue
            else f"{who}'s case plan is due for review by {show_date(review_on)}."
        )
        key = f"plan-review-{pk}-{today:%Y%m%d}"
        url = reverse("caseplans:plan", args=[pk])
        recipients = covering.worker_and_cover(case_manager)
        if overdue:
            recipients += covering.supervisor_and_cover(supervisor, team)
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)


def settle_merged_case_plans(
    kept: YoungPerson, other: YoungPerson, *, by: User | None
) -> list[str]:
    """One current plan and one in the making: the kept record's stay; the other's are kept,
    superseded. The other's versions are numbered on after the kept record's."""
    said = []
    for statuses, what in [
        ([CasePlan.Status.CURRENT], "a current case plan"),
        ([CasePlan.Status.DRAFT, CasePlan.Status.SUBMITTED], "a case plan being made"),
    ]:
        if not CasePlan.objects.filter(young_person=kept, status__in=statuses).exists():
            continue
        for plan in CasePlan.objects.filter(young_person=other, status__in=statuses):
            said.append(
                f"Both records have {what}: the kept record's goes on; the other's (version "
                f"{plan.number}) is kept as superseded."
            )
            if by is not None:
                CasePlan.objects.filter(pk=plan.pk).update(
                    status=CasePlan.Status.SUPERSEDED, superseded_at=timezone.now()
                )
    after = CasePlan.objects.filter(young_person=kept).aggregate(last=Max("number"))["last"]
    if after and by is not None:
        # Highest first, so that no two versions of the other record share a number meanwhile.
        for plan in CasePlan.objects.filter(young_person=other).order_by("-number"):
            CasePlan.objects.filter(pk=plan.pk).update(number=F("number") + after)
    return said
