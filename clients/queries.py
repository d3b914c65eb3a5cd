from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Role, Team, User
from clients.models import YoungPerson

OPEN_STATUSES = [YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]


def caseload_for(worker: User) -> QuerySet[YoungPerson]:
    """The open cases a worker is allocated to, with what a caseload list shows."""
    return (
        YoungPerson.objects.allocated_to(worker)
        .open()
        .select_related("intensity", "team", "primary_case_manager")
        .annotate(is_primary=Q(primary_case_manager=worker))
        .order_by("-is_primary", "family_name", "given_name")
    )


def team_workers_with_caseload(teams: QuerySet[Team]) -> QuerySet[User]:
    """Case managers of the teams with their open primary caseload, raw and weighted by
    intensity."""
    open_primary = Q(primary_young_people__status__in=OPEN_STATUSES)
    return (
        User.objects.filter(team__in=teams, is_active=True, groups__name=Role.CASE_MANAGER)
        .select_related("team")
        .annotate(
            caseload=Count("primary_young_people", filter=open_primary),
            weighted_caseload=Coalesce(
                Sum("primary_young_people__intensity__caseload_weight", filter=open_primary),
                Value(0),
                output_field=DecimalField(max_digits=6, decimal_places=1),
            ),
        )
        .order_by("team__name", "first_name", "last_name")
    )


def unallocated_young_people(teams: QuerySet[Team]) -> QuerySet[YoungPerson]:
    """Open cases of the teams without a primary case manager: the supervisor must allocate."""
    return (
        YoungPerson.objects.filter(team__in=teams, primary_case_manager__isnull=True)
        .open()
        .select_related("intensity", "team")
    )
