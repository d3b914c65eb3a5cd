"""What a supervisor looks at: each worker's load, the team's trends, the agency's figures."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Role, Team, User
from accounts.rules import teams_supervised_by
from caseplans.queries import with_overdue_tasks, with_plan_review
from clients.models import Contact, ContactWorker, YoungPerson
from clients.queries import (
    FORTNIGHT,
    local_midnight,
    search_young_people,
    team_members,
    team_workers_with_caseload,
    with_contact_figures,
)
from clients.rules import contacts_visible_to
from referrals.models import Referral
from referrals.rules import referrals_visible_to
from register.models import RegisterReview
from register.queries import with_register_review
from register.rules import register_entries_visible_to
from supervision.models import SupervisionAction, SupervisionSession
from toolkit.formats import show_date, show_month


@dataclass
class WorkerLoad:
    """One worker's row of the caseload review: their open primary cases, and the contacts they
    made this fortnight with the team's young people."""

    worker: User
    limit: Decimal
    young_people: int = 0
    weighted: Decimal = Decimal(0)
    contacts: int = 0
    contacts_expected: int = 0
    contacts_made: int = 0
    after_hours_made: int = 0
    without_contact: int = 0
    overdue_tasks: int = 0
    plan_reviews_overdue: int = 0
    register_reviews_overdue: int = 0

    @property
    def overloaded(self) -> bool:
        return self.weighted > self.limit

    @property
    def after_hours_percent(self) -> int | None:
        if not self.contacts_made:
            return None
        return round(100 * self.after_hours_made / self.contacts_made)

    @property
    def meter_max(self) -> Decimal:
        """The end of the load meter: half as much again as the limit, or the load if more."""
        return max(self.limit * Decimal("1.5"), self.weighted)

    @property
    def contacts_short(self) -> bool:
        return self.contacts < self.contacts_expected


@dataclass
class CaseloadReview:
    team: Team
    workers: list[WorkerLoad]
    unallocated: int = 0
    totals: WorkerLoad | None = field(default=None)


