"""Reading outcome reviews: when the next is due, a young person's trend, placement moves, and
the agency's report of change."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from clients.models import ChildProtectionDecision, YoungPerson
from outcomes.models import DEFAULT_INTERVAL_WEEKS, Instrument, Item, Rating, Review, Scale
from referrals.models import CaseManagementAgreement
from toolkit.formats import show_date

# Reviews due within this many days are "due soon": on the caseload and in the reminders.
DUE_SOON = timedelta(days=7)
ICMS_INSTRUMENT = "ICMS risk and domain review"


# --- When the next review is due --------------------------------------------------------------


def with_outcome_review(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Annotate each young person with their next outcome review: `outcome_review_occasion`
    and `outcome_review_due_on` (None when none is due), and `outcome_review_overdue`.

    The episode starts on the day they were taken on (their latest case management
    agreement): the intake review is due that day; then a regular review the interval of their
    intensity (ReviewInterval) after the last; and once they are exiting, the exit review, due
    the day they began exiting. Reviews in error do not count."""
    today = timezone.localdate()
    episode_reviews = Review.objects.filter(
        young_person=OuterRef("pk"),
        entered_in_error_at__isnull=True,
        reviewed_on__gte=OuterRef("outcome_taken_on"),
    )
    events = YoungPerson.pgh_event_model.objects
    last_not_exiting = (
        events.filter(pgh_obj=OuterRef("pgh_obj"))
        .exclude(status=YoungPerson.Status.EXITING)
        .order_by("-pgh_id")
        .values("pgh_id")[:1]
    )
    exiting_since = (
        events.filter(
            pgh_obj=OuterRef("pk"),
            status=YoungPerson.Status.EXITING,
            pgh_id__gt=Coalesce(Subquery(last_not_exiting), 0),
        )
        .order_by("pgh_id")
        .annotate(day=TruncDate("pgh_created_at"))
        .values("day")[:1]
    )
    agreements = CaseManagementAgreement.objects.filter(young_person=OuterRef("pk"))
    young_people = young_people.annotate(
        outcome_taken_on=Subquery(agreements.order_by("-agreed_on").values("agreed_on")[:1])
    ).annotate(
        outcome_last_on=Subquery(
            episode_reviews.order_by().values("young_person").annotate(last=Max("reviewed_on"))
            .values("last")
        ),
        outcome_has_intake=Exists(episode_reviews.filter(occasion=Review.Occasion.INTAKE)),
        outcome_has_exit=Exists(episode_reviews.filter(occasion=Review.Occasion.EXIT)),
        outcome_weeks=Coalesce(
            F("intensity__outcome_review_interval__weeks"), DEFAULT_INTERVAL_WEEKS
        ),
    )  # fmt: skip
    not_due = ~Q(status__in=[YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]) | Q(
        outcome_taken_on__isnull=True
    )
    exiting = Q(status=YoungPerson.Status.EXITING, outcome_has_exit=False)
    young_people = young_people.annotate(
        outcome_review_occasion=Case(
            When(not_due, then=Value("")),
            When(outcome_has_intake=False, then=Value(Review.Occasion.INTAKE)),
            When(exiting, then=Value(Review.Occasion.EXIT)),
            When(outcome_has_exit=True, then=Value("")),
            default=Value(Review.Occasion.REGULAR),
        ),
        outcome_review_due_on=Case(
            When(not_due, then=None),
            When(outcome_has_intake=False, then=F("outcome_taken_on")),
            When(exiting, then=Coalesce(Subquery(exiting_since), Value(today))),
            When(outcome_has_exit=True, then=None),
            # date + integer is a date in PostgreSQL
            default=ExpressionWrapper(
                F("outcome_last_on") + F("outcome_weeks") * Value(7), output_field=DateField()
            ),
            output_field=DateField(),
        ),
    )
    return young_people.annotate(
        outcome_review_overdue=Case(
            When(outcome_review_due_on__lt=today, then=Value(True)), default=Value(False)
        )
    )


def outcome_reviews_due(until: date) -> QuerySet[YoungPerson]:
    """Open young people whose next outcome review is due by `until` (or overdue)."""
    return with_outcome_review(
        YoungPerson.objects.filter(
            status__in=[YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]
        )
    ).filter(outcome_review_due_on__lte=until)


# --- Instruments and reviews ------------------------------------------------------------------


