from django.utils import timezone

from diary.services import remind_of_missing_outcomes, remind_of_tomorrow
from toolkit.jobs import daily_job


@daily_job
def appointments_tomorrow() -> int:
    """Each afternoon: remind each worker of their appointments tomorrow. Safe to run twice:
    once a day each."""
    return remind_of_tomorrow(timezone.localdate())


@daily_job
def appointments_without_outcome() -> int:
    """Each morning: remind the workers of each appointment past with no contact or outcome.
    Once per appointment."""
    return remind_of_missing_outcomes(timezone.localdate())
