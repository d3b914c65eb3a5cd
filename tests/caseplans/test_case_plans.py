import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from caseplans.models import CasePlan, Goal, Task
from notifications.models import Notification
from tests.factories import (
    CasePlanFactory,
    GoalFactory,
    KeyPersonFactory,
    ReferralFactory,
    TaskFactory,
    TOTPDeviceFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(own_young_person, case_manager):
    return CasePlanFactory(young_person=own_young_person, created_by=case_manager, number=1)


@pytest.fixture
def cm_client(client, log_in, case_manager):
    log_in(case_manager)
    return client


def plan_url(plan) -> str:
    return reverse("caseplans:plan", args=[plan.pk])


def task_data(prefix: str, **changes) -> dict:
    fields = {
        "description": "Visit the youth housing service",
        "responsible": "young_person",
        "key_person": "",
        "agency": "",
        "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "status": "not_started",
    } | changes
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def test_a_case_manager_starts_a_plan_adds_a_goal_and_tasks(
    cm_client, own_young_person, case_manager
):
    response = cm_client.post(reverse("caseplans:start", args=[own_young_person.pk]))
    plan = CasePlan.objects.get(young_person=own_young_person)
    assert response.url == plan_url(plan)

    cm_client.post(
        reverse("caseplans:goal-create", args=[plan.pk]),
        {"domain": "education", "in_own_words": "Go back to school", "status": "not_started"},
    )
    goal = plan.goals.get()
    row = cm_client.post(
        reverse("caseplans:task-create", args=[plan.pk, goal.pk]),
        task_data(f"new-{goal.pk}", description="Meet the re-engagement teacher"),
        HTTP_HX_REQUEST="true",
    )

    assert "Meet the re-engagement teacher" in row.text
    assert row["HX-Retarget"] == f"#tasks-{goal.pk}"  # the new row goes under the goal
    assert row["HX-Reswap"] == "beforeend"
    assert f'id="add-task-{goal.pk}" class="task-form-row" hx-swap-oob="true"' in row.text
    page = cm_client.get(plan_url(plan))
    assert "“Go back to school”" in page.text
    assert "Meet the re-engagement teacher" in page.text


def test_adding_a_task_works_without_javascript(cm_client, draft):
    goal = GoalFactory(plan=draft)

    response = cm_client.post(
        reverse("caseplans:task-create", args=[draft.pk, goal.pk]), task_data(f"new-{goal.pk}")
    )

    task = goal.tasks.get()
    assert response.url == f"{plan_url(draft)}#task-{task.pk}"


def test_a_due_date_before_the_plan_starts_is_refused(cm_client, draft):
    goal = GoalFactory(plan=draft)
    early = (draft.starts_on - timedelta(days=3)).isoformat()

    response = cm_client.post(
        reverse("caseplans:task-create", args=[draft.pk, goal.pk]),
        task_data(f"new-{goal.pk}", due_on=early),
        HTTP_HX_REQUEST="true",
    )

    assert "This is before the plan starts" in response.text
    assert not Task.objects.exists()


def test_an_empty_goal_is_refused(cm_client, draft):
    response = cm_client.post(
        reverse("caseplans:goal-create", args=[draft.pk]),
        {"domain": "housing", "in_own_words": "   ", "status": "not_started"},
    )

    assert "This field is required" in response.text or "in the young person" in response.text
    assert not Goal.objects.exists()


def test_a_task_for_a_key_person_of_another_young_person_is_refused(cm_client, draft):
    goal = GoalFactory(plan=draft)
    stranger = KeyPersonFactory(young_person=YoungPersonFactory(), name="Someone Else")

    response = cm_client.post(
        reverse("caseplans:task-create", args=[draft.pk, goal.pk]),
        task_data(f"new-{goal.pk}", responsible="key_person", key_person=stranger.pk),
    )

    assert "Select a valid choice" in response.text
    assert "Someone Else" not in response.text  # another team's young person's family
    assert not Task.objects.exists()


def test_a_task_for_their_own_nan_is_kept_with_her_name(cm_client, draft, own_young_person):
    goal = GoalFactory(plan=draft)
    nan = KeyPersonFactory(young_person=own_young_person, name="Nan Maria")

    cm_client.post(
        reverse("caseplans:task-create", args=[draft.pk, goal.pk]),
        task_data(f"new-{goal.pk}", responsible="key_person", key_person=nan.pk),
    )

    assert goal.tasks.get().who == "Nan Maria"


def test_marking_a_task_done_dates_it_and_returns_the_row(cm_client, draft):
    task = TaskFactory(goal=GoalFactory(plan=draft))

    row = cm_client.post(
        reverse("caseplans:task-status", args=[draft.pk, task.pk]),
        {"status": "done", "version": task.version},
        HTTP_HX_REQUEST="true",
    )

    task.refresh_from_db()
    assert (task.status, task.completed_on) == ("done", timezone.localdate())
    assert row.text.strip().startswith(f'<tr id="task-{task.pk}"')
    assert "Done" in row.text


def test_tasks_are_reordered(cm_client, draft):
    goal = GoalFactory(plan=draft)
    first = TaskFactory(goal=goal, description="First", position=0)
    second = TaskFactory(goal=goal, description="Second", position=1)

    cm_client.post(reverse("caseplans:task-move", args=[draft.pk, second.pk, "up"]))

    assert list(goal.tasks.values_list("description", flat=True)) == ["Second", "First"]
    assert first.pk != second.pk


def second_session(user) -> Client:
    other = Client()
    other.force_login(user)
    session = other.session
    session["otp_device_id"] = TOTPDeviceFactory(user=user).persistent_id
    session.save()
    return other


def test_two_people_editing_one_task_the_second_is_told_and_the_first_change_stays(
    cm_client, draft, supervisor
):
    task = TaskFactory(goal=GoalFactory(plan=draft), description="Book the GP")
    seen = task.version
    edit = reverse("caseplans:task-edit", args=[draft.pk, task.pk])
    prefix = f"task-{task.pk}"

    first = cm_client.post(
        edit, task_data(prefix, description="Book the GP for Tuesday", version=seen)
    )
    second = second_session(supervisor).post(
        edit, task_data(prefix, description="Book the dentist", version=seen)
    )

    assert first.status_code == 302
    assert "Someone else saved this while you were editing" in second.text
    assert "Book the GP for Tuesday" in second.text  # what the first person saved
    task.refresh_from_db()
    assert task.description == "Book the GP for Tuesday"


def test_submit_names_what_is_missing_then_the_supervisor_approves(
    client, log_in, draft, case_manager, supervisor
):
    TaskFactory(goal=GoalFactory(plan=draft))
    log_in(case_manager)
    client.post(reverse("caseplans:submit", args=[draft.pk]), {"version": draft.version})
    page = client.get(plan_url(draft)).text
    assert "who took part in making the plan" in page
    assert "the date the young person agreed to the plan" in page

    draft.refresh_from_db()
    draft.participants = ["young_person", "family"]
    draft.agreed_on = timezone.localdate()
    draft.save()
    client.post(reverse("caseplans:submit", args=[draft.pk]), {"version": draft.version})
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert Notification.objects.filter(recipient=supervisor).exists()

    log_in(supervisor)
    client.post(reverse("caseplans:approve", args=[draft.pk]), {"version": draft.version})
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("current", supervisor)


def test_a_stale_form_posted_after_approval_is_refused(cm_client, draft):
    goal = GoalFactory(plan=draft)
    task = TaskFactory(goal=goal)
    CasePlan.objects.filter(pk=draft.pk).update(status="current")

    response = cm_client.post(
        reverse("caseplans:task-edit", args=[draft.pk, task.pk]),
        task_data(f"task-{task.pk}", description="Changed after approval", version=task.version),
    )

    assert "what a task is can no longer be changed until the plan" in response.text
    task.refresh_from_db()
    assert task.description != "Changed after approval"


def test_child_protection_sees_the_current_action_table_read_only(
    client, log_in, practitioner, own_young_person, case_manager
):
    ReferralFactory(referred_by=practitioner, young_person=own_young_person, status="accepted")
    plan = CasePlanFactory(young_person=own_young_person, status="current", number=1)
    TaskFactory(goal=GoalFactory(plan=plan), description="Apply for youth allowance")
    log_in(practitioner)

    page = client.get(plan_url(plan))

    assert page.status_code == 200
    assert "Apply for youth allowance" in page.text
    assert "Edit" not in page.text
    assert "Keeps in touch with nan" not in page.text  # strengths are ICMS's
    edit = client.get(
        reverse("caseplans:task-edit", args=[plan.pk, plan.goals.get().tasks.get().pk])
    )
    assert edit.status_code == 403


def test_the_plan_prints_and_makes_a_pdf_with_every_task(cm_client, draft, own_young_person):
    goal = GoalFactory(plan=draft)
    TaskFactory(goal=goal, description="Open a bank account")
    TaskFactory(goal=goal, description="Get a Medicare card")

    printed = cm_client.get(reverse("caseplans:print", args=[draft.pk]))
    pdf = cm_client.get(reverse("caseplans:pdf", args=[draft.pk]))

    assert "Open a bank account" in printed.text
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert own_young_person.display_name in text
    assert "Open a bank account" in text
    assert "Get a Medicare card" in text


def test_the_crisis_plan_is_written_and_a_stale_copy_cannot_overwrite_it(
    cm_client, own_young_person, supervisor
):
    url = reverse("caseplans:crisis", args=[own_young_person.pk])
    fields = {"warning_signs": "Stops answering texts", "who_to_call": "Nan, then the team"}

    cm_client.post(url, fields)
    stale = second_session(supervisor).post(url, fields | {"warning_signs": "Older version"})

    assert own_young_person.crisis_plan.warning_signs == "Stops answering texts"
    assert "Someone else saved this while you were editing" in stale.text
