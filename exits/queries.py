"""What closing reads: when the episode began and what happened in it (the summary written at
closing), the after-care follow-ups due, and what the closing and follow-up pages show, each in
a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Team
from caseplans.models import CasePlan, ExitPlan, Goal
from clients.models import Allocation, Contact, IntensityLevel, KeyPerson, YoungPerson
from clients.queries import OPEN_STATUSES, local_midnight, with_page_header
from crises.models import CrisisEvent
from exits.models import Closure, FollowUp
from outcomes.models import Instrument, Review
from outcomes.queries import instrument_parts, reviews_with_ratings, scores_of
from referrals.models import Referral

# Follow-ups due within this many days are listed ("due this week"); reminders wait for the day.
DUE_AHEAD = timedelta(days=7)
# A follow-up not made this long after its day reminds the worker again, and the supervisor.
OVERDUE_AFTER = timedelta(days=14)


# --- When the episode began -------------------------------------------------------------------


def episode_began_on(young_person: YoungPerson) -> date:
    """The day the young person's current episode began: the latest accepted referral's
    decision or reopening since the last closing; else the day the record last became active
    (its history); else the day it was opened."""
    last_closed = (
        young_person.closures.order_by("-closed_on").values_list("closed_on", flat=True).first()
    )
    starts = [
        timezone.localdate(decided)
        for decided in Referral.objects.filter(
            young_person=young_person, status=Referral.Status.ACCEPTED, decided_at__isnull=False
        ).values_list("decided_at", flat=True)
    ]
    starts += young_person.reopenings.values_list("reopened_on", flat=True)
    if last_closed is not None:
        starts = [day for day in starts if day >= last_closed]
    if starts:
        return max(starts)
    became_active = _last_became_active(young_person)
    if became_active is not None and (last_closed is None or became_active >= last_closed):
        return became_active
    return max(timezone.localdate(young_person.created_at), last_closed or date.min)


def _last_became_active(young_person: YoungPerson) -> date | None:
    """The day of the first snapshot with the active status after the last one with a status
    that is not open (pghistory); None if the record was never anything but open."""
    history = YoungPerson.pgh_event_model.objects.filter(pgh_obj=young_person.pk)
    last_not_open = (
        history.exclude(status__in=OPEN_STATUSES).order_by("-pgh_id").values("pgh_id")[:1]
    )
    moment = (
        history.filter(pgh_id__gt=Subquery(last_not_open), status=YoungPerson.Status.ACTIVE)
        .order_by("pgh_id")
        .values_list("pgh_created_at", flat=True)
        .first()
    )
    return None if moment is None else timezone.localdate(moment)


# --- The summary written at closing -----------------------------------------------------------


def exit_plan_written(plan: ExitPlan | None) -> bool:
    """An exit plan with something written in one of its areas."""
    return plan is not None and any(
        getattr(plan, name).strip() for name, _in_place in ExitPlan.AREAS
    )


def _number(score: Decimal | None) -> str:
    return "" if score is None else format(score.normalize(), "f")


def _changes(
    young_person: YoungPerson, field: str, began_on: date, closed_on: date
) -> list[tuple[date, object]]:
    """The value of `field` at the start of the episode and each change to it since, with its
    day, from the record's history."""
    events = (
        YoungPerson.pgh_event_model.objects.filter(pgh_obj=young_person.pk)
        .order_by("pgh_id")
        .values_list("pgh_created_at", field)
    )
    changes: list[tuple[date, object]] = []
    for at, value in events:
        day = timezone.localdate(at)
        if day > closed_on:
            break
        if changes and changes[-1][1] == value:
            continue
        if day <= began_on:
            changes = [(began_on, value)]
        else:
            changes.append((day, value))
    if changes:  # the first value known is the one the episode began with
        changes[0] = (began_on, changes[0][1])
    return changes or [(began_on, getattr(young_person, f"{field}_id", None))]


def _goals(young_person: YoungPerson, began_on: date, closed_on: date) -> list[dict]:
    """The goals of the case plans in force during the episode, each as it stands in the latest
    approved version."""
    in_force = CasePlan.objects.filter(
        young_person=young_person,
        status__in=[CasePlan.Status.CURRENT, CasePlan.Status.SUPERSEDED],
        approved_at__lt=local_midnight(closed_on + timedelta(days=1)),
    ).filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=local_midnight(began_on)))
    latest = (
        Goal.objects.filter(plan__in=in_force)
        .order_by("lineage", "-plan__number")
        .distinct("lineage")
        .values("pk")
    )
    return [
        {
            "domain": goal.get_domain_display(),
            "goal": goal.in_own_words,
            "status": goal.get_status_display(),
            "achieved": goal.status == Goal.Status.ACHIEVED,
        }
        for goal in Goal.objects.filter(pk__in=latest).order_by("position", "pk")
    ]


