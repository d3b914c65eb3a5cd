from celery import shared_task
from django.utils import timezone

from caseplans.services import remind_of_plan_work
from icms.tasks import DAILY_JOB


@shared_task(**DAILY_JOB)
def case_plan_reminders() -> int:
    """Daily: remind whoever is responsible of tasks and plan reviews coming due or overdue.
    Safe to run twice: once a day each."""
    return remind_of_plan_work(timezone.localdate())
