import os

from celery import Celery, signals
from django.conf import settings

from icms import database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icms.settings")

app = Celery("icms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _exit_if_database_unusable(**_kwargs: object) -> None:
    from icms.startup import exit_if_database_unusable

    exit_if_database_unusable()


# A job's statements get a job's timeout (icms/database), whatever the pool runs it in.
_job_bounds: dict[str, object] = {}


@signals.task_prerun.connect
def _bound_job_statements(task_id: str, **_kwargs: object) -> None:
    _job_bounds[task_id] = database.bound_statements(settings.DATABASE_JOB_STATEMENT_TIMEOUT)


@signals.task_postrun.connect
def _end_job_bound(task_id: str, **_kwargs: object) -> None:
    if (token := _job_bounds.pop(task_id, None)) is not None:
        database.end_bound(token)
