from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler as CeleryBeatDatabaseScheduler

from icms import database
from icms.startup import exit_if_database_unusable


class DatabaseScheduler(CeleryBeatDatabaseScheduler):
    """django-celery-beat's scheduler, refusing to start without a database (with one line,
    where the original logs a traceback and beat keeps running without a schedule). Its
    statements get a job's timeout (icms/database)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        database.bound_statements_of_this_process(settings.DATABASE_JOB_STATEMENT_TIMEOUT)
        exit_if_database_unusable()
        super().__init__(*args, **kwargs)
