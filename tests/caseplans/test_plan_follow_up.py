"""Following a plan through: contacts that move it forward, reviews that fall due, and a plan
page that stays as quick with many goals as with one."""

import csv
import io
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans import services
from caseplans.models import ContactAdvanced, GoalNote, TaskChange
from tests.clients.test_contacts import edit
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    GoalFactory,
    KeyPersonFactory,
    TaskFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def contact_data(**changes) -> dict:
    started = timezone.localtime() - timedelta(hours=2)
    return {
        "client_reference": str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "40",
        "mode": "face",
        "location": "community",
        "kind": "skills",
        "reached_young_person": "on",
        "notes": "Filled in the housing form together at the library.",
        "follow_up": "",
    } | changes


def test_a_contact_names_what_it_moved_forward_and_the_goal_shows_it(
    client, log_in, case_manager, own_young_person, current_plan
):
    housing = GoalFactory(plan=current_plan, in_own_words="My own place near nan")
    application = TaskFactory(goal=housing, description="Send the housing application")
    TaskFactory(goal=housing, description="Visit the flat")
    school = GoalFactory(plan=current_plan, domain="education", in_own_words="Finish year 10")
    log_in(case_manager)
    url = reverse("clients:contact-create", args=[own_young_person.pk])

    form = client.get(url)
    assert "Goal: “My own place near nan”" in form.text
    assert "Send the housing application" in form.text
    response = client.post(
        url, contact_data(advanced=[f"task-{application.pk}", f"goal-{school.pk}"])
    )

    assert response.status_code == 302
    contact = own_young_person.contacts.get()
    plan = client.get(reverse("caseplans:plan", args=[current_plan.pk])).text
    assert "(task: Send the housing application)" in plan
    assert (
        plan.count(reverse("clients:contact-detail", args=[own_young_person.pk, contact.pk])) == 2
    )
    detail = client.get(reverse("clients:contact-detail", args=[own_young_person.pk, contact.pk]))
    assert "Moved the case plan forward" in detail.text
    assert "“Finish year 10”" in detail.text


def test_the_contact_stays_with_its_goal_in_the_next_version(
    client, log_in, case_manager, own_young_person, current_plan
):
    goal = GoalFactory(plan=current_plan, in_own_words="Get my learner licence")
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    services.record_advanced(contact, by=case_manager, goals=[goal], tasks=[], offered=[goal])
    next_version = services.start_plan(own_young_person, by=case_manager)
    log_in(case_manager)

    page = client.get(reverse("caseplans:plan", args=[next_version.pk]))

    assert "“Get my learner licence”" in page.text
    assert reverse("clients:contact-detail", args=[own_young_person.pk, contact.pk]) in page.text


