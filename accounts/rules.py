"""Role predicates shared by every app's access policy (each app's own rules.py)."""

from collections.abc import Callable

import rules
from django.db.models import Model, Q, QuerySet

from accounts.cover import teams_covered_by
from accounts.models import Cover, Role, Team, User


def has_role(role: Role) -> rules.Predicate:
    """Like rules.is_group_member, but reading the user's roles cached once per request."""

    @rules.predicate(name=f"has_role:{role.value}")
    def predicate(user: User) -> bool:
        return user.is_authenticated and user.has_role(role)

    return predicate


is_case_manager = has_role(Role.CASE_MANAGER)
is_supervisor = has_role(Role.SUPERVISOR)
is_practitioner = has_role(Role.PRACTITIONER)
is_register_coordinator = has_role(Role.REGISTER_COORDINATOR)
is_administrator = has_role(Role.ADMINISTRATOR)
# ICMS staff: the people who work with young people (as opposed to child protection staff).
is_icms_worker = is_case_manager | is_supervisor


def seen_in(visible_to: Callable[[User], QuerySet]) -> rules.Predicate:
    """The view predicate twin of a visibility queryset (`<things>_visible_to(user)`): whether
    the object is one of them. A page's list and its detail then cannot disagree."""

    @rules.predicate(name=f"seen_in:{visible_to.__name__}")
    def predicate(user: User, obj: Model | None) -> bool:
        return obj is not None and visible_to(user).filter(pk=obj.pk).exists()

    return predicate


def teams_supervised_by(user: User) -> QuerySet[Team]:
    """The teams a user supervises today: those they lead and those they cover. Everything a
    team's supervisor may see and do follows from this (or from supervises_team)."""
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    # A UNION, not an OR: the planner then expects a team or two, not half of them, and the
    # young people of those teams are read by index (accounts_team is tiny; clients are not).
    led = Team.objects.filter(supervisor=user).values("pk").order_by()
    covered = teams_covered_by(user).values("pk").order_by()
    return Team.objects.filter(pk__in=led.union(covered))


@rules.predicate
def supervises_team(user: User, team: Team | None) -> bool:
    """Whether the user supervises `team` today (leads it, or covers it). Leading needs no query."""
    if team is None or not user.is_authenticated:
        return False
    if team.supervisor_id == user.pk:
        return True
    # Only supervisors cover teams; others are spared the query.
    return user.has_role(Role.SUPERVISOR) and teams_covered_by(user).filter(pk=team.pk).exists()


def covers_visible_to(user: User) -> QuerySet[Cover]:
    """A supervisor sees the covers of the teams they supervise: of the team, or of its workers."""
    if not user.is_authenticated or not user.is_active or not user.has_role(Role.SUPERVISOR):
        return Cover.objects.none()
    teams = teams_supervised_by(user)
    return Cover.objects.filter(Q(team__in=teams) | Q(worker__team__in=teams))


# Not add_/view_cover: those names are Django's model permissions, which the administrator holds.
rules.add_perm("accounts.arrange_cover", is_supervisor)
# A cover of their teams, or of their teams' workers: the covers they see.
rules.add_perm("accounts.end_cover", seen_in(covers_visible_to))
