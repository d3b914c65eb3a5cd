from django.utils import timezone

from outcomes.services import remind_of_outcome_reviews
from toolkit.jobs import daily_job


@daily_job
def outcome_review_reminders() -> int:
    """Daily: remind case managers of outcome reviews due within a week or overdue. Safe to run
    twice: once a day each."""
    return remind_of_outcome_reviews(timezone.localdate())
