from django.utils import timezone

from crises.services import send_morning_summaries
from toolkit.jobs import daily_job


@daily_job
def crisis_summaries() -> int:
    """Daily at 07:00: tell each supervisor of their team's crises logged since the morning
    before. Safe to run any number of times: one summary per supervisor per day."""
    return send_morning_summaries(timezone.now())
