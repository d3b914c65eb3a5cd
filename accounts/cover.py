"""Who covers whom, today: the one place that decides. The apps' access policies (rules.py) and
the reminder jobs ask these functions, so a cover starts and ends with its dates and there is
nothing to undo when it ends."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Cover, Team, User


def covers_today() -> QuerySet[Cover]:
    return Cover.objects.on(timezone.localdate())


def workers_covered_by(user: User) -> QuerySet[User]:
    """The workers whose caseloads `user` covers today."""
    return User.objects.filter(
        pk__in=covers_today().filter(covered_by=user, worker__isnull=False).values("worker")
    )


def teams_covered_by(user: User) -> QuerySet[Team]:
    """The teams `user` covers today, as their supervisor would."""
    return Team.objects.filter(
        pk__in=covers_today().filter(covered_by=user, team__isnull=False).values("team")
    )


@dataclass(frozen=True)
class Covering:
    """The covers in force on a day, read in one query, for the reminder jobs: whoever is told
    of a worker's caseload or a team's, their colleague covering is told too."""

    of_worker: dict[int, list[int]] = field(default_factory=dict)
    of_team: dict[int, list[int]] = field(default_factory=dict)

    def worker_and_cover(self, worker_id: int | None) -> list[int]:
        """The worker and whoever covers their caseload."""
        if worker_id is None:
            return []
        return [worker_id, *self.of_worker.get(worker_id, [])]

    def supervisor_and_cover(self, supervisor_id: int | None, team_id: int | None) -> list[int]:
        """The team's supervisor and whoever covers the team."""
        covering = self.of_team.get(team_id, []) if team_id is not None else []
        return [*([supervisor_id] if supervisor_id is not None else []), *covering]


def covering_on(day: date) -> Covering:
    covering = Covering()
    rows = Cover.objects.on(day).values_list("worker_id", "team_id", "covered_by_id")
    for worker_id, team_id, covered_by_id in rows:
        if worker_id is not None:
            covering.of_worker.setdefault(worker_id, []).append(covered_by_id)
        else:
            covering.of_team.setdefault(team_id, []).append(covered_by_id)
    return covering


def supervisors_of(team: Team | None) -> list[User]:
    """Whoever is to hear what a team's supervisor hears today: the supervisor, and the
    colleague covering the team."""
    if team is None:
        return []
    covering = User.objects.filter(pk__in=covers_today().filter(team=team).values("covered_by"))
    return [*([team.supervisor] if team.supervisor_id else []), *covering]
