"""Who may see and do what in supervision: the policy for this app.

A supervisor reviews the teams they lead or cover (accounts.rules.teams_supervised_by): their
workers' caseloads, the team's dashboard. Another team is outside their sight (404). The
agency's reports are counts, not records, for supervisors and the system owner.
"""

import rules

from accounts.rules import is_administrator, is_supervisor, supervises_team

rules.add_perm("supervision.review_team", is_supervisor & supervises_team)
rules.add_perm("supervision.view_reports", is_supervisor | is_administrator)
