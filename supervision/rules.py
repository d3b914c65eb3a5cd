"""Who may see and do what in supervision: the policy for this app.

A supervisor reviews the teams they lead or cover (accounts.rules.teams_supervised_by): their
workers' caseloads, the team's dashboard. Another team is outside their sight (404). The
agency's reports are counts, not records, for supervisors and the system owner.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import (
    is_administrator,
    is_icms_worker,
    is_supervisor,
    seen_in,
    supervises_team,
    teams_supervised_by,
)
from supervision.models import SupervisionAction, SupervisionSession

rules.add_perm("supervision.review_team", is_supervisor & supervises_team)
rules.add_perm("supervision.view_reports", is_supervisor | is_administrator)
# Supervising teams at all: the review of them (each team's is review_team).
rules.add_perm("supervision.review_teams", is_supervisor)


# --- Supervision sessions ---------------------------------------------------------------------
# A session is private to its supervisor and its worker: not another supervisor, not the
# administrator (the system owner sees that sessions were read and written in the audit trail).


def workers_supervised_by(user: User) -> QuerySet[User]:
    """The case managers of the teams the user leads: those they may hold a session with."""
    return User.objects.filter(
        team__in=teams_supervised_by(user), is_active=True, groups__name=Role.CASE_MANAGER
    ).exclude(pk=user.pk)


def supervision_sessions_visible_to(user: User) -> QuerySet[SupervisionSession]:
    if not user.is_authenticated or not user.is_active:
        return SupervisionSession.objects.none()
    return SupervisionSession.objects.filter(Q(supervisor=user) | Q(worker=user))


def supervision_actions_visible_to(user: User) -> QuerySet[SupervisionAction]:
    return SupervisionAction.objects.filter(session__in=supervision_sessions_visible_to(user))


@rules.predicate
def supervises_worker(user: User, worker: User) -> bool:
    return workers_supervised_by(user).filter(pk=worker.pk).exists()


@rules.predicate
def may_complete_the_action(user: User, action: SupervisionAction) -> bool:
    session = action.session
    return session.supervisor_id == user.pk or (
        session.worker_id == user.pk and action.owner == SupervisionAction.Owner.WORKER
    )


rules.add_perm("supervision.view_sessions", is_icms_worker)
rules.add_perm("supervision.hold_sessions", is_supervisor)
rules.add_perm("supervision.add_supervisionsession", is_supervisor & supervises_worker)
rules.add_perm("supervision.view_supervisionsession", seen_in(supervision_sessions_visible_to))
rules.add_perm("supervision.view_supervisionaction", seen_in(supervision_actions_visible_to))
rules.add_perm("supervision.change_supervisionaction", may_complete_the_action)
