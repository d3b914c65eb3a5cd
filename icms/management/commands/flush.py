"""`flush` as the owner's role: it empties every table, the clinical history's included, which
the app's role may not (icms/database_roles.py). The test database machinery calls it after
each transactional test."""

from django.core.management.commands import flush

from icms.database_roles import as_owner


class Command(flush.Command):
    help = f"{flush.Command.help} Runs as the owner's role (DATABASE_OWNER_URL)."

    def handle(self, **options: object) -> None:
        with as_owner(options["database"]):
            super().handle(**options)
