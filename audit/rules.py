"""Who may read the audit trail: the system owner all of it; a supervisor what concerns their
team's young people and workers. Searching it is itself recorded."""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import is_administrator, is_supervisor, seen_in, teams_supervised_by
from audit.models import AuditEvent
from clients.models import YoungPerson


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
