from django_celery_beat.schedulers import DatabaseScheduler as CeleryBeatDatabaseScheduler

from icms.startup import exit_if_database_unusable


class DatabaseScheduler(CeleryBeatDatabaseScheduler):
    """django-celery-beat's scheduler, refusing to start without a database (with one line,
    where the original logs a traceback and beat keeps running without a schedule)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        exit_if_database_unusable()
        super().__init__(*args, **kwargs)
