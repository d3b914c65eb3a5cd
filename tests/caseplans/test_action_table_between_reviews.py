"""The action table of the current plan stays alive between reviews: a task is added, given to
someone else or given another date, each kept in the plan's history (who, when, from what to
what) where the supervisor sees it; what a task is, and the goals, still change at a review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans.models import Task, TaskChange
from notifications.models import Notification
from tests.caseplans.test_case_plans import second_session
from tests.factories import GoalFactory, KeyPersonFactory, TaskFactory
from toolkit.formats import show_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(current_plan):
    return TaskFactory(
        goal=GoalFactory(plan=current_plan),
        description="Ring the school about a return date",
        responsible=Task.Responsible.YOUNG_PERSON,
        due_on=timezone.localdate() + timedelta(days=3),
    )


@pytest.fixture
def cm_client(client, log_in, case_manager):
    log_in(case_manager)
    return client


def row_data(prefix: str, task: Task, **changes) -> dict:
    fields = {
        "description": task.description,
        "responsible": task.responsible,
        "key_person": task.key_person_id or "",
        "agency": task.agency,
        "due_on": task.due_on.isoformat(),
        "status": task.status,
        "version": task.version,
    } | changes
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def history(plan) -> list[tuple[str, str, str]]:
    return list(plan.table_changes.order_by("id").values_list("kind", "before", "after"))


def test_a_task_is_added_to_the_current_plan_and_the_supervisor_sees_it(
    cm_client, current_plan, task, supervisor, case_manager
):
    goal = task.goal
    due = timezone.localdate() + timedelta(days=10)
    page = cm_client.get(reverse("caseplans:plan", args=[current_plan.pk]))
    assert f'id="add-task-{goal.pk}"' in page.text  # the empty row to add one

    cm_client.post(
        reverse("caseplans:task-create", args=[current_plan.pk, goal.pk]),
        row_data(
            f"new-{goal.pk}", task, description="Go to the open day at the TAFE",
            responsible="case_manager", due_on=due.isoformat(), status="not_started", version="",
        ),
    )  # fmt: skip

    added = goal.tasks.get(description="Go to the open day at the TAFE")
    assert history(current_plan) == [("added", "", f"Case manager, by {show_date(due)}")]
    change = TaskChange.objects.get()
    assert (change.task, change.by) == (added, case_manager)
    seen = second_session(supervisor).get(reverse("caseplans:plan", args=[current_plan.pk]))
    assert "Changes to the action table since approval" in seen.text
    assert f"{case_manager} added “Go to the open day at the TAFE” (Case manager, by" in seen.text
    notice = Notification.objects.get(recipient=supervisor)
    assert notice.url == reverse("caseplans:plan", args=[current_plan.pk]) + "#plan-history"


def test_a_task_is_given_to_nan_and_re_dated_each_change_kept_and_told_once_a_day(
    cm_client, current_plan, task, own_young_person, supervisor, case_manager
):
    nan = KeyPersonFactory(young_person=own_young_person, name="Nan Maria")
    later = task.due_on + timedelta(days=7)
    prefix = f"task-{task.pk}"

    response = cm_client.post(
        reverse("caseplans:task-edit", args=[current_plan.pk, task.pk]),
        row_data(prefix, task, responsible="key_person", key_person=nan.pk),
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    cm_client.post(
        reverse("caseplans:task-edit", args=[current_plan.pk, task.pk]),
        row_data(prefix, task, due_on=later.isoformat()),
    )

    task.refresh_from_db()
    assert "Nan Maria" in response.text  # the saved row
    assert (task.who, task.due_on) == ("Nan Maria", later)
    before = show_date(later - timedelta(days=7))
    assert history(current_plan) == [
        ("reassigned", "The young person", "Nan Maria"),
        ("redated", before, f"{show_date(later)}"),
    ]
    page = second_session(supervisor).get(reverse("caseplans:plan", args=[current_plan.pk]))
    assert (
        f"{case_manager} changed who does “Ring the school about a return date”: "
        "The young person → Nan Maria"
    ) in page.text
    assert f"changed the date of “Ring the school about a return date”: {before} →" in page.text
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert not Notification.objects.filter(recipient=case_manager).exists()


def test_what_a_task_is_the_goals_and_an_earlier_version_still_wait_for_a_review(
    cm_client, current_plan, task
):
    goal = task.goal
    edit_row = cm_client.get(
        reverse("caseplans:task-edit", args=[current_plan.pk, task.pk]), HTTP_HX_REQUEST="true"
    )
    assert f'name="task-{task.pk}-description"' in edit_row.text
    assert "readonly" in edit_row.text

    renamed = cm_client.post(
        reverse("caseplans:task-edit", args=[current_plan.pk, task.pk]),
        row_data(f"task-{task.pk}", task, description="Something else entirely"),
    )
    goal_edited = cm_client.post(
        reverse("caseplans:goal-edit", args=[current_plan.pk, goal.pk]),
        {"domain": "education", "in_own_words": "Something new", "status": "in_progress",
         "version": goal.version},
    )  # fmt: skip
    goal_added = cm_client.post(
        reverse("caseplans:goal-create", args=[current_plan.pk]),
        {"domain": "education", "in_own_words": "Another goal", "status": "not_started"},
    )

    assert "what a task is can no longer be changed until the plan&#x27;s review" in renamed.text
    for response in [goal_edited, goal_added]:
        assert "Version 1 of the plan is current: it can no longer be changed." in response.text
    task.refresh_from_db()
    goal.refresh_from_db()
    assert (task.description, goal.in_own_words) == (
        "Ring the school about a return date",
        "I want my own place, near my nan.",
    )
    assert current_plan.goals.count() == 1

    current_plan.status = "superseded"  # an earlier version stays as it was
    current_plan.save()
    redated = cm_client.post(
        reverse("caseplans:task-edit", args=[current_plan.pk, task.pk]),
        row_data(f"task-{task.pk}", task, due_on=(task.due_on + timedelta(days=1)).isoformat()),
    )
    assert "Version 1 of the plan is superseded: it can no longer be changed." in redated.text
    assert not TaskChange.objects.exists()


def test_two_people_re_dating_one_task_the_second_is_told_and_one_change_is_kept(
    cm_client, current_plan, task, supervisor
):
    url = reverse("caseplans:task-edit", args=[current_plan.pk, task.pk])
    prefix = f"task-{task.pk}"
    first_date = task.due_on + timedelta(days=2)

    first = cm_client.post(url, row_data(prefix, task, due_on=first_date.isoformat()))
    second = second_session(supervisor).post(
        url, row_data(prefix, task, due_on=(task.due_on + timedelta(days=9)).isoformat())
    )

    assert first.status_code == 302
    assert "Someone else saved this while you were editing" in second.text
    task.refresh_from_db()
    assert task.due_on == first_date
    assert [kind for kind, _, _ in history(current_plan)] == ["redated"]


def test_a_goal_s_row_to_add_a_task_is_drawn_when_asked_for(cm_client, current_plan, task):
    """A plan of many goals is not a page of many forms: each goal offers to add a task, and its
    row comes when asked for (in place with htmx; a page of its own without JavaScript)."""
    goal = task.goal
    add_url = reverse("caseplans:task-create", args=[current_plan.pk, goal.pk])
    page = cm_client.get(reverse("caseplans:plan", args=[current_plan.pk]))
    assert f'href="{add_url}" hx-get="{add_url}"' in page.text
    assert f'name="new-{goal.pk}-description"' not in page.text

    row = cm_client.get(add_url, headers={"HX-Request": "true"})
    assert "<html" not in row.text
    assert f'id="add-task-{goal.pk}"' in row.text
    assert f'name="new-{goal.pk}-description"' in row.text

    without_javascript = cm_client.get(add_url)
    assert "A new task" in without_javascript.text
    assert f'name="new-{goal.pk}-description"' in without_javascript.text
