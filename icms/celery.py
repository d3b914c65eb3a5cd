import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icms.settings")

app = Celery("icms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _exit_if_database_unusable(**_kwargs: object) -> None:
    from icms.startup import exit_if_database_unusable

    exit_if_database_unusable()


@signals.worker_init.connect
def _bound_job_statements(**_kwargs: object) -> None:
    """A job's statements get a job's timeout (icms/database), in every worker process."""
    from django.conf import settings

    from icms import database

    database.bound_statements_of_this_process(settings.DATABASE_JOB_STATEMENT_TIMEOUT)
