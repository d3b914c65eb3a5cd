from django.utils import timezone

from caseplans.services import remind_of_plan_work
from toolkit.jobs import daily_job


@daily_job
def case_plan_reminders() -> int:
    """Daily: remind whoever is responsible of tasks and plan reviews coming due or overdue.
    Safe to run twice: once a day each."""
    return remind_of_plan_work(timezone.localdate())
