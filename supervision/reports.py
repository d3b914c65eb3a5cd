"""The agency's reports: counts and durations for a period, by division or team. No names and
no record numbers, so they may be shared with the agency's management and funders."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseplans.models import CasePlan, Goal
from clients.models import Contact, LifeDomain, YoungPerson
from clients.queries import local_midnight
from crises.models import CrisisEvent
from referrals.models import Consultation, Referral

BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
WAITING = [
    Referral.Status.SUBMITTED,
    Referral.Status.UNDER_CONSIDERATION,
    Referral.Status.WAITLISTED,
]


class Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont), of numbers or of intervals."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass(frozen=True)
class Scope:
    """What a report counts: the period (both days included) and, optionally, one team or one
    division."""

    starts_on: date
    ends_on: date
    team_id: int | None = None
    division_id: int | None = None

    @property
    def start(self) -> datetime:
        return local_midnight(self.starts_on)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return local_midnight(self.ends_on + timedelta(days=1))

    def of_young_people(self, prefix: str = "") -> Q:
        conditions = Q()
        if self.team_id:
            conditions &= Q(**{f"{prefix}team": self.team_id})
        if self.division_id:
            conditions &= Q(**{f"{prefix}division": self.division_id})
        return conditions


@dataclass
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list]
    note: str = ""


def _days(interval: timedelta | None) -> float | str:
    return "" if interval is None else round(interval.total_seconds() / 86400, 1)


def referrals_by_division(scope: Scope) -> Table:
    """Referrals received in the period, by division, with what became of them."""
    statuses = [
        (Referral.Status.ACCEPTED, "Accepted"),
        (Referral.Status.DECLINED, "Declined"),
        (Referral.Status.WITHDRAWN, "Withdrawn"),
    ]
    counted = (
        Referral.objects.filter(
            scope.of_young_people(), submitted_at__gte=scope.start, submitted_at__lt=scope.end
        )
        .values("division__name")
        .annotate(
            received=Count("pk"),
            **{value: Count("pk", filter=Q(status=value)) for value, _ in statuses},
            waiting=Count("pk", filter=Q(status__in=WAITING)),
        )
        .order_by("division__name")
    )
    return Table(
        name="referrals",
        title="Referrals by division and outcome",
        header=["Division", "Received", *(label for _, label in statuses), "Still waiting"],
        rows=[
            [
                row["division__name"],
                row["received"],
                *(row[value] for value, _ in statuses),
                row["waiting"],
            ]
            for row in counted
        ],
        note="Referrals submitted in the period; their outcome as it stands today.",
    )


def time_to_decision(scope: Scope) -> Table:
    """Referrals decided in the period, by team: the median days from submission to the
    decision, and for the accepted, from the decision to the first contact that reached the
    young person."""
    first_contact = (
        Contact.objects.successful()
        .filter(young_person=OuterRef("young_person"), started_at__gte=OuterRef("decided_at"))
        .order_by("started_at")
        .values("started_at")[:1]
    )
    decided = (
        Referral.objects.filter(
            scope.of_young_people(),
            status__in=[Referral.Status.ACCEPTED, Referral.Status.DECLINED],
            decided_at__gte=scope.start,
            decided_at__lt=scope.end,
        )
        .annotate(first_contact_at=Subquery(first_contact))
        .values("team__name")
        .annotate(
            decided=Count("pk"),
            to_decision=Median(
                ExpressionWrapper(F("decided_at") - F("submitted_at"), DurationField()),
                output_field=DurationField(),
            ),
            accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
            to_first_contact=Median(
                ExpressionWrapper(F("first_contact_at") - F("decided_at"), DurationField()),
                filter=Q(status=Referral.Status.ACCEPTED),
                output_field=DurationField(),
            ),
            not_yet_seen=Count(
                "pk",
                filter=Q(status=Referral.Status.ACCEPTED, first_contact_at__isnull=True),
            ),
        )
        .order_by("team__name")
    )
    return Table(
        name="time-to-decision",
        title="Time from referral to decision and to first contact",
        header=[
            "Team",
            "Decided",
            "Median days to decision",
            "Accepted",
            "Median days from acceptance to first contact",
            "Accepted, not yet reached",
        ],
        rows=[
            [
                row["team__name"],
                row["decided"],
                _days(row["to_decision"]),
                row["accepted"],
                _days(row["to_first_contact"]),
                row["not_yet_seen"],
            ]
            for row in decided
        ],
        note="Referrals accepted or declined in the period.",
    )


def _closed_in(scope: Scope) -> QuerySet[YoungPerson]:
    """Young people whose episode closed in the period, with when it closed and began. The
    closing is read from the record's history (pghistory): the first snapshot with the closed
    status after the last one without it."""
    history = YoungPerson.pgh_event_model.objects.filter(pgh_obj=OuterRef("pk"))
    last_open = (
        history.exclude(status=YoungPerson.Status.CLOSED)
        .order_by("-pgh_created_at")
        .values("pgh_created_at")[:1]
    )
    closed_at = (
        history.filter(
            status=YoungPerson.Status.CLOSED,
            pgh_created_at__gt=Coalesce(Subquery(last_open), Value(BEGINNING)),
        )
        .order_by("pgh_created_at")
        .values("pgh_created_at")[:1]
    )
    accepted_at = (
        Referral.objects.filter(young_person=OuterRef("pk"), status=Referral.Status.ACCEPTED)
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )
    return (
        YoungPerson.objects.filter(scope.of_young_people(), status=YoungPerson.Status.CLOSED)
        .annotate(closed_at=Subquery(closed_at))
        .filter(closed_at__gte=scope.start, closed_at__lt=scope.end)
        .annotate(began_at=Coalesce(Subquery(accepted_at), F("created_at")))
    )


def episodes(scope: Scope) -> Table:
    closed = (
        _closed_in(scope)
        .values("team__name")
        .annotate(
            closed=Count("pk"),
            median=Median(
                ExpressionWrapper(F("closed_at") - F("began_at"), DurationField()),
                output_field=DurationField(),
            ),
            shortest=Min(
                ExpressionWrapper(F("closed_at") - F("began_at"), DurationField()),
            ),
        )
        .order_by("team__name")
    )
    return Table(
        name="episodes",
        title="Length of episodes",
        header=["Team", "Episodes closed", "Median days", "Shortest (days)"],
        rows=[
            [row["team__name"], row["closed"], _days(row["median"]), _days(row["shortest"])]
            for row in closed
        ],
        note="Episodes closed in the period, from the referral's acceptance to the closing.",
    )


def exits(scope: Scope) -> Table:
    """Young people who left in the period: how many had accommodation, support services and
    supportive adults in place in their exit plan."""

    def in_place(field: str) -> Q:
        return Q(**{f"exit_plan__{field}__gt": ""})

    counted = (
        _closed_in(scope)
        .values("team__name")
        .annotate(
            left=Count("pk"),
            with_plan=Count("pk", filter=Q(exit_plan__isnull=False)),
            accommodation=Count("pk", filter=in_place("accommodation")),
            supports=Count("pk", filter=in_place("supports")),
            adults=Count("pk", filter=in_place("supportive_adults")),
        )
        .order_by("team__name")
    )
    return Table(
        name="exits",
        title="Exits with accommodation and supports in place",
        header=[
            "Team",
            "Left ICMS",
            "With an exit plan",
            "Accommodation in place",
            "Support services in place",
            "Supportive adults",
        ],
        rows=[
            [
                row["team__name"],
                row["left"],
                row["with_plan"],
                row["accommodation"],
                row["supports"],
                row["adults"],
            ]
            for row in counted
        ],
        note="Episodes closed in the period, as their exit plans record.",
    )


def goals_by_domain(scope: Scope) -> Table:
    """The goals of the case plans in force in the period, by life domain, as they stand in the
    latest version: a goal kept through several versions counts once."""
    in_force = CasePlan.objects.filter(
        scope.of_young_people("young_person__"),
        status__in=[CasePlan.Status.CURRENT, CasePlan.Status.SUPERSEDED],
        approved_at__lt=scope.end,
    ).filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=scope.start))
    latest = Goal.objects.filter(plan__in=in_force).order_by("lineage", "-plan__number")
    statuses = Goal.Status.choices
    counted = {
        row["domain"]: row
        for row in Goal.objects.filter(pk__in=Subquery(latest.distinct("lineage").values("pk")))
        .values("domain")
        .annotate(
            total=Count("pk"),
            **{value: Count("pk", filter=Q(status=value)) for value, _ in statuses},
        )
        .order_by()
    }
    rows = []
    for value, label in LifeDomain.choices:
        row = counted.get(value)
        if row:
            achieved = row[Goal.Status.ACHIEVED]
            rows.append(
                [label, row["total"], *(row[status] for status, _ in statuses),
                 round(100 * achieved / row["total"])]
            )  # fmt: skip
    return Table(
        name="goals",
        title="Goals achieved by life domain",
        header=["Life domain", "Goals", *(label for _, label in statuses), "Achieved (%)"],
        rows=rows,
        note="Goals of the case plans in force during the period, as they stand now.",
    )


def after_hours_activity(scope: Scope) -> Table:
    """By team: the contacts of the period and the share of them after hours, and the
    after-hours crises of the crisis log (CrisisEvent.objects.after_hours, as the log counts
    them)."""
    contacts = {
        row["young_person__team__name"]: row
        for row in Contact.objects.filter(
            scope.of_young_people("young_person__"),
            started_at__gte=scope.start,
            started_at__lt=scope.end,
            entered_in_error_at__isnull=True,
        )
        .values("young_person__team__name")
        .annotate(contacts=Count("pk"), out_of_hours=Count("pk", filter=Q(after_hours=True)))
        .order_by()
    }
    crises = dict(
        CrisisEvent.objects.after_hours()
        .happened_between(scope.start, scope.end)
        .filter(scope.of_young_people("young_person__"))
        .values("young_person__team__name")
        .annotate(count=Count("pk"))
        .values_list("young_person__team__name", "count")
        .order_by()
    )
    rows = []
    for team in sorted(contacts.keys() | crises.keys(), key=lambda name: (name is None, name)):
        counted = contacts.get(team, {"contacts": 0, "out_of_hours": 0})
        rows.append(
            [
                team,
                counted["contacts"],
                counted["out_of_hours"],
                round(100 * counted["out_of_hours"] / max(counted["contacts"], 1)),
                crises.get(team, 0),
            ]
        )
    return Table(
        name="after-hours",
        title="After-hours activity",
        header=["Team", "Contacts", "After hours", "After hours (%)", "After-hours crises"],
        rows=rows,
        note="Contacts in the period, reached or not, and the crises of the crisis log. After "
        "hours: evenings, weekends and public holidays.",
    )


def consultations(scope: Scope) -> Table:
    """Case consultancy: the advice ICMS gave in the period, by division and team, and how much
    of it answered a referral ICMS could not take on."""
    conditions = Q(asked_on__gte=scope.starts_on, asked_on__lte=scope.ends_on)
    if scope.team_id:
        conditions &= Q(team=scope.team_id)
    if scope.division_id:
        conditions &= Q(team__division=scope.division_id)
    counted = (
        Consultation.objects.filter(conditions)
        .values("team__division__name", "team__name")
        .annotate(given=Count("pk"), on_referrals=Count("pk", filter=Q(referral__isnull=False)))
        .order_by("team__division__name", "team__name")
    )
    return Table(
        name="consultations",
        title="Consultations",
        header=["Division", "Team", "Consultations", "Answering a referral", "Other requests"],
        rows=[
            [
                row["team__division__name"],
                row["team__name"],
                row["given"],
                row["on_referrals"],
                row["given"] - row["on_referrals"],
            ]
            for row in counted
        ],
        note="Advice given in the period, by the day it was asked for; the advice answering a "
        "referral was given when ICMS declined it.",
    )


REPORTS: dict[str, Callable[[Scope], Table]] = {
    "referrals": referrals_by_division,
    "time-to-decision": time_to_decision,
    "consultations": consultations,
    "episodes": episodes,
    "goals": goals_by_domain,
    "exits": exits,
    "after-hours": after_hours_activity,
}

ACTIVITY_HEADER = [
    "Date",
    "Time",
    "Division",
    "Team",
    "How",
    "Where",
    "What kind",
    "Minutes",
    "Reached the young person",
    "After hours",
]


def activity_rows(scope: Scope) -> Iterator[list]:
    """Every contact of the period, one row each, without names or notes: the data behind the
    activity figures, for the agency's own analysis. Read in chunks, so memory stays flat."""
    contacts = (
        Contact.objects.filter(
            scope.of_young_people("young_person__"),
            started_at__gte=scope.start,
            started_at__lt=scope.end,
            entered_in_error_at__isnull=True,
        )
        .order_by("started_at", "pk")
        .values_list(
            "started_at",
            "young_person__division__name",
            "young_person__team__name",
            "mode",
            "location",
            "kind",
            "duration_minutes",
            "reached_young_person",
            "after_hours",
        )
    )
    modes, locations, kinds = (
        dict(Contact.Mode.choices),
        dict(Contact.Location.choices),
        dict(Contact.Kind.choices),
    )
    for (
        started_at,
        division,
        team,
        mode,
        location,
        kind,
        minutes,
        reached,
        after,
    ) in contacts.iterator(chunk_size=5000):
        local = timezone.localtime(started_at)
        yield [
            f"{local:%Y-%m-%d}",
            local.time().isoformat("minutes"),
            division,
            team or "",
            modes.get(mode, mode),
            locations.get(location, location),
            kinds.get(kind, kind),
            minutes,
            "yes" if reached else "no",
            "yes" if after else "no",
        ]
