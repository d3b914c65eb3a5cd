"""The job that tells the supervisor, and the worker, of a visit not checked in by the time
given: once per time given, however often it runs."""

from datetime import datetime, timedelta

import pytest
from celery import current_app
from django.urls import reverse
from django.utils import timezone

from icms.schedules import SCHEDULES
from notifications.models import Notification
from tests.factories import UserFactory, VisitPlanFactory
from visits import services
from visits.tasks import missed_check_ins

pytestmark = pytest.mark.django_db

LEAVES = datetime(2026, 11, 3, 13, tzinfo=timezone.get_default_timezone())  # a Tuesday
BACK_BY = LEAVES + timedelta(hours=1)


@pytest.fixture
def plan(case_manager, supervisor, own_young_person, time_machine):
    time_machine.move_to(LEAVES, tick=False)
    return services.start_visit(
        worker=case_manager,
        place="12 Station St, Preston",
        back_by=BACK_BY,
        young_person=own_young_person,
    )


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_nobody_is_told_within_the_grace_period(plan, case_manager, supervisor, time_machine):
    time_machine.move_to(BACK_BY + timedelta(minutes=14), tick=False)

    missed_check_ins()

    assert told(supervisor) == told(case_manager) == []
    plan.refresh_from_db()
    assert plan.supervisor_told_at is None


def test_the_grace_period_is_a_setting(plan, supervisor, settings, time_machine):
    settings.ICMS_VISIT_CHECK_IN_GRACE_MINUTES = 60
    time_machine.move_to(BACK_BY + timedelta(minutes=30), tick=False)

    missed_check_ins()

    assert told(supervisor) == []


def test_the_supervisor_and_the_worker_are_told_once_however_often_the_job_runs(
    plan, case_manager, supervisor, time_machine
):
    late = BACK_BY + timedelta(minutes=16)
    for minutes in (0, 5, 10):
        time_machine.move_to(late + timedelta(minutes=minutes), tick=False)
        missed_check_ins()

    assert told(supervisor) == [
        f"{case_manager} has not checked in: expected back by 3 Nov 2026, 14:00 from "
        "12 Station St, Preston."
    ]
    assert told(case_manager) == [
        "You have not checked in: you expected to be back by 3 Nov 2026, 14:00 from "
        "12 Station St, Preston. If you are safe, check in."
    ]
    assert Notification.objects.get(recipient=supervisor).url == reverse(
        "visits:plan", args=[plan.pk]
    )
    plan.refresh_from_db()
    assert plan.supervisor_told_at == late


def test_an_extension_that_passes_too_tells_them_again(
    plan, case_manager, supervisor, time_machine
):
    time_machine.move_to(BACK_BY + timedelta(minutes=20), tick=False)
    missed_check_ins()
    services.extend_visit(plan, by=case_manager, back_by=BACK_BY + timedelta(hours=1))

    time_machine.move_to(BACK_BY + timedelta(hours=1, minutes=10), tick=False)
    missed_check_ins()
    assert len(told(supervisor)) == 1
    time_machine.move_to(BACK_BY + timedelta(hours=1, minutes=20), tick=False)
    missed_check_ins()
    missed_check_ins()

    assert len(told(supervisor)) == 2
    assert "expected back by 3 Nov 2026, 15:00" in told(supervisor)[0]


def test_nothing_is_told_once_checked_in(plan, case_manager, supervisor, time_machine):
    time_machine.move_to(BACK_BY - timedelta(minutes=5), tick=False)
    services.check_in(plan, by=case_manager)
    time_machine.move_to(BACK_BY + timedelta(hours=2), tick=False)

    missed_check_ins()

    assert told(supervisor) == told(case_manager) == []


def test_a_check_in_after_the_supervisor_was_told_tells_them_the_worker_is_back(
    plan, case_manager, supervisor, time_machine
):
    time_machine.move_to(BACK_BY + timedelta(minutes=20), tick=False)
    missed_check_ins()
    time_machine.move_to(BACK_BY + timedelta(minutes=25), tick=False)

    services.check_in(plan, by=case_manager, note="Phone was flat.")

    assert told(supervisor)[0] == (
        f"{case_manager} checked in at 3 Nov 2026, 14:25, back from 12 Station St, Preston."
    )


def test_the_job_tells_of_many_plans_in_a_fixed_number_of_queries(
    team, supervisor, time_machine, django_assert_num_queries
):
    time_machine.move_to(LEAVES, tick=False)
    for _ in range(5):
        VisitPlanFactory(worker=UserFactory(team=team), back_by=BACK_BY)
    time_machine.move_to(BACK_BY + timedelta(minutes=20), tick=False)

    # savepoint; the missed plans (locked, with their workers and teams); the covers of the day;
    # the teams with someone on call (3 Nov is Melbourne Cup day: after hours); the recipients;
    # the notifications; the plans marked told; release
    with django_assert_num_queries(8):
        assert missed_check_ins() == 5
    assert len(told(supervisor)) == 5


def test_the_job_runs_every_five_minutes():
    schedule = next(schedule for schedule in SCHEDULES if schedule.name == "Missed check-ins")

    assert schedule.every == timedelta(minutes=5)
    assert schedule.task in current_app.tasks
