"""Case plan pages. The action table is edited in place with htmx (a row's form comes in place
of the row, and the saved row replaces it); every form is also a plain form that works with
JavaScript off, answering with a redirect to the plan."""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.models import User
from caseplans import services
from caseplans.forms import (
    CrisisPlanForm,
    ExitPlanForm,
    GoalForm,
    GoalStatusForm,
    NoteForm,
    PlanForm,
    ReturnForm,
    ReviewForm,
    TaskForm,
    TaskStatusForm,
    VersionedForm,
)
from caseplans.models import CasePlan, CrisisPlan, ExitPlan, Goal, Task
from caseplans.queries import compare_plans, contacts_by_goal, notes_by_goal
from caseplans.rules import case_plans_visible_to
from clients.models import KeyPerson, YoungPerson
from clients.queries import active_alerts
from clients.rules import young_people_visible_to
from exits.planning import exits_ahead
from toolkit.access import audit_detail, find_or_404, found_record, require_permission
from toolkit.forms import add_service_error, save_versioned, submitted
from toolkit.pdf import render_pdf
from toolkit.text import quoted


def _plan_or_404(request: HttpRequest, pk: int) -> CasePlan:
    """A plan the user sees, with the young person's safety alerts (shown on every page)."""
    return find_or_404(
        request,
        case_plans_visible_to(request.user)
        .select_related("young_person__team__supervisor", "created_by", "approved_by")
        .prefetch_related(
            Prefetch(
                "young_person__alerts",
                queryset=active_alerts().queryset,
                to_attr="active_alerts",
            )
        ),
        pk=pk,
    )


def _young_person_or_404(request: HttpRequest, pk: int) -> YoungPerson:
    return find_or_404(
        request,
        young_people_visible_to(request.user)
        .select_related("team__supervisor")
        .prefetch_related(active_alerts()),
        pk=pk,
    )


def _goals_with_tasks(plan: CasePlan) -> QuerySet[Goal]:
    return plan.goals.prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("key_person"))
    )


def _task_or_404(request: HttpRequest, plan: CasePlan, task_pk: int) -> Task:
    return find_or_404(
        request, Task.objects.filter(goal__plan=plan).select_related("goal"), pk=task_pk
    )


def _back_to_plan(plan: CasePlan, anchor: str = "") -> HttpResponse:
    return redirect(reverse("caseplans:plan", args=[plan.pk]) + anchor)


def _conflict(request: HttpRequest, form: VersionedForm, conflict: services.Conflict) -> None:
    """Keep the worker's typing, say what the other person saved, and arm the form to save
    over it only if the worker saves again knowingly."""
    data = form.data.copy()
    data["version"] = conflict.current.version
    form.data = data
    changed = ", ".join(
        f"{form.fields[name].label if name in form.fields else name}: {quoted(value)}"
        for name, value in conflict.changes.items()
    )
    form.add_error(
        None,
        "Someone else saved this while you were editing"
        + (f". It now says {changed}" if changed else "")
        + ". Your version is below: save again to replace theirs, or reload to keep theirs.",
    )


def _save(
    request: HttpRequest, form: VersionedForm, action, *args: object, **extra: object
) -> object | None:
    """Run a service with the form's fields; on refusal or conflict, put it on the form."""
    return save_versioned(
        request,
        form,
        action,
        *args,
        conflict=services.Conflict,
        on_conflict=lambda form, conflict: _conflict(request, form, conflict),
        **extra,
    )


# --- The plan ---------------------------------------------------------------------------------