def instrument_parts(instruments: QuerySet[Instrument]) -> QuerySet[Instrument]:
    """Instruments with their scales, each scale's points, bands and items (four queries)."""
    return instruments.prefetch_related(
        Prefetch(
            "scales",
            queryset=Scale.objects.prefetch_related("points", "bands", "items"),
        )
    )


def instruments_offered() -> QuerySet[Instrument]:
    return Instrument.objects.filter(active=True)


def default_instrument() -> Instrument | None:
    offered = instruments_offered()
    return offered.filter(name=ICMS_INSTRUMENT).order_by("-version").first() or offered.first()


@dataclass
class ScaleScore:
    scale: Scale
    score: Decimal | None
    band: str
    own_score: Decimal | None  # the young person's, when they rated every item of the scale


def scores_of(review: Review, scales: list[Scale]) -> list[ScaleScore]:
    """The review's score on each scale of its instrument (ratings prefetched)."""
    by_scale = defaultdict(list)
    for rating in review.ratings.all():
        by_scale[rating.item.scale_id].append(rating)
    scores = []
    for scale in scales:
        ratings = by_scale[scale.pk]
        score = scale.score([rating.value for rating in ratings])
        own = [rating.own_value for rating in ratings]
        own_score = scale.score(own) if own and None not in own else None
        scores.append(ScaleScore(scale, score, scale.band_of(score), own_score))
    return scores


def reviews_with_ratings(reviews: QuerySet[Review]) -> QuerySet[Review]:
    ratings = Prefetch("ratings", queryset=Rating.objects.select_related("item"))
    related = reviews.select_related("reviewed_by", "instrument", "entered_in_error_by")
    return related.prefetch_related(ratings)


@dataclass
class Trend:
    """One scale of one instrument over the young person's reviews, oldest first."""

    instrument: Instrument
    scale: Scale
    labels: list[str] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    own_scores: list[float | None] = field(default_factory=list)
    bands: list[str] = field(default_factory=list)


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def trends_of(reviews: list[Review], instruments: dict[int, Instrument]) -> list[Trend]:
    """Each scale's score over `reviews` (not in error, oldest first), per instrument."""
    trends: dict[tuple[int, int], Trend] = {}
    for review in reviews:
        instrument = instruments[review.instrument_id]
        for scored in scores_of(review, list(instrument.scales.all())):
            trend = trends.setdefault(
                (instrument.pk, scored.scale.pk), Trend(instrument, scored.scale)
            )
            occasion = review.get_occasion_display()
            trend.labels.append(f"{show_date(review.reviewed_on)} ({occasion})")
            trend.scores.append(_number(scored.score))
            trend.own_scores.append(_number(scored.own_score))
            trend.bands.append(scored.band)
    return list(trends.values())


def placement_moves(young_person: YoungPerson) -> QuerySet[ChildProtectionDecision]:
    """Child protection's changes of the young person's placement that were moves, newest first."""
    return young_person.child_protection_decisions.filter(
        subject=ChildProtectionDecision.Subject.PLACEMENT
    ).exclude(placement_reason=ChildProtectionDecision.PlacementReason.CORRECTION)


# --- The agency's report of change ------------------------------------------------------------


@dataclass
class Change:
    """One item's (or one scale's score's) change across young people: each pair is a young
    person's rating at intake and later."""

    label: str
    higher_is_better: bool
    pairs: list[tuple[Decimal, Decimal]] = field(default_factory=list)

    def row(self) -> list:
        if not self.pairs:
            return [self.label, 0, None, None, None, 0, 0, 0]
        count = len(self.pairs)
        before = sum(pair[0] for pair in self.pairs) / count
        after = sum(pair[1] for pair in self.pairs) / count
        better = sum(1 for a, b in self.pairs if (b > a) == self.higher_is_better and a != b)
        same = sum(1 for a, b in self.pairs if a == b)
        return [
            self.label,
            count,
            _round(before),
            _round(after),
            _round(after - before),
            better,
            same,
            count - better - same,
        ]


def _round(value: Decimal) -> float:
    return float(round(Decimal(value), 2))


@dataclass
class OutcomeFigures:
    to_latest: list[list]
    to_exit: list[list]
    reviewed: int  # young people with an intake review and a later one in the period
    exited: int  # of them, those with an exit review in the period
    moves: int
    moved: int  # young people who moved at least once
    moves_per_year: float | None
    engaged: dict[str, int]  # at intake, latest, at exit


