"""Who may see and do what in supervision: the policy for this app.

A supervisor reviews the teams they lead: their workers' caseloads, the team's dashboard. A team
they do not lead is outside their sight (404). The agency's reports are counts, not records, for
supervisors and the system owner.
"""

import rules
from django.db.models import QuerySet

from accounts.models import Team, User
from accounts.rules import is_administrator, is_supervisor


def teams_supervised_by(user: User) -> QuerySet[Team]:
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    return Team.objects.filter(supervisor=user)


@rules.predicate
def supervises_team(user: User, team: Team) -> bool:
    return team.supervisor_id == user.pk


rules.add_perm("supervision.review_team", is_supervisor & supervises_team)
rules.add_perm("supervision.view_reports", is_supervisor | is_administrator)
