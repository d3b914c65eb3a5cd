from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.models import AuthToken

from accounts.models import Role, User


class Command(BaseCommand):
    help = "Make an API token for a child protection system's account; it is shown only now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not user.has_role(Role.PRACTITIONER) or user.division_id is None:
            raise CommandError(
                f"{username} must be a child protection practitioner with a division: the API "
                "acts with that account's rights."
            )
        _, token = AuthToken.objects.create(user=user)
        self.stdout.write(token)