def _exit_review(young_person: YoungPerson, began_on: date, closed_on: date) -> dict | None:
    """The latest outcome review at exit of the episode (not in error), with its scale scores."""
    review = (
        reviews_with_ratings(
            Review.objects.filter(
                young_person=young_person,
                occasion=Review.Occasion.EXIT,
                entered_in_error_at__isnull=True,
                reviewed_on__gte=began_on,
                reviewed_on__lte=closed_on,
            )
        )
        .order_by("-reviewed_on", "-recorded_at")
        .first()
    )
    if review is None:
        return None
    instrument = instrument_parts(Instrument.objects.filter(pk=review.instrument_id)).get()
    return {
        "reviewed_on": review.reviewed_on.isoformat(),
        "instrument": str(instrument),
        "engagement": review.get_engagement_display(),
        "scores": [
            {
                "scale": scored.scale.name,
                "score": _number(scored.score),
                "band": scored.band,
                "own_score": _number(scored.own_score),
            }
            for scored in scores_of(review, list(instrument.scales.all()))
        ],
    }


def _entries(entries: QuerySet, at: str, began_on: date, closed_on: date) -> QuerySet:
    """Entries of the episode (not in error), by their moment `at`."""
    return entries.filter(
        **{
            f"{at}__gte": local_midnight(began_on),
            f"{at}__lt": local_midnight(closed_on + timedelta(days=1)),
        },
        entered_in_error_at__isnull=True,
    )


def episode_summary(
    young_person: YoungPerson, *, began_on: date, closed_on: date, exit_plan: ExitPlan | None
) -> dict:
    """What the episode was, as the summary written at closing keeps it (Closure.summary): its
    dates and length, the teams and primary case managers, the intensity over time, the goals
    and their final status, the outcome review at exit, the contacts and crises (restricted ones
    counted, never quoted) and the exit plan as it stood. Read before the closing ends the
    allocations. Dates are ISO 8601; summary_shown reads them back."""
    teams = _changes(young_person, "team", began_on, closed_on)
    team_names = dict(Team.objects.filter(pk__in=[pk for _, pk in teams]).values_list("pk", "name"))
    intensities = _changes(young_person, "intensity", began_on, closed_on)
    intensity_names = dict(
        IntensityLevel.objects.filter(pk__in=[pk for _, pk in intensities]).values_list(
            "pk", "name"
        )
    )
    primary = (
        Allocation.objects.filter(
            young_person=young_person, role=Allocation.Role.PRIMARY, started_on__lte=closed_on
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=began_on))
        .select_related("worker")
        .order_by("started_on", "recorded_at")
    )
    restricted = ~Q(restricted_because="")
    contacts = _entries(
        Contact.objects.filter(young_person=young_person), "started_at", began_on, closed_on
    ).aggregate(
        total=Count("pk"),
        successful=Count("pk", filter=Q(reached_young_person=True)),
        after_hours=Count("pk", filter=Q(after_hours=True)),
        restricted=Count("pk", filter=restricted),
    )
    crises = _entries(
        CrisisEvent.objects.filter(young_person=young_person), "occurred_at", began_on, closed_on
    ).aggregate(
        total=Count("pk"),
        after_hours=Count("pk", filter=Q(after_hours=True)),
        restricted=Count("pk", filter=restricted),
    )
    goals = _goals(young_person, began_on, closed_on)
    return {
        "young_person": {
            "name": f"{young_person.given_name} {young_person.family_name}",
            "preferred_name": young_person.preferred_name,
            "date_of_birth": young_person.date_of_birth.isoformat(),
            "child_protection_number": young_person.child_protection_number,
        },
        "began_on": began_on.isoformat(),
        "closed_on": closed_on.isoformat(),
        "days": (closed_on - began_on).days,
        "teams": [
            {"from": day.isoformat(), "team": team_names.get(pk, "No team")} for day, pk in teams
        ],
        "case_managers": [
            {
                "worker": str(allocation.worker),
                "from": max(allocation.started_on, began_on).isoformat(),
                "to": min(allocation.ended_on or closed_on, closed_on).isoformat(),
            }
            for allocation in primary
        ],
        "intensity": [
            {"from": day.isoformat(), "intensity": intensity_names.get(pk, "Not set")}
            for day, pk in intensities
        ],
        "goals": goals,
        "goals_achieved": sum(goal["achieved"] for goal in goals),
        "exit_review": _exit_review(young_person, began_on, closed_on),
        "contacts": contacts,
        "crises": crises,
        "exit_plan": None
        if not exit_plan_written(exit_plan)
        else {
            "exit_on": exit_plan.exit_on.isoformat() if exit_plan.exit_on else "",
            "areas": [
                {"area": str(area), "arranged": arranged, "in_place": in_place}
                for area, arranged, in_place in exit_plan.areas
            ],
            "post_statutory_referrer": exit_plan.post_statutory_referrer,
        },
    }


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def summary_shown(summary: dict) -> dict:
    """The summary written at closing (Closure.summary) as the pages show it: its dates read
    back as dates, the exit plan's areas as ExitPlan.areas gives them."""
    shown = dict(summary)
    for key in ("began_on", "closed_on"):
        shown[key] = _day(summary.get(key, ""))
    shown["young_person"] = {
        **summary.get("young_person", {}),
        "date_of_birth": _day(summary.get("young_person", {}).get("date_of_birth", "")),
    }
    for key in ("teams", "case_managers", "intensity"):
        shown[key] = [
            {**row, "from": _day(row.get("from", "")), "to": _day(row.get("to", ""))}
            for row in summary.get(key, [])
        ]
    if review := summary.get("exit_review"):
        shown["exit_review"] = {**review, "reviewed_on": _day(review["reviewed_on"])}
    if plan := summary.get("exit_plan"):
        shown["exit_plan"] = {
            **plan,
            "exit_on": _day(plan.get("exit_on", "")),
            "areas": [(area["area"], area["arranged"], area["in_place"]) for area in plan["areas"]],
        }
    return shown


