"""The periodic jobs, declared in code and installed into django-celery-beat's tables by
`manage.py install_schedules`. The administrator may then change their timing in the admin site;
installing again keeps those changes and beat's record of the last run."""

from dataclasses import dataclass
from datetime import timedelta

from django_celery_beat.models import IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every: timedelta
    description: str


SCHEDULES = [
    Schedule(
        name="Heartbeat",
        task="icms.tasks.heartbeat",
        every=timedelta(seconds=30),
        description="Shows on /healthz that beat, the broker and a worker are all running.",
    ),
]


def install_schedules() -> list[str]:
    """Create the periodic tasks that are missing; return the names of those created."""
    created = []
    for schedule in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=int(schedule.every.total_seconds()), period=IntervalSchedule.SECONDS
        )
        _, was_created = PeriodicTask.objects.update_or_create(
            name=schedule.name,
            defaults={"task": schedule.task, "description": schedule.description},
            create_defaults={
                "task": schedule.task,
                "description": schedule.description,
                "interval": interval,
            },
        )
        if was_created:
            created.append(schedule.name)
    return created
