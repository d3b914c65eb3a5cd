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
