from celery import shared_task
from django.utils import timezone

from oncall.services import tell_supervisors_of_gaps, tell_supervisors_of_unacknowledged
from toolkit.jobs import daily_job


# No retries: the next run, five minutes on, is the retry.
@shared_task
def unacknowledged_alerts() -> int:
    """Every five minutes: tell the supervisor of each after-hours alert the worker on call has
    not acknowledged in time. Safe to run any number of times, at once too."""
    return tell_supervisors_of_unacknowledged(timezone.now())


@daily_job
def roster_gaps() -> int:
    """Daily: tell supervisors of each period of the coming week with nobody on call. Once per
    period, however often it runs."""
    return tell_supervisors_of_gaps(timezone.localdate())
