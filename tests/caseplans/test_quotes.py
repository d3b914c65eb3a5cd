"""Quotation marks typed in a goal (or a task, an action) are stored as typed and shown once:
ICMS shows such text between its own quotation marks (toolkit.text.quoted), and a worker who
writes the young person's words between quotation marks must not see them doubled."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans.models import Goal
from caseplans.services import remind_of_plan_work
from notifications.models import Notification
from tests.factories import CasePlanFactory, GoalFactory, TaskFactory
from toolkit.text import quoted

pytestmark = pytest.mark.django_db

SAID = 'She said "I\'ll try"'
QUOTED = "'quoted'"


def test_typed_quotes_in_a_goal_are_stored_as_typed_and_shown_once(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)
    plan = CasePlanFactory(young_person=own_young_person, created_by=case_manager, number=1)
    for words in [SAID, QUOTED]:
        client.post(
            reverse("caseplans:goal-create", args=[plan.pk]),
            {"domain": "education", "in_own_words": words, "status": "not_started"},
        )
    said, single = Goal.objects.order_by("pk")

    page = client.get(reverse("caseplans:plan", args=[plan.pk])).text
    printed = client.get(reverse("caseplans:print", args=[plan.pk])).text
    task_page = client.get(reverse("caseplans:task-create", args=[plan.pk, single.pk])).text
    editing = client.get(reverse("caseplans:goal-edit", args=[plan.pk, single.pk])).text

    assert (said.in_own_words, single.in_own_words) == (SAID, QUOTED)
    for shown in [page, printed]:
        assert "“She said &quot;I&#x27;ll try&quot;”" in shown
        assert "“quoted”" in shown
        assert "&#x27;quoted&#x27;" not in shown
    assert "For the goal “quoted”." in task_page
    assert "&#x27;quoted&#x27;</textarea>" in editing  # what was typed, to change


def test_the_contact_form_and_a_reminder_show_typed_quotes_once(
    client, log_in, case_manager, own_young_person
):
    plan = CasePlanFactory(young_person=own_young_person, number=1, status="current")
    goal = GoalFactory(plan=plan, in_own_words="“Get my learner licence”")
    TaskFactory(
        goal=goal, description='"Book the test"', due_on=timezone.localdate() + timedelta(days=1)
    )
    log_in(case_manager)

    form = client.get(reverse("clients:contact-create", args=[own_young_person.pk])).text
    remind_of_plan_work(timezone.localdate())

    assert "Goal: “Get my learner licence”</strong>" in form
    message = Notification.objects.get(recipient=case_manager).message
    assert message.startswith("“Book the test” (Jayden Own's plan) is due")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (SAID, '“She said "I\'ll try"”'),
        (QUOTED, "“quoted”"),
        ("'I'll try'", "“I'll try”"),  # the apostrophe is no closing mark
        ('"I\'ll try"', "“I'll try”"),
        ("“Go back to school”", "“Go back to school”"),
        ("'Go' and 'stay'", "“'Go' and 'stay'”"),  # two quotations, not one around it all
        ('"Go" or "stay"', '“"Go" or "stay"”'),
        ("Nan's place", "“Nan's place”"),
        ("  padded  ", "“padded”"),
    ],
)
def test_text_is_quoted_once(typed, shown):
    assert quoted(typed) == shown
