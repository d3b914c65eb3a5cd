from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import ExternalSystem, Role, User
from accounts.services import issue_token


class Command(BaseCommand):
    help = (
        "Issue an API token to a child protection practitioner's account, on the server (the "
        "administrator issues them on the External systems page); it is shown only now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Issued on the server", help="Where it is used.")
        parser.add_argument("--days", type=int, default=365, help="Days it works (at most 366).")

    def handle(self, *args: object, username: str, name: str, days: int, **options: object) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not user.has_role(Role.PRACTITIONER) or user.division_id is None:
            raise CommandError(
                f"{username} must be a child protection practitioner with a division: the API "
                "acts with that account's rights."
            )
        system, _ = ExternalSystem.objects.get_or_create(
            account=user, defaults={"name": f"{user} ({username})", "created_by": user}
        )
        expires_on = timezone.localdate() + timedelta(days=days)
        try:
            _, secret = issue_token(system, name=name, expires_on=expires_on, by=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(secret)
