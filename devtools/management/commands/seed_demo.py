from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.demo import DEMO_PASSWORD, USERS, demo_data_present, seed_demo_agency


class Command(BaseCommand):
    help = "Create the demo agency with fixed demo logins. Does nothing if it is already there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never do this on a server holding real records.",
        )

    def handle(self, *args: object, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real deployment: seed_demo would add demo "
                "logins with a published password. Use --force if you really mean it."
            )
        if demo_data_present():
            self.stdout.write("Demo data is already in place; nothing done.")
            return
        created = seed_demo_agency()
        summary = ", ".join(f"{count} {thing}" for thing, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Created the demo agency: {summary}."))
        logins = ", ".join(user.username for user in USERS)
        self.stdout.write(f"Demo logins ({DEMO_PASSWORD}): {logins}")