def test_only_goals_of_the_current_plan_can_be_named(
    client, log_in, case_manager, own_young_person, current_plan
):
    draft = CasePlanFactory(young_person=own_young_person, number=2)
    draft_goal = GoalFactory(plan=draft, in_own_words="Only in the draft")
    log_in(case_manager)
    url = reverse("clients:contact-create", args=[own_young_person.pk])
    GoalFactory(plan=current_plan)

    assert "Only in the draft" not in client.get(url).text
    response = client.post(url, contact_data(advanced=[f"goal-{draft_goal.pk}"]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not own_young_person.contacts.exists()


def test_without_a_current_plan_the_contact_form_asks_nothing_of_it(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    form = client.get(reverse("clients:contact-create", args=[own_young_person.pk]))

    assert "What it moved forward in the case plan" not in form.text


def test_editing_a_contact_changes_what_it_moved_forward(
    client, log_in, case_manager, own_young_person, current_plan
):
    goal = GoalFactory(plan=current_plan)
    task = TaskFactory(goal=goal)
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    contact.workers.add(case_manager)
    services.record_advanced(contact, by=case_manager, goals=[goal], tasks=[task], offered=[goal])
    log_in(case_manager)
    url = reverse("clients:contact-edit", args=[own_young_person.pk, contact.pk])

    form = client.get(url)
    assert f'value="task-{task.pk}"' in form.text
    assert sorted(form.context["form"].initial["advanced"]) == [
        f"goal-{goal.pk}",
        f"task-{task.pk}",
    ]
    response = edit(client, contact, advanced=[f"task-{task.pk}"])

    assert response.redirect_chain[-1] == (
        reverse("clients:contact-detail", args=[own_young_person.pk, contact.pk]),
        302,
    )
    assert list(ContactAdvanced.objects.filter(contact=contact).values_list("task", flat=True)) == [
        task.pk
    ]


def test_an_overdue_plan_review_shows_on_the_caseload_and_can_be_filtered(
    client, log_in, case_manager, own_young_person, care_team_young_person, current_plan
):
    overdue = CasePlanFactory(
        young_person=care_team_young_person,
        status="current",
        starts_on=date(2026, 3, 2),
        review_on=date(2026, 6, 1),
        submitted_at=timezone.now(),
    )
    log_in(case_manager)

    page = client.get(reverse("clients:caseload"))
    only_overdue = client.get(reverse("clients:caseload"), {"review_overdue": "on"})
    export = client.get(reverse("clients:caseload-export"))

    assert '1 Jun 2026 <span class="badge text-bg-warning">review overdue</span>' in page.text
    assert current_plan.review_on.strftime("%-d %b %Y") in page.text
    assert [yp.pk for yp in only_overdue.context["young_people"]] == [care_team_young_person.pk]
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    by_name = {row["Given name"]: row for row in rows}
    assert by_name["Noah"]["Next plan review"] == overdue.review_on.isoformat()
    assert by_name["Noah"]["Plan review overdue"] == "yes"
    assert by_name["Jayden"]["Plan review overdue"] == "no"
    home = client.get(reverse("home"))
    assert "Plan review was due 1 Jun" in home.text


def test_the_supervisor_sees_plans_to_approve_and_reviews_overdue(
    client, log_in, supervisor, team, case_manager, other_young_person
):
    waiting = CasePlanFactory(
        young_person=YoungPersonFactory(team=team, given_name="Mia", family_name="Waiting"),
        created_by=case_manager,
        status="submitted",
        submitted_at=timezone.now(),
    )
    CasePlanFactory(
        young_person=YoungPersonFactory(team=team, given_name="Leo", family_name="Late"),
        status="current",
        starts_on=date(2026, 3, 2),
        review_on=date(2026, 6, 1),
    )
    CasePlanFactory(  # another team's: not this supervisor's to follow up
        young_person=other_young_person,
        status="current",
        starts_on=date(2026, 3, 2),
        review_on=date(2026, 6, 1),
    )
    log_in(supervisor)

    home = client.get(reverse("home")).text

    assert "Waiting for your approval" in home
    assert reverse("caseplans:plan", args=[waiting.pk]) in home
    assert "Leo Late" in home
    assert "Review was due 1 Jun 2026" in home
    assert other_young_person.display_name not in home


@pytest.mark.parametrize("goal_count", [1, 4])
def test_the_plan_page_runs_the_same_queries_however_big_the_plan(
    client, log_in, case_manager, own_young_person, current_plan, goal_count,
    django_assert_num_queries,
):  # fmt: skip
    for _ in range(goal_count):
        goal = GoalFactory(plan=current_plan)
        tasks = TaskFactory.create_batch(3, goal=goal)
        GoalNote.objects.create(lineage=goal.lineage, text="Going well", written_by=case_manager)
        contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
        services.record_advanced(
            contact, by=case_manager, goals=[goal], tasks=tasks[:2], offered=[goal]
        )
        TaskChange.objects.create(
            plan=current_plan, task=tasks[0], kind="redated", before="01/12/2026",
            after="08/12/2026", by=case_manager,
        )  # fmt: skip
    log_in(case_manager)

    # session user, OTP device, groups; the plan, its young person's alerts; the view audited
    # (savepoint, insert, release); goals, tasks; whole plan and change allowed (one visibility
    # check each); the referral; notes, contacts; the plan's history; unread notifications (the
    # row to add a task, with the young person's family, comes when asked for)
    with django_assert_num_queries(17):
        response = client.get(reverse("caseplans:plan", args=[current_plan.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("goal_count", [1, 4])
def test_a_draft_with_a_way_to_add_a_task_under_every_goal_runs_the_same_queries(
    client, log_in, case_manager, own_young_person, goal_count, django_assert_num_queries
):
    draft = CasePlanFactory(young_person=own_young_person, created_by=case_manager, number=1)
    KeyPersonFactory.create_batch(2, young_person=own_young_person)
    for _ in range(goal_count):
        TaskFactory.create_batch(3, goal=GoalFactory(plan=draft))
    log_in(case_manager)

    # as for the current plan, but whether the draft has a goal yet instead of the plan's
    # history
    with django_assert_num_queries(17):
        response = client.get(reverse("caseplans:plan", args=[draft.pk]))
    assert response.text.count('aria-label="Add a task to ') == goal_count