def cases_for_review(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Open cases among `young_people` with every figure the review counts."""
    return with_overdue_tasks(
        with_register_review(with_plan_review(with_contact_figures(young_people.open())))
    ).select_related("intensity", "primary_case_manager")


def team_cases_for_review(team: Team, *, visible: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """The team's open cases with every figure the review counts."""
    return cases_for_review(visible.filter(team=team))


def caseload_review(team: Team, *, visible: QuerySet[YoungPerson]) -> CaseloadReview:
    """Per worker of the team: open primary caseload, raw and weighted by intensity; successful
    contacts this fortnight against what the intensities expect; the share of the contacts they
    made that were after hours; and what is overdue. Three queries, whatever the team's size."""
    loads = {
        worker.pk: WorkerLoad(worker=worker, limit=team.weighted_caseload_limit)
        for worker in team_members(team)
    }
    unallocated = 0
    for young_person in team_cases_for_review(team, visible=visible):
        worker = young_person.primary_case_manager
        if worker is None:
            unallocated += 1
            continue
        # A primary case manager who has left the team still shows, with what they hold.
        load = loads.setdefault(worker.pk, WorkerLoad(worker, team.weighted_caseload_limit))
        load.young_people += 1
        if young_person.intensity:
            load.weighted += young_person.intensity.caseload_weight
            load.contacts_expected += young_person.intensity.expected_contacts_per_fortnight
        load.contacts += young_person.contacts_this_fortnight
        load.without_contact += young_person.contact_overdue
        load.overdue_tasks += young_person.overdue_tasks
        load.plan_reviews_overdue += bool(young_person.plan_review_overdue)
        load.register_reviews_overdue += bool(young_person.register_review_overdue)
    made = (
        ContactWorker.objects.filter(
            worker__in=list(loads),
            contact__young_person__in=visible.filter(team=team),
            contact__started_at__gte=fortnight_start(),
            contact__entered_in_error_at__isnull=True,
        )
        .values("worker")
        .annotate(total=Count("pk"), after_hours=Count("pk", filter=Q(contact__after_hours=True)))
    )
    for row in made:
        loads[row["worker"]].contacts_made = row["total"]
        loads[row["worker"]].after_hours_made = row["after_hours"]
    workers = list(loads.values())
    totals = WorkerLoad(worker=None, limit=team.weighted_caseload_limit * max(len(workers), 1))
    for load in workers:
        for name in [
            "young_people", "weighted", "contacts", "contacts_expected", "contacts_made",
            "after_hours_made", "without_contact", "overdue_tasks", "plan_reviews_overdue",
            "register_reviews_overdue",
        ]:  # fmt: skip
            setattr(totals, name, getattr(totals, name) + getattr(load, name))
    return CaseloadReview(team=team, workers=workers, unallocated=unallocated, totals=totals)


def fortnight_start() -> datetime:
    return local_midnight(timezone.localdate() - timedelta(FORTNIGHT - 1))


# --- The team's dashboard ---------------------------------------------------------------------

WEEKS = 12
MONTHS = 12


@dataclass
class Series:
    """One chart: labels along the bottom, and each named line of figures."""

    name: str
    title: str
    labels: list[str]
    labelled: str  # what the labels are: the heading of the table's first column
    lines: dict[str, list[int | float]]
    note: str = ""
    kind: str = "bar"  # or "line": how Chart.js draws it

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [
            (label, [figures[n] for figures in self.lines.values()])
            for n, label in enumerate(self.labels)
        ]

    @property
    def header(self) -> list[str]:
        return [self.labelled, *self.lines]

    @property
    def table_rows(self) -> list[list]:
        """The figures as the table under the chart shows them: a label, then its figures."""
        return [[label, *figures] for label, figures in self.rows]

    def as_chart(self) -> dict:
        return {"kind": self.kind, "labels": self.labels, "lines": self.lines}


def _week_starts(today: date) -> list[date]:
    this_week = today - timedelta(days=today.weekday())
    return [this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _month_starts(today: date) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def contacts_per_week(team: Team, *, contacts: QuerySet[Contact]) -> Series:
    """The team's contacts of the last twelve weeks (Monday to Sunday), reached or not, and
    how many of them were after hours."""
    weeks = _week_starts(timezone.localdate())
    counted = (
        contacts.filter(
            young_person__team=team,
            started_at__gte=local_midnight(weeks[0]),
            entered_in_error_at__isnull=True,
        )
        .annotate(week=TruncWeek("started_at"))
        .values("week")
        .annotate(
            reached=Count("pk", filter=Q(reached_young_person=True)),
            not_reached=Count("pk", filter=Q(reached_young_person=False)),
            out_of_hours=Count("pk", filter=Q(after_hours=True)),
        )
        .order_by()
    )
    by_week = {timezone.localtime(row["week"]).date(): row for row in counted}
    empty = {"reached": 0, "not_reached": 0, "out_of_hours": 0}
    rows = [by_week.get(week, empty) for week in weeks]
    return Series(
        name="contacts",
        title="Contacts per week",
        labels=[show_date(week) for week in weeks],
        labelled="Week from",
        lines={
            "Reached the young person": [row["reached"] for row in rows],
            "Attempts that did not": [row["not_reached"] for row in rows],
            "After hours": [row["out_of_hours"] for row in rows],
        },
        note="Weeks start on Monday. After-hours contacts are counted in the first two lines too.",
        kind="line",
    )


def referrals_per_month(team: Team, *, referrals: QuerySet[Referral]) -> Series:
    """Referrals to the team received (submitted) each month, and decided: accepted, declined."""
    months = _month_starts(timezone.localdate())
    since = local_midnight(months[0])
    of_team = referrals.filter(team=team)
    received = (
        of_team.filter(submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    decided = (
        of_team.filter(decided_at__gte=since, status__in=["accepted", "declined"])
        .annotate(month=TruncMonth("decided_at"))
        .values("month", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[date, str], int] = {}
    for row in received:
        counts[timezone.localtime(row["month"]).date(), "received"] = row["count"]
    for row in decided:
        counts[timezone.localtime(row["month"]).date(), row["status"]] = row["count"]
    return Series(
        name="referrals",
        title="Referrals per month",
        labels=[show_month(month) for month in months],
        labelled="Month",
        lines={
            label: [counts.get((month, key), 0) for month in months]
            for key, label in [
                ("received", "Received"),
                ("accepted", "Accepted"),
                ("declined", "Declined"),
            ]
        },
    )


def decline_reasons(team: Team, *, referrals: QuerySet[Referral]) -> Series:
    """Why the team's referrals of the last twelve months were declined."""
    since = local_midnight(_month_starts(timezone.localdate())[0])
    counted = dict(
        referrals.filter(team=team, status=Referral.Status.DECLINED, decided_at__gte=since)
        .values_list("decline_reason")
        .annotate(count=Count("pk"))
        .order_by()
    )
    reasons = Referral.DeclineReason.choices
    return Series(
        name="decline-reasons",
        title="Why referrals were declined",
        labels=[label for _, label in reasons],
        labelled="Reason",
        lines={"Declined": [counted.get(value, 0) for value, _ in reasons]},
        note="The last twelve months.",
    )


def caseload_weights(team: Team) -> Series:
    workers = list(team_workers_with_caseload(Team.objects.filter(pk=team.pk)))
    return Series(
        name="caseload-weights",
        title="Caseload weight per worker",
        labels=[str(worker) for worker in workers],
        labelled="Worker",
        lines={
            "Weighted load": [float(worker.weighted_caseload) for worker in workers],
            "Young people": [worker.caseload for worker in workers],
        },
        note=f"Over {team.weighted_caseload_limit} weighted is overloaded.",
    )


def register_reviews_on_time(team: Team, *, reviews: QuerySet[RegisterReview]) -> Series:
    """Register reviews of the team's young people held each month: by their due date or late."""
    months = _month_starts(timezone.localdate())
    held = (
        reviews.filter(entry__young_person__team=team, reviewed_on__gte=months[0])
        .annotate(month=TruncMonth("reviewed_on"))
        .values("month")
        .annotate(
            on_time=Count("pk", filter=Q(reviewed_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(reviewed_on__gt=F("due_on"))),
        )
        .order_by()
    )
    by_month = {row["month"]: row for row in held}
    empty = {"on_time": 0, "late": 0}
    rows = [by_month.get(month, empty) for month in months]
    return Series(
        name="register-reviews",
        title="Register reviews held on time",
        labels=[show_month(month) for month in months],
        labelled="Month",
        lines={
            "By the due date": [row["on_time"] for row in rows],
            "Late": [row["late"] for row in rows],
        },
    )


DASHBOARD_CHARTS: dict[str, Callable[[Team, User], Series]] = {
    "contacts": lambda team, user: contacts_per_week(team, contacts=contacts_visible_to(user)),
    "caseload-weights": lambda team, user: caseload_weights(team),
    "referrals": lambda team, user: referrals_per_month(team, referrals=referrals_visible_to(user)),
    "decline-reasons": lambda team, user: decline_reasons(
        team, referrals=referrals_visible_to(user)
    ),
    "register-reviews": lambda team, user: register_reviews_on_time(
        team, reviews=RegisterReview.objects.filter(entry__in=register_entries_visible_to(user))
    ),
}


def team_dashboard(team: Team, *, user: User) -> list[Series]:
    """The dashboard's charts, each counted only from what the supervisor sees."""
    return [chart(team, user) for chart in DASHBOARD_CHARTS.values()]


# --- Supervision sessions ---------------------------------------------------------------------


def worker_load(worker: User, *, visible: QuerySet[YoungPerson]) -> WorkerLoad:
    """The worker's row of their team's caseload review, as it stands today."""
    review = caseload_review(worker.team, visible=visible)
    return next(
        (load for load in review.workers if load.worker.pk == worker.pk),
        WorkerLoad(worker=worker, limit=worker.team.weighted_caseload_limit),
    )


def snapshot_of(load: WorkerLoad) -> dict[str, int | str | None]:
    """The figures a session keeps (supervision.models.FIGURES), as JSON."""
    return {
        "young_people": load.young_people,
        "weighted": f"{load.weighted:.1f}",
        "limit": f"{load.limit:.1f}",
        "contacts": load.contacts,
        "contacts_expected": load.contacts_expected,
        "after_hours_percent": load.after_hours_percent,
        "without_contact": load.without_contact,
        "overdue_tasks": load.overdue_tasks,
        "plan_reviews_overdue": load.plan_reviews_overdue,
        "register_reviews_overdue": load.register_reviews_overdue,
    }


def cases_to_discuss(worker: User, *, visible: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """The worker's open cases in their team (primary or care team), with what is overdue."""
    return team_cases_for_review(worker.team, visible=visible.allocated_to(worker)).order_by(
        "family_name", "given_name"
    )


def needs_discussion(young_person: YoungPerson) -> bool:
    """Without contact past their threshold, or a plan review, register review or task
    overdue: ticked to discuss when a session starts."""
    return bool(
        young_person.contact_overdue
        or young_person.plan_review_overdue
        or young_person.register_review_overdue
        or young_person.overdue_tasks
    )


def open_actions_for(
    worker: User, *, actions: QuerySet[SupervisionAction]
) -> QuerySet[SupervisionAction]:
    """What earlier sessions with the worker agreed and is not done yet, oldest first."""
    return (
        actions.filter(session__worker=worker, done_on__isnull=True)
        .select_related("session")
        .order_by("session__held_on", "pk")
    )


def sessions_listed(sessions: QuerySet[SupervisionSession]) -> QuerySet[SupervisionSession]:
    """Newest first, each with how many young people it discussed and actions are open."""
    return (
        sessions.select_related("supervisor", "worker")
        .annotate(
            discussed=Count("young_people", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def discussed_young_people(
    session: SupervisionSession, *, visible: QuerySet[YoungPerson]
) -> QuerySet[YoungPerson]:
    """The young people the session discussed, each with whether the reader sees them now."""
    return session.young_people.annotate(seen=Exists(visible.filter(pk=OuterRef("pk")))).order_by(
        "family_name", "given_name"
    )


def actions_at(
    session: SupervisionSession, *, actions: QuerySet[SupervisionAction]
) -> QuerySet[SupervisionAction]:
    """The actions the session agreed, and those of earlier sessions of the same two that were
    still open when it was held (done at it or later, or not yet)."""
    carried_over = Q(
        session__supervisor=session.supervisor_id,
        session__worker=session.worker_id,
        session__held_on__lt=session.held_on,
    ) & (Q(done_on__isnull=True) | Q(done_on__gte=session.held_on))
    return (
        actions.filter(Q(session=session) | carried_over)
        .select_related("session")
        .order_by("session__held_on", "pk")
    )


def young_people_named(text: str, *, among: QuerySet[YoungPerson]) -> list[int]:
    """The records `among` whose names or child protection number `text` gives (the caseload's
    search), with the records merged into them or they were merged into: who looked at the young
    person, whichever of their records. Their numbers, read first: the trail's planner then
    reads each one's rows by index (a subquery here took it through every row of the period)."""
    named = search_young_people(among, text)
    records = YoungPerson.objects.filter(
        Q(pk__in=named) | Q(merged_into__in=named) | Q(pk__in=named.values("merged_into"))
    )
    return list(records.values_list("pk", flat=True))


def young_people_searchable_by(user: User) -> QuerySet[YoungPerson]:
    """The system owner searches the trail for anyone; a supervisor for their teams' young
    people (as supervision.rules lets them read it)."""
    if user.has_role(Role.ADMINISTRATOR):
        return YoungPerson.objects.all()
    return YoungPerson.objects.filter(team__in=teams_supervised_by(user))
