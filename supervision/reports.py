"""The agency's reports: counts and durations for a period, by division or team. No names and
no record numbers, so they may be shared with the agency's management and funders."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
)
from django.utils import timezone
from django.utils.text import capfirst

from caseplans.models import CasePlan, Goal
from clients.models import Contact, LifeDomain, YoungPerson
from clients.queries import local_midnight
from crises.models import CrisisEvent
from exits.models import Closure, Destination, ExitReason, FollowUp
from exits.queries import latest_closure
from referrals.models import Consultation, Referral

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


def referrals_received(scope: Scope) -> QuerySet[Referral]:
    """The referrals submitted in the period (a draft has not been submitted)."""
    return Referral.objects.filter(
        scope.of_young_people(), submitted_at__gte=scope.start, submitted_at__lt=scope.end
    )


def referrals_decided(scope: Scope) -> QuerySet[Referral]:
    """The referrals accepted or declined in the period (by the time of the decision)."""
    return Referral.objects.filter(
        scope.of_young_people(),
        status__in=[Referral.Status.ACCEPTED, Referral.Status.DECLINED],
        decided_at__gte=scope.start,
        decided_at__lt=scope.end,
    )


def contacts_in(scope: Scope) -> QuerySet[Contact]:
    """The contacts that started in the period, reached or not; those entered in error are
    left out."""
    return Contact.objects.filter(
        scope.of_young_people("young_person__"),
        started_at__gte=scope.start,
        started_at__lt=scope.end,
        entered_in_error_at__isnull=True,
    )


def referrals_by_division(scope: Scope) -> Table:
    """Referrals received in the period, by division, with what became of them."""
    statuses = [
        (Referral.Status.ACCEPTED, "Accepted"),
        (Referral.Status.DECLINED, "Declined"),
        (Referral.Status.WITHDRAWN, "Withdrawn"),
    ]
    counted = (
        referrals_received(scope)
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
        referrals_decided(scope)
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


def closures_in(scope: Scope) -> QuerySet[Closure]:
    """The episodes closed in the period (Closure: one per episode, written at closing)."""
    return Closure.objects.filter(
        scope.of_young_people("young_person__"),
        closed_on__gte=scope.starts_on,
        closed_on__lte=scope.ends_on,
    )


def episodes(scope: Scope) -> Table:
    length = ExpressionWrapper(F("closed_on") - F("began_on"), output_field=DurationField())
    closed = (
        closures_in(scope)
        .values("young_person__team__name")
        .annotate(
            closed=Count("pk"),
            median=Median(length, output_field=DurationField()),
            shortest=Min(length),
        )
        .order_by("young_person__team__name")
    )
    return Table(
        name="episodes",
        title="Length of episodes",
        header=["Team", "Episodes closed", "Median days", "Shortest (days)"],
        rows=[
            [
                row["young_person__team__name"],
                row["closed"],
                _days(row["median"]),
                _days(row["shortest"]),
            ]
            for row in closed
        ],
        note="Episodes closed in the period, from the day they began (the referral's "
        "acceptance, or the reopening) to the day they closed.",
    )


def exits(scope: Scope) -> Table:
    """Young people who left in the period: how many had accommodation, support services and
    supportive adults in place in their exit plan as they left."""
    counted = (
        closures_in(scope)
        .values("young_person__team__name")
        .annotate(
            left=Count("pk"),
            with_plan=Count("pk", filter=Q(no_exit_plan_because="")),
            accommodation=Count("pk", filter=Q(accommodation_in_place=True)),
            supports=Count("pk", filter=Q(supports_in_place=True)),
            adults=Count("pk", filter=Q(supportive_adults_in_place=True)),
        )
        .order_by("young_person__team__name")
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
            "Supportive adults in place",
        ],
        rows=[
            [
                row["young_person__team__name"],
                row["left"],
                row["with_plan"],
                row["accommodation"],
                row["supports"],
                row["adults"],
            ]
            for row in counted
        ],
        note="Episodes closed in the period, as their exit plans stood at closing.",
    )


def _exits_by(
    field: str, choices: list[tuple[str, str]], *, title: str
) -> Callable[[Scope], Table]:
    """The report of the exits of the period by a coded field of the closure, in the order of
    its choices: how many, and how many of them left with accommodation in place."""

    def report(scope: Scope) -> Table:
        counted = {
            row[field]: row
            for row in closures_in(scope)
            .values(field)
            .annotate(left=Count("pk"), housed=Count("pk", filter=Q(accommodation_in_place=True)))
            .order_by()
        }
        column = capfirst(Closure._meta.get_field(field).verbose_name)
        return Table(
            name=f"exit-{field}s",
            title=title,
            header=[column, "Left ICMS", "Accommodation in place"],
            rows=[
                [label, counted[value]["left"], counted[value]["housed"]]
                for value, label in choices
                if value in counted
            ],
            note=f"Episodes closed in the period, by the {column.lower()} recorded at closing.",
        )

    return report


exit_reasons = _exits_by("reason", ExitReason.choices, title="Exits by reason")
exit_destinations = _exits_by("destination", Destination.choices, title="Exits by destination")


def after_care(scope: Scope) -> Table:
    """The after-care follow-ups due in the period, by team: how many were made, reached the
    young person, and found the supports holding."""
    made = Q(made_on__isnull=False)
    holding = FollowUp.Holding
    counted = (
        FollowUp.objects.filter(
            scope.of_young_people("young_person__"),
            due_on__gte=scope.starts_on,
            due_on__lte=scope.ends_on,
        )
        .values("young_person__team__name")
        .annotate(
            due=Count("pk"),
            made=Count("pk", filter=made),
            reached=Count("pk", filter=made & Q(reached=True)),
            **{f"said_{value}": Count("pk", filter=Q(holding=value)) for value in holding.values},
            reopened=Count(
                "pk",
                filter=Q(made_on__isnull=True)
                & (~latest_closure() | ~Q(young_person__status=YoungPerson.Status.CLOSED)),
            ),
        )
        .order_by("young_person__team__name")
    )
    return Table(
        name="after-care",
        title="After-care follow-ups",
        header=[
            "Team",
            "Due in the period",
            "Made",
            "Reached the young person",
            "Supports holding",
            "Partly holding",
            "Not holding",
            "Could not tell",
            "Not made",
            "No longer due (reopened)",
        ],
        rows=[
            [
                row["young_person__team__name"],
                row["due"],
                row["made"],
                row["reached"],
                *(row[f"said_{value}"] for value in holding.values),
                row["due"] - row["made"] - row["reopened"],
                row["reopened"],
            ]
            for row in counted
        ],
        note="Follow-ups due in the period, as they stand today.",
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
        for row in contacts_in(scope)
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
    "exit-reasons": exit_reasons,
    "exit-destinations": exit_destinations,
    "after-care": after_care,
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
        contacts_in(scope)
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
