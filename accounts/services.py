from django.apps import AppConfig
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.models import Role

# What the administrator configures in the admin site: people, teams, divisions, reference lists
# and the periodic schedules. Client records are deliberately absent.
ADMINISTRATOR_PERMISSIONS = (
    Q(content_type__app_label="accounts")
    | Q(content_type__app_label="auth", codename__startswith="view_")
    | Q(content_type__app_label="clients", content_type__model="intensitylevel")
    | Q(content_type__app_label="django_celery_beat")
)


def install_role_groups(sender: AppConfig, **_kwargs: object) -> None:
    """Make sure a group exists for every role and the administrator's holds its permissions.

    Runs after each app's migrations; permissions of apps migrated later are added when their
    turn comes, so the last run leaves the complete set. Idempotent.
    """
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    administrators = Group.objects.get(name=Role.ADMINISTRATOR)
    administrators.permissions.add(*Permission.objects.filter(ADMINISTRATOR_PERMISSIONS))
