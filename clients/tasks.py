from django.utils import timezone

from clients.services import remind_of_overdue_contacts
from toolkit.jobs import daily_job


@daily_job
def contact_reminders() -> int:
    """Daily: remind case managers (and past twice the threshold, supervisors) of young people
    not reached within their intensity's threshold. Safe to run twice: once a day each."""
    return remind_of_overdue_contacts(timezone.localdate())
