"""The home page's reads that span the apps."""

from django.db.models import Count
from django_celery_beat.models import PeriodicTask

from accounts.models import Division, Role, Team, User
from clients.models import IntensityLevel


def configuration_summary() -> dict[str, object]:
    """What the administrator keeps: people per role, teams, divisions, lists and schedules."""
    people_per_role = dict(
        User.objects.filter(is_active=True, groups__name__in=Role.values)
        .values_list("groups__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {
        "people_per_role": [(role.label, people_per_role.get(role.value, 0)) for role in Role],
        "teams": Team.objects.count(),
        "divisions": Division.objects.count(),
        "intensity_levels": IntensityLevel.objects.count(),
        "schedules_enabled": PeriodicTask.objects.filter(enabled=True).count(),
    }
