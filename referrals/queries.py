from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import Team, User
from accounts.queries import case_managers
from accounts.rules import teams_supervised_by
from clients.models import IntensityLevel, YoungPerson
from clients.queries import OPEN_STATUSES as OPEN_CASES
from referrals.models import OPEN_STATUSES, Referral, ReferralMove
from referrals.rules import referrals_visible_to


def waiting_for(supervisor: User) -> QuerySet[Referral]:
    """Submitted referrals to the supervisor's teams still waiting for a decision."""
    return referrals_visible_to(supervisor).filter(
        team__in=teams_supervised_by(supervisor), status__in=OPEN_STATUSES - {Referral.Status.DRAFT}
    )


@dataclass(frozen=True)
class Capacity:
    """A team's room for one more young person, as a supervisor weighs it at a decision: the
    team's open cases weighted by intensity against its limit, and the headroom left after the
    young person's expected intensity (negative: over the limit). Figures kept with a decision
    have no breakdown (`per_worker`, `case_managers`, `expected`), but say when (`at`)."""

    team: Team
    weighted: Decimal
    limit: Decimal
    headroom: Decimal
    per_worker: Decimal | None = None
    case_managers: int | None = None
    expected: IntensityLevel | None = None
    at: datetime | None = None

    @property
    def over_by(self) -> Decimal:
        return -self.headroom


def _teams_with_load(team_ids: Iterable[int] | QuerySet) -> QuerySet[Team]:
    """The teams, each with its open cases weighted by intensity and its active case managers."""
    cases = (
        YoungPerson.objects.filter(team=OuterRef("pk"), status__in=OPEN_CASES)
        .order_by()
        .values("team")
        .annotate(total=Sum("intensity__caseload_weight"))
        .values("total")
    )
    workers = (
        case_managers()
        .filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Team.objects.filter(pk__in=team_ids).annotate(
        weighted=Coalesce(
            Subquery(cases, output_field=DecimalField(max_digits=8, decimal_places=1)),
            Decimal(0),
        ),
        case_managers=Coalesce(Subquery(workers, output_field=IntegerField()), 0),
    )


def expected_intensity(referral: Referral, levels: list[IntensityLevel]) -> IntensityLevel | None:
    """The intensity a referred young person is expected to need: the one ICMS last gave them
    when it knows them already, otherwise the highest (`levels` heaviest first): a young person
    starts intensive case management at its most intensive, so the figure errs on the safe side."""
    known = referral.young_person.intensity_id if referral.young_person_id else None
    by_pk = {level.pk: level for level in levels}
    return by_pk.get(known) or (levels[0] if levels else None)


def _capacity(team: Team, expected: IntensityLevel | None) -> Capacity:
    """`team` as _teams_with_load gives it."""
    limit = team.weighted_caseload_limit * team.case_managers
    weight = expected.caseload_weight if expected else Decimal(0)
    return Capacity(
        team=team,
        weighted=team.weighted,
        limit=limit,
        headroom=limit - team.weighted - weight,
        per_worker=team.weighted_caseload_limit,
        case_managers=team.case_managers,
        expected=expected,
    )


def team_capacities(teams: QuerySet[Team]) -> list[Capacity]:
    """Each team's capacity before any new young person: one query."""
    return [_capacity(team, None) for team in _teams_with_load(teams.values("pk"))]


def capacities(
    referrals: Iterable[Referral], *, intensity: IntensityLevel | None = None
) -> dict[int, Capacity]:
    """Each referral's team capacity, after the young person's expected intensity (or
    `intensity`, when the supervisor has chosen it): the one definition that every page of a
    decision shows and that the decision keeps. Two queries, however many referrals (fetched
    with their young people)."""
    referrals = list(referrals)
    teams = {team.pk: team for team in _teams_with_load({r.team_id for r in referrals})}
    levels = list(IntensityLevel.objects.order_by("-caseload_weight"))
    return {
        referral.pk: _capacity(
            teams[referral.team_id], intensity or expected_intensity(referral, levels)
        )
        for referral in referrals
    }


def capacity_of(referral: Referral, *, intensity: IntensityLevel | None = None) -> Capacity:
    return capacities([referral], intensity=intensity)[referral.pk]


def kept_capacity(referral: Referral, moves: list[ReferralMove]) -> Capacity | None:
    """The capacity the referral's decision kept (`moves`: its moves, in order), if any."""
    decision = next((move for move in reversed(moves) if move.to_status == referral.status), None)
    if decision is None or decision.headroom is None:
        return None
    return Capacity(
        team=referral.team,
        weighted=decision.weighted_caseload,
        limit=decision.caseload_limit,
        headroom=decision.headroom,
        at=decision.at,
    )


def referrals_on_record(young_person: YoungPerson, user: User) -> QuerySet[Referral]:
    """The referrals that brought the young person to ICMS, newest first; `seen` when the user
    may open the referral itself (referrals.rules)."""
    return (
        Referral.objects.filter(young_person=young_person, status=Referral.Status.ACCEPTED)
        .select_related("referred_by")
        .annotate(seen=Exists(referrals_visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("-submitted_at")
    )


def last_phone_of(practitioner: User) -> str:
    """The phone the practitioner gave on their latest referral, to offer on the next."""
    return (
        Referral.objects.filter(referred_by=practitioner)
        .exclude(referrer_phone="")
        .values_list("referrer_phone", flat=True)
        .first()
        or ""
    )
