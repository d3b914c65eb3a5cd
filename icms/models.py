from django.db import models

from toolkit.formats import show_datetime


class TaskRun(models.Model):
    """When a periodic job last completed, written by the job itself."""

    name = models.CharField(max_length=100, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {show_datetime(self.last_run_at)}"
