"""Who may see and do what with the files once their episodes are over: the policy for this app."""

import rules
from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import seen_in, teams_supervised_by
from clients.rules import supervises_young_person
from records.models import FileRelease

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
