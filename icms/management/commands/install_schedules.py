from django.core.management.base import BaseCommand

from icms.schedules import SCHEDULES, install_schedules


class Command(BaseCommand):
    help = "Install the periodic jobs into django-celery-beat (idempotent; keeps admin edits)."

    def handle(self, *args: object, **options: object) -> None:
        created = install_schedules()
        for name in created:
            self.stdout.write(f"Installed schedule: {name}")
        self.stdout.write(f"{len(SCHEDULES)} schedules in place, {len(created)} new.")