@require_GET
def young_person_plans(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a young person's plans are: the current one, the one being made, earlier ones,
    and the crisis and exit plans."""
    young_person = _young_person_or_404(request, pk)
    plans = list(young_person.case_plans.select_related("approved_by").order_by("-number"))
    return render(
        request,
        "caseplans/young_person_plans.html",
        {
            "young_person": young_person,
            "plans": plans,
            "current": next((plan for plan in plans if plan.status == "current"), None),
            "in_the_making": next(
                (plan for plan in plans if plan.status in {"draft", "submitted"}), None
            ),
            "crisis_plan": getattr(young_person, "crisis_plan", None),
            "exit_plan": getattr(young_person, "exit_plan", None),
            "exits_ahead": exits_ahead(young_person, today=timezone.localdate()),
            "can_start": request.user.has_perm("caseplans.add_caseplan", young_person),
        },
    )


@require_POST
def plan_start(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "caseplans.add_caseplan", young_person)
    try:
        plan = services.start_plan(young_person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("caseplans:young-person", pk=young_person.pk)
    return redirect("caseplans:plan", pk=plan.pk)


def _plan_context(request: HttpRequest, plan: CasePlan) -> dict:
    user = request.user
    goals = list(_goals_with_tasks(plan))
    lineages = [goal.lineage for goal in goals]
    whole = user.has_perm("caseplans.view_whole_plan", plan)
    may_change = user.has_perm("caseplans.change_caseplan", plan)
    can_change = plan.is_draft and may_change
    table_alive = plan.status in {CasePlan.Status.DRAFT, CasePlan.Status.CURRENT}
    referral = plan.young_person.referrals.filter(status="accepted").order_by("-decided_at").first()
    return {
        "plan": plan,
        "young_person": plan.young_person,
        "goals": goals,
        "whole": whole,
        "referral": referral,
        "notes": notes_by_goal(lineages) if whole else {},
        "contacts": contacts_by_goal(lineages) if whole else {},
        "can_change": can_change,
        "can_change_table": table_alive and may_change,
        "can_progress": table_alive and may_change,
        "history": list(plan.table_changes.select_related("by", "task"))
        if whole and plan.status in {CasePlan.Status.CURRENT, CasePlan.Status.SUPERSEDED}
        else [],
        "can_approve": plan.status == "submitted"
        and user.has_perm("caseplans.approve_caseplan", plan),
        "missing": services.missing_parts(plan) if plan.is_draft else [],
        "today": timezone.localdate(),
    }


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    return render(request, "caseplans/plan_detail.html", _plan_context(request, plan))


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's dates, who took part, the young person's view and agreement, culture."""
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    form = PlanForm(submitted(request), instance=copy(plan))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, services.update_plan, plan) is not None
    ):
        messages.success(request, "The plan is saved.")
        return _back_to_plan(plan)
    return render(request, "caseplans/plan_form.html", {"form": form, "plan": plan})


def _plan_action(request: HttpRequest, pk: int, permission: str, action, done: str) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, permission, plan)
    form = VersionedForm(request.POST)
    form.is_valid()
    try:
        action(plan, by=request.user, version=form.cleaned_data.get("version"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except services.Conflict:
        messages.error(request, "Someone else changed the plan meanwhile: look again, then retry.")
    else:
        messages.success(request, done)
    return _back_to_plan(plan)


@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request, pk, "caseplans.change_caseplan", services.submit_plan,
        "The plan is sent to the supervisor for approval.",
    )  # fmt: skip


@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request, pk, "caseplans.approve_caseplan", services.approve_plan,
        "The plan is approved: it is now the current plan.",
    )  # fmt: skip


@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.approve_caseplan", plan)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what needs to change.")
    elif _save(request, form, services.return_plan, plan) is None:
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
    else:
        messages.success(request, "The plan is sent back to the case manager.")
    return _back_to_plan(plan)


