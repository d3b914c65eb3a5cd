from celery import shared_task

from visits.services import tell_of_missed_check_ins


# No retries: the next run, five minutes on, is the retry.
@shared_task
def missed_check_ins() -> int:
    """Every five minutes: tell the supervisor (and the worker) of each visit not checked in by
    the time given and the grace period. Safe to run any number of times, at once too."""
    return tell_of_missed_check_ins()
