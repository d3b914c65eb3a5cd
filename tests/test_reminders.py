"""The reminders engine: contacts overdue, action-table tasks and plan reviews coming due; once
per thing and person per day, through the real broker and a worker too."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from caseplans.tasks import case_plan_reminders
from clients.tasks import contact_reminders
from icms.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import send_waiting_emails
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    GoalFactory,
    ReferralFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)
MELBOURNE = ZoneInfo("Australia/Melbourne")


@pytest.fixture(autouse=True)
def _monday_morning(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 6, 30, tzinfo=MELBOURNE), tick=False)


def reached(young_person, days_ago: int) -> None:
    ContactFactory(
        young_person=young_person,
        started_at=datetime(2026, 11, 23, 10, tzinfo=MELBOURNE) - timedelta(days=days_ago),
    )


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_a_young_person_not_reached_within_the_threshold_reminds_the_case_manager_once_a_day(
    own_young_person, case_manager, supervisor
):
    reached(own_young_person, days_ago=5)  # Medium: every 4 days

    contact_reminders()
    contact_reminders()

    assert told(case_manager) == [
        "No contact has reached Jayden Own since 18 Nov 2026 (expected every 4 days)."
    ]
    assert told(supervisor) == []


def test_past_twice_the_threshold_the_supervisor_is_told_too(
    own_young_person, case_manager, supervisor
):
    reached(own_young_person, days_ago=9)

    contact_reminders()

    assert len(told(case_manager)) == 1
    assert len(told(supervisor)) == 1


def test_a_young_person_reached_in_time_reminds_nobody(own_young_person, case_manager):
    reached(own_young_person, days_ago=2)

    contact_reminders()

    assert told(case_manager) == []


def test_tasks_coming_due_remind_the_case_manager_and_child_protection_its_own(
    own_young_person, case_manager, practitioner
):
    ReferralFactory(referred_by=practitioner, young_person=own_young_person, status="accepted")
    plan = CasePlanFactory(
        young_person=own_young_person, status="current", starts_on=MONDAY - timedelta(30)
    )
    goal = GoalFactory(plan=plan)
    TaskFactory(goal=goal, description="Book the GP", due_on=MONDAY + timedelta(1))
    TaskFactory(
        goal=goal,
        description="Confirm the placement",
        responsible="child_protection",
        due_on=MONDAY - timedelta(3),
    )
    TaskFactory(goal=goal, description="Later", due_on=MONDAY + timedelta(10))
    TaskFactory(goal=goal, description="Finished", due_on=MONDAY, status="done",
                completed_on=MONDAY)  # fmt: skip

    case_plan_reminders()
    case_plan_reminders()

    assert sorted(told(case_manager)) == [
        "“Book the GP” (Jayden Own's plan) is due 24 Nov 2026.",
        "“Confirm the placement” (Jayden Own's plan) was due 20 Nov 2026.",
    ]
    assert told(practitioner) == [
        "“Confirm the placement” (Jayden Own's plan) was due 20 Nov 2026."
    ]


def test_an_overdue_plan_review_tells_the_supervisor_too(
    own_young_person, case_manager, supervisor
):
    CasePlanFactory(
        young_person=own_young_person,
        status="current",
        starts_on=MONDAY - timedelta(100),
        review_on=MONDAY - timedelta(2),
    )

    case_plan_reminders()

    assert told(case_manager) == ["Jayden Own's case plan review was due 21 Nov 2026."]
    assert told(supervisor) == told(case_manager)


@pytest.mark.django_db(transaction=True)
def test_the_reminder_job_runs_end_to_end_through_redis_and_a_worker(
    monkeypatch, own_young_person, case_manager
):
    reached(own_young_person, days_ago=6)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        contact_reminders.delay()
        deadline = time.monotonic() + 20
        while not Notification.objects.filter(recipient=case_manager).exists():
            assert time.monotonic() < deadline, "the worker did not run the reminders in 20 s"
            time.sleep(0.1)

    assert "No contact has reached Jayden Own" in told(case_manager)[0]


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_change_is_saved_and_its_e_mail_goes_later(
    client, log_in, supervisor, case_manager, own_young_person, tmp_path, monkeypatch,
    time_machine,
):  # fmt: skip
    plan = CasePlanFactory(
        young_person=own_young_person, created_by=case_manager, status="submitted"
    )
    log_in(supervisor)
    with monkeypatch.context() as down:
        down.setitem(celery_app.conf, "task_always_eager", False)
        down.setitem(celery_app.conf, "broker_url", f"redis+socket://{tmp_path}/no-redis.sock")
        down.setattr(celery_app, "_pool", None)  # a fresh connection pool, to the dead socket
        down.setattr(celery_app.amqp, "_producer_pool", None)  # and producers on it

        response = client.post(
            reverse("caseplans:approve", args=[plan.pk]), {"version": plan.version}
        )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "current"
    waiting = Notification.objects.get(recipient=case_manager)
    assert waiting.emailed_at is None
    assert mail.outbox == []

    time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=False)
    assert send_waiting_emails() == 1

    waiting.refresh_from_db()
    assert waiting.emailed_at is not None
    assert [message.to for message in mail.outbox] == [[case_manager.email]]
