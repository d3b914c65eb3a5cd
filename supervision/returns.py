"""The quarterly return: the counts an agency reports for a period (young people served,
referrals and decisions, contacts, exits, outcome change), one line per figure, each with a
stable machine name and its definition. Counted with the queries of the agency reports
(supervision/reports.py), so the return and the reports agree. README.md, "The quarterly
return", is its data dictionary: change the two together."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Division, Team
from clients.models import YoungPerson
from exits.models import Closure, Destination, Reopening
from outcomes.models import Instrument
from outcomes.queries import ICMS_INSTRUMENT, outcome_figures
from referrals.models import CaseManagementAgreement, Referral
from supervision.reports import (
    Scope,
    closures_in,
    contacts_in,
    referrals_decided,
    referrals_received,
)

RETURN_HEADER = [
    "period_start",
    "period_end",
    "scope",
    "figure",
    "label",
    "value",
    "definition",
]
OPEN = [YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]
IN_SCOPE = "of the division or team chosen (the young person's team and division now)"
OUTCOME_MOVES = [("improved", "improved"), ("same", "stayed the same"), ("worse", "got worse")]


@dataclass(frozen=True)
class ReturnLine:
    figure: str  # the machine name, stable from one return to the next
    label: str
    value: int
    definition: str


def _latest(rows: QuerySet, day: str) -> Subquery:
    return Subquery(rows.values("young_person").annotate(last=Max(day)).values("last"))


def _young_people_served(scope: Scope) -> dict[str, int]:
    """Young people whose episode was open at some time in the period, and of them those taken
    on in it (one query)."""
    agreements = CaseManagementAgreement.objects.filter(young_person=OuterRef("pk")).order_by()
    reopenings = Reopening.objects.filter(young_person=OuterRef("pk")).order_by()
    taken_on = Q(
        Exists(agreements.filter(agreed_on__gte=scope.starts_on, agreed_on__lte=scope.ends_on))
    ) | Q(
        Exists(reopenings.filter(reopened_on__gte=scope.starts_on, reopened_on__lte=scope.ends_on))
    )
    closed_episode = Exists(
        Closure.objects.filter(
            young_person=OuterRef("pk"),
            began_on__lte=scope.ends_on,
            closed_on__gte=scope.starts_on,
        )
    )
    return (
        YoungPerson.objects.filter(scope.of_young_people())
        .exclude(status=YoungPerson.Status.MERGED)
        .annotate(
            # The open episode began on the latest agreement or reopening; a record with
            # neither (opened before ICMS kept agreements) on the day it was opened.
            open_since=Coalesce(
                Greatest(_latest(agreements, "agreed_on"), _latest(reopenings, "reopened_on")),
                TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
            )
        )
        .filter(taken_on | Q(closed_episode) | Q(status__in=OPEN, open_since__lte=scope.ends_on))
        .aggregate(served=Count("pk"), new=Count("pk", filter=taken_on))
    )


def _referrals(scope: Scope) -> dict[str, int]:
    """Received, accepted and declined in the period (the reports' queries), and still waiting
    for a decision at its end: three queries."""
    waiting = Referral.objects.filter(scope.of_young_people(), submitted_at__lt=scope.end).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gte=scope.end)
    )
    return {
        **referrals_received(scope).aggregate(received=Count("pk")),
        **referrals_decided(scope).aggregate(
            accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=Referral.Status.DECLINED)),
        ),
        **waiting.aggregate(waiting=Count("pk")),
    }


def _outcome_lines(scope: Scope) -> list[ReturnLine]:
    """From the outcome report (outcomes.queries.outcome_figures) on ICMS's own instrument: the
    young people reviewed at intake and again in the period, and for each of its scales how
    many improved, stayed the same or got worse from intake to their latest review."""
    instrument = (
        Instrument.objects.filter(name=ICMS_INSTRUMENT)
        .order_by("-version")
        .prefetch_related("scales")
        .first()
    )
    reviewed = (
        f"Young people {IN_SCOPE} with an intake review and, after it, a review (regular or "
        f"exit) in the period, on ICMS's own instrument ({ICMS_INSTRUMENT}); their latest "
        "intake review counts, and reviews marked entered in error are left out."
    )
    if instrument is None:
        return [ReturnLine("outcome_reviewed", "Young people reviewed again", 0, reviewed)]
    figures = outcome_figures(
        instrument=instrument,
        starts_on=scope.starts_on,
        ends_on=scope.ends_on,
        team_id=scope.team_id,
        division_id=scope.division_id,
    )
    by_label = {row[0]: row for row in figures.to_latest}
    lines = [
        ReturnLine("outcome_reviewed", "Young people reviewed again", figures.reviewed, reviewed)
    ]
    for scale in instrument.scales.all():
        row = by_label.get(f"{scale.name}: {scale.get_total_display().lower()}")
        better, same, worse = row[5:8] if row else (0, 0, 0)
        direction = "higher" if scale.higher_is_better else "lower"
        name = slugify(scale.name).replace("-", "_")
        for (move, said), value in zip(OUTCOME_MOVES, (better, same, worse), strict=True):
            lines.append(
                ReturnLine(
                    f"outcome_{name}_{move}",
                    f"{scale.name}: {said}",
                    value,
                    f"Of the young people reviewed again, those whose {scale.name.lower()} "
                    f"score ({scale.get_total_display().lower()}; {direction} is better) "
                    f"{said} from the intake review to their latest review in the period; "
                    "only young people with every item of the scale rated in both reviews.",
                )
            )
    return lines


def quarterly_return(scope: Scope) -> list[ReturnLine]:
    """Every figure of the return for `scope`, in a fixed order, a zero included: the same
    lines whatever the data. A fixed number of queries (twelve)."""
    served = _young_people_served(scope)
    referrals = _referrals(scope)
    contacts = contacts_in(scope).aggregate(
        contacts=Count("pk"),
        reached=Count("pk", filter=Q(reached_young_person=True)),
        after_hours=Count("pk", filter=Q(after_hours=True)),
    )
    exits = closures_in(scope).aggregate(
        left=Count("pk"),
        housed=Count("pk", filter=Q(accommodation_in_place=True)),
        **{value: Count("pk", filter=Q(destination=value)) for value in Destination.values},
    )
    return [
        ReturnLine(
            "young_people_served",
            "Young people served",
            served["served"],
            f"Young people {IN_SCOPE} whose ICMS episode was open on at least one day of the "
            "period: taken on in the period (as young_people_new), or with an episode closed "
            "in the period or later that began on or before its last day, or open now "
            "(active or exiting) since a day on or before its last day (the latest case "
            "management agreement or reopening). Records merged into another are left out "
            "(their episodes count on the record kept).",
        ),
        ReturnLine(
            "young_people_new",
            "Of them, taken on in the period",
            served["new"],
            "Young people served with a case management agreement dated in the period (a "
            "referral accepted, or a young person taken on outside a referral) or a closed "
            "file reopened in the period; each young person counts once.",
        ),
        ReturnLine(
            "referrals_received",
            "Referrals received",
            referrals["received"],
            "Referrals to a team of the division or team chosen submitted in the period "
            "(drafts are never counted: they have not been submitted).",
        ),
        ReturnLine(
            "referrals_accepted",
            "Referrals accepted",
            referrals["accepted"],
            "Referrals accepted in the period, by the time of the decision, whenever they "
            "were submitted.",
        ),
        ReturnLine(
            "referrals_declined",
            "Referrals declined",
            referrals["declined"],
            "Referrals declined in the period, by the time of the decision, whenever they "
            "were submitted.",
        ),
        ReturnLine(
            "referrals_waiting_at_end",
            "Referrals waiting for a decision at the end of the period",
            referrals["waiting"],
            "Referrals submitted before the end of the period and not yet accepted, declined "
            "or withdrawn by then (submitted, under consideration or waitlisted at the end "
            "of its last day).",
        ),
        ReturnLine(
            "contacts",
            "Contacts",
            contacts["contacts"],
            f"Contacts with young people {IN_SCOPE} that started in the period (from midnight "
            "at the start of its first day to midnight at the end of its last, local time), "
            "including attempts that "
            "did not reach the young person; contacts marked entered in error are left out.",
        ),
        ReturnLine(
            "contacts_reached",
            "Contacts that reached the young person",
            contacts["reached"],
            "Of the contacts, those that reached the young person.",
        ),
        ReturnLine(
            "contacts_after_hours",
            "After-hours contacts",
            contacts["after_hours"],
            "Of the contacts, those after hours: started in the evening, at a weekend or on "
            "a public holiday (derived from the start time when the contact is recorded).",
        ),
        ReturnLine(
            "exits",
            "Exits",
            exits["left"],
            f"Episodes of young people {IN_SCOPE} closed in the period (by the closing date; "
            "a young person who left twice counts twice).",
        ),
        ReturnLine(
            "exits_with_accommodation_in_place",
            "Exits with accommodation in place",
            exits["housed"],
            "Of the exits, those whose exit plan had its accommodation marked in place at closing.",
        ),
        *(
            ReturnLine(
                f"exits_to_{value}",
                f"Exits to: {label}",
                exits[value],
                f"Of the exits, those whose accommodation at exit was recorded at closing as "
                f"'{label}'.",
            )
            for value, label in Destination.choices
        ),
        *_outcome_lines(scope),
    ]


def scope_named(*, division: Division | None, team: Team | None) -> str:
    """The scope column: what the figures cover."""
    parts = [f"division {division.name}" if division else "", f"team {team.name}" if team else ""]
    return ", ".join(part for part in parts if part) or "all divisions"


def return_rows(lines: list[ReturnLine], *, scope: Scope, named: str) -> Iterator[list]:
    """The CSV's rows, one per figure, each with the period and the scope."""
    period = [f"{scope.starts_on:%Y-%m-%d}", f"{scope.ends_on:%Y-%m-%d}", named]
    for line in lines:
        yield [*period, line.figure, line.label, line.value, line.definition]
