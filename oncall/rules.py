"""Who may see and do what with the on-call roster: the policy for this app.

A team's roster is seen by its members, its supervisor and whoever covers the team; the
supervisor and the cover set it. A shift is handed to another worker by the worker rostered or
by the supervisor; the worker on call (or the backup) leaves its handover note. An after-hours
alert is seen, and acknowledged, by whoever was told of it and by the team's supervisor.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Team, User
from accounts.rules import is_icms_worker, seen_in, supervises_team, teams_supervised_by
from oncall.models import AfterHoursAlert, OnCallShift


def rosters_visible_to(user: User) -> QuerySet[Team]:
    """The teams whose roster the user sees: their own team and those they supervise."""
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    return Team.objects.filter(Q(pk=user.team_id) | Q(pk__in=teams_supervised_by(user)))


def shifts_visible_to(user: User) -> QuerySet[OnCallShift]:
    return OnCallShift.objects.filter(team__in=rosters_visible_to(user))


def alerts_visible_to(user: User) -> QuerySet[AfterHoursAlert]:
    """The alerts the user was told of, and those of the teams they supervise."""
    if not user.is_authenticated or not user.is_active:
        return AfterHoursAlert.objects.none()
    return AfterHoursAlert.objects.filter(
        Q(pk__in=AfterHoursAlert.told.through.objects.filter(user=user).values("afterhoursalert"))
        | Q(team__in=teams_supervised_by(user))
    )


@rules.predicate
def supervises_shift_team(user: User, shift: OnCallShift) -> bool:
    return supervises_team(user, shift.team)


@rules.predicate
def rostered_on_shift(user: User, shift: OnCallShift) -> bool:
    return shift.worker_id == user.pk


@rules.predicate
def on_shift(user: User, shift: OnCallShift) -> bool:
    return user.pk in (shift.worker_id, shift.backup_id)


rules.add_perm("oncall.view_on_call", is_icms_worker)
rules.add_perm("oncall.view_roster", seen_in(rosters_visible_to))
rules.add_perm("oncall.set_roster", supervises_team)
rules.add_perm("oncall.view_oncallshift", seen_in(shifts_visible_to))
rules.add_perm("oncall.swap_shift", rostered_on_shift | supervises_shift_team)
rules.add_perm("oncall.leave_handover", on_shift)
rules.add_perm("oncall.view_afterhoursalert", seen_in(alerts_visible_to))
rules.add_perm("oncall.acknowledge_alert", seen_in(alerts_visible_to))
