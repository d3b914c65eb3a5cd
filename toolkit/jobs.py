from celery import shared_task
from django.db import OperationalError, transaction


def daily_job(function):
    """A daily job's task. It runs in one transaction: a worker killed part-way, or a database
    lost part-way, leaves nothing of it, and the job, given again to a worker (the broker does
    that for a job a dead worker had taken), starts clean. A database briefly unreachable is
    tried again later, backing off (each job is safe to repeat)."""
    return shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)(
        transaction.atomic(function)
    )
