"""Who may see and do what with the files ICMS has closed: the policy for this app.

A closed file stays with its team. Its supervisor searches the team's archive (each search
audited with its purpose), reviews the files past their retention date, places and lifts legal
holds, and approves each disposal, file by file. The administrator sets the retention rule (in
the admin site) and reads the register of disposals, which names no file still held: a stub
outlives its file and points to nothing.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import is_administrator, is_supervisor, seen_in, teams_supervised_by
from clients.models import YoungPerson
from clients.rules import supervises_young_person, young_people_visible_to
from records.models import Disposal, FileRelease


def archived_files_visible_to(user: User) -> QuerySet[YoungPerson]:
    """The archived files of the teams the user supervises: what the archive search finds.
    (Each one still opens, read-only, for whoever sees the young person.)"""
    return young_people_visible_to(user).filter(
        team__in=teams_supervised_by(user),
        status=YoungPerson.Status.CLOSED,
        archived_on__isnull=False,
    )


def closed_files_supervised_by(user: User) -> QuerySet[YoungPerson]:
    """The closed files, archived or not, of the teams the user supervises: those they review
    for retention."""
    return young_people_visible_to(user).filter(
        team__in=teams_supervised_by(user), status=YoungPerson.Status.CLOSED
    )


def disposals_visible_to(user: User) -> QuerySet[Disposal]:
    """The administrator reads the whole register; a supervisor the stubs of their teams' files
    (by the team's name, as the stub keeps it) and those they approved."""
    if not user.is_authenticated or not user.is_active:
        return Disposal.objects.none()
    if user.has_role(Role.ADMINISTRATOR):
        return Disposal.objects.all()
    if not user.has_role(Role.SUPERVISOR):
        return Disposal.objects.none()
    team_names = teams_supervised_by(user).values("name")
    return Disposal.objects.filter(Q(team_name__in=team_names) | Q(approved_by=user))


rules.add_perm("records.search_archive", is_supervisor)
rules.add_perm("records.view_archived_file", seen_in(archived_files_visible_to))
rules.add_perm("records.review_retention", is_supervisor)
# On a young person the user sees: their team's supervisor places and lifts a legal hold, and
# approves the disposal of the file.
rules.add_perm("records.hold_file", supervises_young_person)
rules.add_perm("records.dispose_file", supervises_young_person)
rules.add_perm("records.view_disposals", is_supervisor | is_administrator)
rules.add_perm("records.view_disposal_stub", seen_in(disposals_visible_to))


# --- Releases of a young person's file -------------------------------------------------------
# A copy of the whole file goes outside ICMS only by the hand of the young person's team
# supervisor, with a recorded reason (records.release). The releases, and the copies kept with
# them, are theirs to see: a case manager who sees the young person does not see what was
# released to a court.


def releases_visible_to(user: User) -> QuerySet[FileRelease]:
    """The releases of the files of the young people of the teams the user supervises."""
    return FileRelease.objects.filter(young_person__team__in=teams_supervised_by(user))


rules.add_perm("records.release_file", supervises_young_person)
rules.add_perm("records.list_releases", supervises_young_person)
rules.add_perm("records.view_filerelease", seen_in(releases_visible_to))
