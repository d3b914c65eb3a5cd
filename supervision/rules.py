"""Who may see and do what in supervision: the policy for this app.

A supervisor reviews the teams they lead or cover (accounts.rules.teams_supervised_by): their
workers' caseloads, the team's dashboard. Another team is outside their sight (404). The
agency's reports are counts, not records, for supervisors and the system owner.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.queries import case_managers
from accounts.rules import (
    is_administrator,
    is_icms_worker,
    is_supervisor,
    seen_in,
    supervises_team,
    teams_supervised_by,
)
from audit.models import AuditEvent
from clients.models import YoungPerson
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
    return case_managers().filter(team__in=teams_supervised_by(user)).exclude(pk=user.pk)


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


# The audit trail: the system owner reads all of it; a supervisor what concerns their team's
# young people and workers.
def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.has_role(Role.ADMINISTRATOR):
        return AuditEvent.objects.all()
    if user.has_role(Role.SUPERVISOR):
        # IN (subquery) on the indexed columns rather than joins: the trail is tens of millions
        # of rows.
        teams = teams_supervised_by(user)
        team_young_people = YoungPerson.objects.filter(team__in=teams).values("pk")
        team_workers = User.objects.filter(team__in=teams).values("pk")
        return AuditEvent.objects.filter(
            Q(young_person_id__in=team_young_people) | Q(actor_id__in=team_workers)
        )
    return AuditEvent.objects.none()


# The trail's page; which of its events each reader sees is view_auditevent.
rules.add_perm("audit.view_audit_trail", is_administrator | is_supervisor)
rules.add_perm("audit.view_auditevent", seen_in(audit_events_visible_to))
