from django.utils import timezone

from exits.services import remind_of_follow_ups
from toolkit.jobs import daily_job


@daily_job
def after_care_reminders() -> int:
    """Daily: remind the last case managers of the after-care follow-ups due, and them and the
    supervisors of those two weeks overdue. Safe to run any number of times: each reminder goes
    once."""
    return remind_of_follow_ups(timezone.localdate())
