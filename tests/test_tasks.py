import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from icms.celery import app as celery_app
from icms.models import TaskRun
from icms.schedules import SCHEDULES, install_schedules
from icms.tasks import HEARTBEAT, heartbeat


@pytest.mark.django_db
def test_heartbeat_records_its_last_run():
    before = timezone.now()

    heartbeat()
    heartbeat()

    run = TaskRun.objects.get(name=HEARTBEAT)
    assert run.last_run_at >= before
    assert TaskRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_through_the_real_broker_and_a_worker(monkeypatch):
    """Sent to the real Redis and executed by a Celery worker consuming from it."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        heartbeat.delay()
        deadline = time.monotonic() + 20
        while not TaskRun.objects.filter(name=HEARTBEAT).exists():
            assert time.monotonic() < deadline, "the worker did not run the heartbeat in 20 s"
            time.sleep(0.1)


@pytest.mark.django_db
def test_install_schedules_creates_each_schedule_once():
    from django_celery_beat.models import PeriodicTask

    assert install_schedules() == [schedule.name for schedule in SCHEDULES]
    assert install_schedules() == []

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert names == {schedule.name for schedule in SCHEDULES}
    heartbeat_task = PeriodicTask.objects.get(name="Heartbeat")
    assert heartbeat_task.task == "icms.tasks.heartbeat"
    assert heartbeat_task.interval.every == 30
    partitions = PeriodicTask.objects.get(name="Audit trail partitions")
    assert str(partitions.crontab.timezone) == "Australia/Melbourne"
    assert (partitions.crontab.minute, partitions.crontab.hour) == ("15", "2")


@pytest.mark.django_db
def test_install_schedules_keeps_the_administrators_timing_and_beats_last_run():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    install_schedules()
    every_five_minutes = IntervalSchedule.objects.create(every=300, period="seconds")
    last_run = timezone.now()
    PeriodicTask.objects.filter(name="Heartbeat").update(
        interval=every_five_minutes, last_run_at=last_run
    )

    install_schedules()

    heartbeat_task = PeriodicTask.objects.get(name="Heartbeat")
    assert heartbeat_task.interval == every_five_minutes
    assert heartbeat_task.last_run_at == last_run


class WorkerLost(Exception):
    """Stands for the worker being killed part-way through a job."""


DAILY_JOBS = [
    ("clients.tasks", "contact_reminders", "remind_of_overdue_contacts"),
    ("caseplans.tasks", "case_plan_reminders", "remind_of_plan_work"),
    ("outcomes.tasks", "outcome_review_reminders", "remind_of_outcome_reviews"),
    ("register.tasks", "register_reviews", "remind_of_reviews"),
    ("crises.tasks", "crisis_summaries", "send_morning_summaries"),
    ("supervision.tasks", "weekly_digests", "send_weekly_digests"),
    ("exits.tasks", "exit_planning_reminders", "remind_of_exits_coming"),
    ("exits.tasks", "after_care_reminders", "remind_of_follow_ups"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "task", "work"), DAILY_JOBS)
def test_a_daily_job_that_dies_part_way_leaves_nothing_of_it(monkeypatch, module, task, work):
    """Its worker killed after some of its writes (the deployment drill does it for real): the
    broker gives the job to another worker, which must not find half of it done."""
    from importlib import import_module

    from notifications.models import Notification
    from tests.factories import UserFactory

    told = UserFactory()

    def writes_then_dies(*args):
        Notification.objects.create(recipient=told, message="Half of a job.", key="half")
        raise WorkerLost

    monkeypatch.setattr(f"{module}.{work}", writes_then_dies)
    with pytest.raises(WorkerLost):
        getattr(import_module(module), task)()
    assert not Notification.objects.filter(recipient=told).exists()
