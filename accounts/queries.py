from django.db.models import QuerySet
from django.utils import timezone

from accounts.cover import covers_today
from accounts.models import Cover, Division, Role, Team, User


def teams_serving(division: Division | None) -> QuerySet[Team]:
    """The ICMS teams of a division, with their team leaders: who a practitioner talks to."""
    return Team.objects.filter(division=division).select_related("supervisor", "division")


def current_and_coming(covers: QuerySet[Cover]) -> QuerySet[Cover]:
    """Covers not over yet and not ended early, soonest first, with what the list shows."""
    return (
        covers.filter(ends_on__gte=timezone.localdate(), ended_early_at__isnull=True)
        .select_related("worker", "team", "covered_by", "arranged_by")
        .order_by("starts_on", "pk")
    )


def covering_now(user: User) -> QuerySet[Cover]:
    """What the user covers today, for their home page."""
    return covers_today().filter(covered_by=user).select_related("worker", "team")


def colleagues_who_may_cover(teams: QuerySet[Team]) -> QuerySet[User]:
    """The active case managers and supervisors of the teams' divisions."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.CASE_MANAGER, Role.SUPERVISOR],
            team__division__in=teams.values("division"),
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def case_managers() -> QuerySet[User]:
    """Everyone active who works as a case manager."""
    return User.objects.filter(is_active=True, groups__name=Role.CASE_MANAGER)


def case_managers_of(teams: QuerySet[Team]) -> QuerySet[User]:
    return case_managers().filter(team__in=teams).order_by("first_name", "last_name")
