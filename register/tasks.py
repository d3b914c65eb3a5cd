from django.utils import timezone

from register.services import remind_of_reviews, schedule_reviews
from toolkit.jobs import daily_job


@daily_job
def register_reviews() -> dict[str, int]:
    """Daily: make each active entry's next review, then remind people of those due or overdue.
    Safe to run any number of times, at once too: the database keeps each review and each
    day's reminder single."""
    made = schedule_reviews()
    reminded = remind_of_reviews(timezone.localdate())
    return {"reviews made": made, "reminders": reminded}
