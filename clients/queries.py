from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Role, Team, User
from clients.models import BreakGlassAccess, WorkerSafetyAlert, YoungPerson
from clients.rules import break_glass_accesses_visible_to, young_people_findable_after_hours

OPEN_STATUSES = [YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]


def caseload_for(worker: User, *, visible: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """The open cases a worker is allocated to, among those `visible` to whoever asks, with
    what a caseload list shows."""
    return (
        visible.allocated_to(worker)
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


def unallocated_young_people(
    teams: QuerySet[Team], *, visible: QuerySet[YoungPerson]
) -> QuerySet[YoungPerson]:
    """Open cases of the teams without a primary case manager: the supervisor must allocate."""
    return (
        visible.filter(team__in=teams, primary_case_manager__isnull=True)
        .open()
        .select_related("intensity", "team")
    )


def young_person_record(queryset: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """What the young person's page shows, fetched in a fixed number of queries."""
    return queryset.select_related(
        "intensity", "team__supervisor", "division", "primary_case_manager", "crisis_plan"
    ).prefetch_related(
        "care_team_members__worker",
        active_alerts(),
        "disclosures__disclosed_by",
    )


def active_alerts() -> Prefetch:
    """Worker-safety alerts in force, as `young_person.active_alerts`."""
    return Prefetch(
        "alerts",
        queryset=WorkerSafetyAlert.objects.filter(active=True),
        to_attr="active_alerts",
    )


def find_for_break_glass(
    *, child_protection_number: str, family_name: str, date_of_birth: object
) -> YoungPerson | None:
    """Exact matches only: break-glass is for a known young person, not for browsing."""
    candidates = young_people_findable_after_hours()
    if child_protection_number.strip():
        matches = candidates.filter(child_protection_number=child_protection_number.strip())
    else:
        matches = candidates.filter(
            family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
        )
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


def break_glass_to_review(supervisor: User) -> QuerySet[BreakGlassAccess]:
    """After-hours accesses to the supervisor's team's young people not yet reviewed."""
    return (
        break_glass_accesses_visible_to(supervisor)
        .filter(young_person__team__supervisor=supervisor, reviewed_at__isnull=True)
        .select_related("worker", "young_person")
    )
