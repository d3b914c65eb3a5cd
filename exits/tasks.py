from django.utils import timezone

from exits.planning import remind_of_exits_coming
from exits.services import remind_of_follow_ups
from toolkit.jobs import daily_job


@daily_job
def exit_planning_reminders() -> int:
    """Daily: remind case managers and supervisors of orders ending and 18th birthdays coming,
    at the administrator's lead times. Safe to run any number of times: each reminder goes once."""
    return remind_of_exits_coming(timezone.localdate())


@daily_job
def after_care_reminders() -> int:
    """Daily: remind the last case managers of the after-care follow-ups due, and them and the
    supervisors of those two weeks overdue. Safe to run any number of times: each reminder goes
    once."""
    return remind_of_follow_ups(timezone.localdate())