def _episodes(rows: list[tuple], starts_on: date) -> dict[int, dict[str, tuple]]:
    """Per young person, from their reviews oldest first: the last intake review, and after it
    the latest review in the period and the exit review in the period."""
    episodes: dict[int, dict[str, tuple]] = {}
    for row in rows:
        _, young_person, occasion, reviewed_on, _ = row
        if occasion == Review.Occasion.INTAKE:
            episodes[young_person] = {"intake": row}
        elif young_person in episodes and reviewed_on >= starts_on:
            episodes[young_person]["latest"] = row
            if occasion == Review.Occasion.EXIT:
                episodes[young_person]["exit"] = row
    return {yp: parts for yp, parts in episodes.items() if "latest" in parts}


def outcome_figures(
    *,
    instrument: Instrument,
    starts_on: date,
    ends_on: date,
    team_id: int | None = None,
    division_id: int | None = None,
) -> OutcomeFigures:
    """The change in each item and scale from intake to the latest review of the period, and to
    the exit review of the period, over the young people (of the team or division) reviewed on
    `instrument` at intake and again in the period; their placement moves in the period; and
    how many were in education, training or employment at each. Counts, no names."""
    of_scope = Q()
    if team_id:
        of_scope &= Q(young_person__team=team_id)
    if division_id:
        of_scope &= Q(young_person__division=division_id)
    rows = list(
        Review.objects.filter(
            of_scope,
            instrument=instrument,
            entered_in_error_at__isnull=True,
            reviewed_on__lte=ends_on,
        )
        .order_by("young_person", "reviewed_on", "recorded_at", "pk")
        .values_list("pk", "young_person", "occasion", "reviewed_on", "engagement")
    )
    episodes = _episodes(rows, starts_on)
    wanted = {parts[key][0] for parts in episodes.values() for key in parts}
    values: dict[int, dict[int, int]] = defaultdict(dict)
    ratings = Rating.objects.filter(review__in=wanted).values_list("review", "item", "value")
    for review, item, value in ratings.iterator(chunk_size=20_000):
        values[review][item] = value
    items = list(Item.objects.filter(scale__instrument=instrument).select_related("scale"))
    scales = {item.scale_id: item.scale for item in items}
    items_of: dict[int, list[int]] = defaultdict(list)
    for item in items:
        items_of[item.scale_id].append(item.pk)

    def changes(later: str) -> list[list]:
        by_item = {item.pk: Change(item.label, item.scale.higher_is_better) for item in items}
        by_scale = {
            scale.pk: Change(f"{scale.name}: {scale.get_total_display().lower()}",
                             scale.higher_is_better)
            for scale in scales.values()
        }  # fmt: skip
        for parts in episodes.values():
            if later not in parts:
                continue
            before, after = values[parts["intake"][0]], values[parts[later][0]]
            for item, change in by_item.items():
                if item in before and item in after:
                    change.pairs.append((Decimal(before[item]), Decimal(after[item])))
            for scale_id, change in by_scale.items():
                rated = items_of[scale_id]
                if all(item in before and item in after for item in rated):
                    scale = scales[scale_id]
                    change.pairs.append(
                        (
                            scale.score([before[item] for item in rated]),
                            scale.score([after[item] for item in rated]),
                        )
                    )
        return [change.row() for change in [*by_scale.values(), *by_item.values()]]

    exited = [parts for parts in episodes.values() if "exit" in parts]
    moves = dict(
        ChildProtectionDecision.objects.filter(
            young_person__in=list(episodes),
            subject=ChildProtectionDecision.Subject.PLACEMENT,
            decided_on__gte=starts_on,
            decided_on__lte=ends_on,
        )
        .exclude(placement_reason=ChildProtectionDecision.PlacementReason.CORRECTION)
        .order_by()
        .values("young_person")
        .annotate(moves=Count("pk"))
        .values_list("young_person", "moves")
    )
    years = Decimal((ends_on - starts_on).days + 1) / Decimal("365.25")
    total_moves = sum(moves.values())
    return OutcomeFigures(
        to_latest=changes("latest"),
        to_exit=changes("exit"),
        reviewed=len(episodes),
        exited=len(exited),
        moves=total_moves,
        moved=len(moves),
        moves_per_year=_round(Decimal(total_moves) / len(episodes) / years) if episodes else None,
        engaged={
            "intake": sum(parts["intake"][4] in Review.ENGAGED for parts in episodes.values()),
            "latest": sum(parts["latest"][4] in Review.ENGAGED for parts in episodes.values()),
            "exit": sum(parts["exit"][4] in Review.ENGAGED for parts in exited),
        },
    )