@require_GET
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed from an earlier version (?with=) to this one."""
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.view_whole_plan", plan)
    others = plan.young_person.case_plans.exclude(pk=plan.pk).order_by("-number")
    chosen = request.GET.get("with", "")
    earlier = (chosen.isdigit() and others.filter(pk=chosen).first()) or others.filter(
        number__lt=plan.number
    ).first()
    if earlier:
        audit_detail(request, compared_with=earlier.pk)
    return render(
        request,
        "caseplans/plan_compare.html",
        {
            "plan": plan,
            "earlier": earlier,
            "others": others,
            "changes": compare_plans(earlier, plan) if earlier else None,
        },
    )


@require_GET
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    audit_detail(request, printed=True)
    return render(request, "caseplans/plan_print.html", _plan_context(request, plan))


@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    audit_detail(request, pdf=True)
    context = _plan_context(request, plan) | {"pdf": True}
    name = f"case-plan-{plan.young_person.family_name.lower()}-v{plan.number}.pdf"
    return render_pdf(
        request,
        "caseplans/plan_print.html",
        context,
        filename=name,
        instead="Use Print on the plan's page instead.",
    )


# --- Goals --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_form(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    goal = find_or_404(request, plan.goals, pk=goal_pk) if goal_pk else None
    form = GoalForm(submitted(request), instance=goal)
    if request.method == "POST" and form.is_valid():
        if goal is None:
            try:
                goal = services.add_goal(plan, by=request.user, **form.fields_to_save())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return _back_to_plan(plan, f"#goal-{goal.pk}")
        elif _save(request, form, services.update_goal, goal) is not None:
            return _back_to_plan(plan, f"#goal-{goal.pk}")
    return render(request, "caseplans/goal_form.html", {"form": form, "plan": plan, "goal": goal})


@require_POST
def goal_status(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    goal = find_or_404(request, plan.goals, pk=goal_pk)
    form = GoalStatusForm(request.POST)
    if form.is_valid() and _save(request, form, services.update_goal, goal) is not None:
        messages.success(request, f"The goal is now {goal.get_status_display().lower()}.")
    else:
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
    return _back_to_plan(plan, f"#goal-{goal.pk}")


@require_POST
def goal_note(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    goal = find_or_404(request, plan.goals, pk=goal_pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the progress before saving it.")
    else:
        try:
            services.add_goal_note(goal, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _back_to_plan(plan, f"#goal-{goal.pk}")


# --- The action table -------------------------------------------------------------------------


def _table_context(plan: CasePlan) -> dict:
    """What rows of the action table need, for a worker who may change the plan."""
    table_alive = plan.status in {CasePlan.Status.DRAFT, CasePlan.Status.CURRENT}
    return {
        "plan": plan,
        "can_change": plan.is_draft,
        "can_change_table": table_alive,
        "can_progress": table_alive,
    }


def _row(request: HttpRequest, plan: CasePlan, task: Task, **context: object) -> HttpResponse:
    return render(
        request, "caseplans/task_row.html", _table_context(plan) | {"task": task} | context
    )


def _key_people(plan: CasePlan) -> list[KeyPerson]:
    return list(plan.young_person.key_people.filter(active=True))


def _task_form(
    user: User, plan: CasePlan, goal: Goal, task: Task | None, data: object = None
) -> TaskForm:
    """The form of one row: its own prefix (and so its own field ids) on a page of many."""
    prefix = f"task-{task.pk}" if task else f"new-{goal.pk}"
    return TaskForm(
        data,
        user=user,
        instance=task,
        key_people=_key_people(plan),
        prefix=prefix,
        form_id=f"{prefix}-form",
        between_reviews=task is not None and plan.status == CasePlan.Status.CURRENT,
    )


@require_http_methods(["GET", "POST"])
def task_form(
    request: HttpRequest, pk: int, goal_pk: int | None = None, task_pk: int | None = None
) -> HttpResponse:
    """Add a task under a goal, or change one: a row of the table with htmx, a page without."""
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    if task_pk:
        task = _task_or_404(request, plan, task_pk)
        goal = task.goal
    else:
        task, goal = None, find_or_404(request, plan.goals, pk=goal_pk)
    form = _task_form(request.user, plan, goal, task, submitted(request))
    if request.method == "POST" and form.is_valid():
        if task is None:
            try:
                saved = services.add_task(goal, by=request.user, **form.fields_to_save())
            except ValidationError as error:
                add_service_error(form, error)
                saved = None
        else:
            saved = _save(request, form, services.update_task, task)
        if saved is not None:
            if request.htmx and task is None:
                response = render(
                    request,
                    "caseplans/task_added.html",
                    _table_context(plan)
                    | {
                        "goal": goal,
                        "task": saved,
                        "new_form": _task_form(request.user, plan, goal, None),
                    },
                )
                return reswap(retarget(response, f"#tasks-{goal.pk}"), "beforeend")
            if request.htmx:
                return _row(request, plan, saved)
            return _back_to_plan(plan, f"#task-{saved.pk}")
    template = "caseplans/task_form_row.html" if request.htmx else "caseplans/task_form.html"
    return render(request, template, {"form": form, "plan": plan, "goal": goal, "task": task})


@require_GET
def task_row(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """A task as a row of the table (htmx: editing cancelled)."""
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    task = _task_or_404(request, plan, task_pk)
    return _row(request, plan, task)


@require_POST
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    task = _task_or_404(request, plan, task_pk)
    form = TaskStatusForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = "That is not a status a task can have."
    elif _save(request, form, services.update_task, task) is None:
        problem = " ".join(str(error) for error in form.non_field_errors()) or " ".join(
            str(error) for errors in form.errors.values() for error in errors
        )
        task.refresh_from_db()
    if request.htmx:
        return _row(request, plan, task, problem=problem)
    if problem:
        messages.error(request, problem)
    return _back_to_plan(plan, f"#task-{task.pk}")


@require_POST
def task_move(request: HttpRequest, pk: int, task_pk: int, direction: str) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    task = _task_or_404(request, plan, task_pk)
    if direction not in {"up", "down"}:
        raise Http404
    try:
        services.move_task(task, by=request.user, up=direction == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        goal = _goals_with_tasks(plan).get(pk=task.goal_id)
        return render(request, "caseplans/task_rows.html", _table_context(plan) | {"goal": goal})
    return _back_to_plan(plan, f"#task-{task.pk}")


# --- Reviews ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    require_permission(request, "caseplans.change_caseplan", plan)
    goals = list(_goals_with_tasks(plan))
    form = ReviewForm(
        submitted(request),
        goals=goals,
        initial={"next_review_on": timezone.localdate() + services.REVIEW_AFTER},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_plan(
                plan,
                by=request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                summary=form.cleaned_data["summary"],
                next_review_on=form.cleaned_data["next_review_on"],
                progress=form.progress(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                "The review is recorded. The next version of the plan carries the open tasks "
                "forward: agree it with the young person, then submit it.",
            )
            return redirect("caseplans:plan", pk=review.next_plan_id)
    return render(request, "caseplans/review_form.html", {"form": form, "plan": plan})


# --- Crisis and exit plans --------------------------------------------------------------------


def _one_plan_form(
    request: HttpRequest, pk: int, *, model, form_class, permission: str, save, title: str,
    template: str = "caseplans/one_plan_form.html", context=None,
) -> HttpResponse:  # fmt: skip
    """`context`: more for the page, from the young person."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, permission, young_person)
    existing = getattr(
        young_person, model._meta.get_field("young_person").remote_field.related_name, None
    )
    if existing is not None:
        found_record(request, existing)
    form = form_class(submitted(request), instance=existing)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, save, young_person) is not None
    ):
        messages.success(request, f"The {title.lower()} is saved.")
        return redirect("caseplans:young-person", pk=young_person.pk)
    return render(
        request,
        template,
        {
            "form": form,
            "young_person": young_person,
            "title": title,
            **(context(young_person) if context else {}),
        },
    )


@require_http_methods(["GET", "POST"])
def crisis_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _one_plan_form(
        request, pk, model=CrisisPlan, form_class=CrisisPlanForm,
        permission="caseplans.change_crisisplan", save=services.save_crisis_plan,
        title="Crisis plan",
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def exit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _one_plan_form(
        request, pk, model=ExitPlan, form_class=ExitPlanForm,
        permission="caseplans.change_exitplan", save=services.save_exit_plan, title="Exit plan",
        template="caseplans/exit_plan_form.html",
        context=lambda young_person: {
            "exits_ahead": exits_ahead(young_person, today=timezone.localdate())
        },
    )  # fmt: skip
