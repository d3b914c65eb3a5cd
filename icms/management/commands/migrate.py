"""`migrate` as the owner's role, then the app's role granted what it needs on the tables as
they now stand (icms/database_roles.py). Django's own `migrate` otherwise, `call_command` and
the test database machinery included."""

from django.core.management.commands import migrate

from icms.database_roles import as_owner, grant_app_role


class Command(migrate.Command):
    help = (
        f"{migrate.Command.help} Runs as the owner's role (DATABASE_OWNER_URL), then grants the "
        "app's role (DATABASE_URL) what it needs."
    )

    def handle(self, *args: object, **options: object) -> None:
        with as_owner(options["database"]):
            super().handle(*args, **options)
            if options["plan"] or options["check_unapplied"] or options["prune"]:
                return
            role = grant_app_role(options["database"])
        if role is None:
            self.stderr.write(
                self.style.WARNING(
                    "The app connects as the role that owns the tables (DATABASE_URL), so it "
                    "could erase the audit trail. Give it a role of its own and the owner's to "
                    "DATABASE_OWNER_URL (README, Configuration)."
                )
            )
        elif options["verbosity"] >= 1:
            self.stdout.write(f'Granted the app\'s role "{role}" what it needs.')
