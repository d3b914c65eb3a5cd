"""Role predicates shared by every app's access policy (each app's own rules.py)."""

from collections import OrderedDict
from collections.abc import Callable

import rules
from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

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
    return Team.objects.filter(pk__in=ids_compiled_once_a_day(user, _ids_of_teams_supervised_by))


def _ids_of_teams_supervised_by(user: User) -> QuerySet:
    # A UNION, not an OR: the planner then expects a team or two, not half of them, and the
    # young people of those teams are read by index (accounts_team is tiny; clients are not).
    led = Team.objects.filter(supervisor=user).values("pk").order_by()
    covered = teams_covered_by(user).values("pk").order_by()
    return led.union(covered)


def teams_read_by_system(user: User) -> QuerySet[Team]:
    """The teams whose young people an external system with the supervisor's role reads: its
    account's team, or every team of its division; none for a person's account. Read from the
    account at each use, so that the administrator's change of a system's scope holds at once."""
    account = User.objects.filter(pk=user.pk, external_system__isnull=False)
    return Team.objects.filter(
        Q(pk__in=account.values("team"))
        | Q(division__in=account.filter(team__isnull=True).values("division"))
    )


# The SQL of each user's visibility rules, by rule, user, roles and day: at most this many kept
# by a worker process (a few kB each), the least recently used given up first.
COMPILED_RULES_KEPT = 2048
_compiled_rules: OrderedDict[tuple, RawSQL] = OrderedDict()


def ids_compiled_once_a_day(user: User, ids_of: Callable[[User], QuerySet]) -> RawSQL:
    """The SQL of `ids_of(user)` (a queryset of ids: a visibility rule's nested UNIONs), put
    together and compiled once a day for the user and their roles, for any request after.

    Putting such a rule together, then compiling it inside each query that uses it, cost every
    page several milliseconds of Python (the timeline, whose fourteen parts each use one, 30):
    Django copies and re-labels every nested subquery each time. What the SQL selects is read
    from the database at every use; only the SQL is kept, and it depends on nothing but the
    user, their roles (a query parameter is the user's id, never a role) and the day (covers
    run by the day, a parameter). A rule with nothing to select is kept as SQL that selects
    nothing.
    """
    key = (ids_of.__qualname__, ids_of.__module__, user.pk, user.roles, timezone.localdate())
    compiled = _compiled_rules.get(key)
    if compiled is None:
        ids = ids_of(user)
        try:
            sql, params = ids.query.sql_with_params()
        except EmptyResultSet:
            sql, params = "SELECT NULL::integer WHERE false", ()
        compiled = RawSQL(sql, params, output_field=IntegerField())  # noqa: S611 - compiled by Django
        _compiled_rules[key] = compiled
        if len(_compiled_rules) > COMPILED_RULES_KEPT:
            _compiled_rules.popitem(last=False)
    else:
        _compiled_rules.move_to_end(key)
    return compiled


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

# External systems and their tokens: who may use the API and the event feeds, with what scope.
rules.add_perm("accounts.manage_external_systems", is_administrator)
