from django.utils import timezone

from documents.services import remind_of_expiring_documents
from toolkit.jobs import daily_job


@daily_job
def document_expiry_reminders() -> int:
    """Daily: remind case managers (and, once expired, supervisors) of court orders and
    consents expiring. Safe to run any number of times: each reminder goes once."""
    return remind_of_expiring_documents(timezone.localdate())
