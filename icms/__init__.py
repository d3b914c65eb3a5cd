# Imported here so that @shared_task binds to the project's Celery app.
from icms.celery import app as celery_app

__all__ = ("celery_app",)