# --- After-care follow-ups --------------------------------------------------------------------


def latest_closure() -> Q:
    """The follow-up's closure is its young person's latest: a follow-up of an episode closed
    before another one is no longer due."""
    later = Closure.objects.filter(young_person=OuterRef("young_person")).filter(
        Q(closed_on__gt=OuterRef("closure__closed_on"))
        | Q(closed_on=OuterRef("closure__closed_on"), pk__gt=OuterRef("closure"))
    )
    return ~Exists(later)


def still_due(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Those not made whose young person is still closed, and this their latest closure: a
    file reopened (or closed again since) has no follow-ups of the episode before."""
    return follow_ups.filter(
        latest_closure(), made_on__isnull=True, young_person__status=YoungPerson.Status.CLOSED
    )


def follow_ups_due(follow_ups: QuerySet[FollowUp], today: date) -> QuerySet[FollowUp]:
    """Of `follow_ups` (visible to the user), those due this week or overdue, soonest first,
    with what the list shows."""
    return (
        still_due(follow_ups)
        .filter(due_on__lte=today + DUE_AHEAD)
        .select_related("young_person", "worker", "closure")
        .order_by("due_on", "pk")
    )


def follow_up_page(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """What a follow-up's page shows: the young person (with the page's header), the worker,
    the closure with every follow-up of it, and the key people who support the young person
    (their phone numbers)."""
    return follow_ups.select_related(
        "worker", "made_by", "closure__last_case_manager"
    ).prefetch_related(
        Prefetch(
            "young_person",
            queryset=with_page_header(YoungPerson.objects.all()).prefetch_related(
                Prefetch(
                    "key_people",
                    queryset=KeyPerson.objects.filter(active=True, is_support=True),
                    to_attr="supports",
                )
            ),
        ),
        Prefetch(
            "closure__follow_ups",
            queryset=FollowUp.objects.select_related("worker", "made_by").order_by("months"),
        ),
    )


def closure_page(closures: QuerySet[Closure]) -> QuerySet[Closure]:
    """What a closure's page (and its PDF) shows: the young person with the page's header, who
    closed it, the last case manager, and the follow-ups with who made them."""
    return closures.select_related("closed_by", "last_case_manager").prefetch_related(
        Prefetch("young_person", queryset=with_page_header(YoungPerson.objects.all())),
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.select_related("worker", "made_by").order_by("months"),
        ),
    )


def latest_closure_of(young_person: YoungPerson) -> Closure | None:
    return young_person.closures.order_by("-closed_on", "-pk").first()
