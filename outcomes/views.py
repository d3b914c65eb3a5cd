"""Risk and outcome reviews: a young person's outcomes (the trend, the reviews, the placement
moves), recording a review, reading one, marking one in error; the agency's outcome report."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.exports import csv_download
from clients.models import YoungPerson
from clients.queries import with_page_header
from clients.rules import young_people_visible_to
from outcomes import services
from outcomes.forms import InErrorForm, InstrumentChoiceForm, ReviewForm
from outcomes.models import Instrument, Review
from outcomes.queries import (
    OutcomeFigures,
    default_instrument,
    instrument_parts,
    instruments_offered,
    outcome_figures,
    placement_moves,
    reviews_with_ratings,
    scores_of,
    trends_of,
    with_outcome_review,
)
from outcomes.rules import reviews_visible_to
from supervision.forms import ReportForm
from supervision.queries import Series
from supervision.reports import Table
from toolkit.access import find_or_404, require_permission
from toolkit.forms import add_service_error, submitted


def _young_person_or_404(request: HttpRequest, pk: int) -> YoungPerson:
    visible = with_outcome_review(with_page_header(young_people_visible_to(request.user)))
    return find_or_404(request, visible, pk=pk)


@require_GET
def young_person_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's reviews over time (each scale's score as a chart, with its table),
    the next review due, and their placement moves."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "outcomes.view_outcomes", young_person)
    reviews = list(
        reviews_with_ratings(reviews_visible_to(request.user).filter(young_person=young_person))
        .order_by("reviewed_on", "recorded_at")
    )  # fmt: skip
    instruments = {
        instrument.pk: instrument
        for instrument in instrument_parts(
            Instrument.objects.filter(pk__in={review.instrument_id for review in reviews})
        )
    }
    trends = trends_of([r for r in reviews if r.entered_in_error_at is None], instruments)
    charts = [
        Series(
            name=f"trend-{trend.instrument.pk}-{trend.scale.pk}",
            title=f"{trend.scale.name} ({trend.scale.get_total_display().lower()})",
            labels=trend.labels,
            labelled="Review",
            lines={"Case manager's rating": trend.scores, "Their own rating": trend.own_scores},
            note=f"{trend.instrument}. "
            + ("Higher is better." if trend.scale.higher_is_better else "Lower is better."),
            kind="line",
        )
        for trend in trends
    ]
    moves = list(placement_moves(young_person).select_related("recorded_by"))
    year_ago = timezone.localdate() - timedelta(days=365)
    return render(
        request,
        "outcomes/young_person_outcomes.html",
        {
            "young_person": young_person,
            "reviews": reviews[::-1],
            "charts": charts,
            "moves": moves,
            "moves_this_year": sum(move.decided_on > year_ago for move in moves),
            "can_add": request.user.has_perm("outcomes.add_review", young_person),
        },
    )


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a review: the instrument (ICMS's own unless another is chosen), then every item."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "outcomes.add_review", young_person)
    default = default_instrument()
    choice = InstrumentChoiceForm(
        request.GET if "instrument" in request.GET else None,
        instruments=instruments_offered(),
        initial={"instrument": default},
    )
    chosen = choice.cleaned_data["instrument"] if choice.is_valid() else default
    if chosen is None:
        raise Http404("No instrument is offered: the administrator adds one.")
    instrument = instrument_parts(Instrument.objects.filter(pk=chosen.pk)).get()
    form = ReviewForm(
        submitted(request),
        instrument=instrument,
        initial={"occasion": young_person.outcome_review_occasion or Review.Occasion.REGULAR},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.record_review(young_person, by=request.user, **form.fields_to_save())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{review} recorded.")
            return redirect(review)
    return render(
        request,
        "outcomes/review_form.html",
        {"young_person": young_person, "form": form, "choice": choice, "instrument": instrument},
        status=400 if form.errors else 200,
    )


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = find_or_404(request, reviews_with_ratings(reviews_visible_to(request.user)), pk=pk)
    # The review's young person, seen with it: the read recorded is of the review.
    young_person = with_page_header(young_people_visible_to(request.user)).get(
        pk=review.young_person_id
    )
    instrument = instrument_parts(Instrument.objects.filter(pk=review.instrument_id)).get()
    return render(
        request,
        "outcomes/review_detail.html",
        {
            "review": review,
            "young_person": young_person,
            "scores": scores_of(review, list(instrument.scales.all())),
            "can_mark_in_error": request.user.has_perm("outcomes.mark_review_in_error", review),
            "error_form": InErrorForm(),
        },
    )


@require_POST
def review_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    review = find_or_404(request, reviews_visible_to(request.user), pk=pk)
    require_permission(request, "outcomes.mark_review_in_error", review)
    form = InErrorForm(request.POST)
    if form.is_valid():
        services.mark_review_in_error(review, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "The review is marked as entered in error. It is kept.")
    else:
        messages.error(request, "Say why this review is in error.")
    return redirect(review)


# --- The agency's outcome report --------------------------------------------------------------

# The report's tables, each downloadable as CSV.
OUTCOME_TABLES = ("to-latest", "to-exit", "placement", "engagement")
CHANGE_HEADER = [
    "Risk area, domain or score",
    "Young people",
    "Mean at intake",
    "Mean {later}",
    "Change",
    "Improved",
    "Same",
    "Worse",
]

PLACEMENT_HEADER = [
    "Counted",
    "Young people",
    "Placement moves",
    "Moves per young person per year",
    "Young people who moved",
]


def _report_tables(figures: OutcomeFigures) -> list[Table]:
    share = {
        key: round(100 * figures.engaged[key] / count) if count else None
        for key, count in [
            ("intake", figures.reviewed),
            ("latest", figures.reviewed),
            ("exit", figures.exited),
        ]
    }
    return [
        Table(
            name="to-latest",
            title="Change from intake to the latest review",
            header=[heading.format(later="latest") for heading in CHANGE_HEADER],
            rows=figures.to_latest,
            note="Young people reviewed at intake and again in the period; their intake "
            "rating against their latest in the period. Improved means less risk, or a "
            "domain going better.",
        ),
        Table(
            name="to-exit",
            title="Change from intake to exit",
            header=[heading.format(later="at exit") for heading in CHANGE_HEADER],
            rows=figures.to_exit,
            note="Young people whose exit review falls in the period.",
        ),
        Table(
            name="placement",
            title="Placement stability",
            header=PLACEMENT_HEADER,
            rows=[
                [
                    "Reviewed in the period",
                    figures.reviewed,
                    figures.moves,
                    figures.moves_per_year,
                    figures.moved,
                ]
            ],
            note="Child protection's placement changes dated in the period, corrections left "
            "out, of the young people reviewed in the period.",
        ),
        Table(
            name="engagement",
            title="Education, training or employment",
            header=["When", "Young people", "Engaged", "Share (%)"],
            rows=[
                ["At intake", figures.reviewed, figures.engaged["intake"], share["intake"]],
                ["Latest review", figures.reviewed, figures.engaged["latest"], share["latest"]],
                ["At exit", figures.exited, figures.engaged["exit"], share["exit"]],
            ],
            note="At school, in training or employed, as each review recorded it.",
        ),
    ]


def _report(request: HttpRequest) -> tuple[ReportForm, InstrumentChoiceForm, list[Table]]:
    form = ReportForm(request.GET)
    instruments = Instrument.objects.all()
    default = default_instrument()
    choice = InstrumentChoiceForm(
        request.GET if "instrument" in request.GET else {"instrument": default and default.pk},
        instruments=instruments,
    )
    if not (form.is_valid() and choice.is_valid()):
        return form, choice, []
    scope = form.scope()
    figures = outcome_figures(
        instrument=choice.cleaned_data["instrument"],
        starts_on=scope.starts_on,
        ends_on=scope.ends_on,
        team_id=scope.team_id,
        division_id=scope.division_id,
    )
    return form, choice, _report_tables(figures)


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The agency's outcome report: change by risk area and domain, placement moves, education,
    training or employment; for a period, the agency, a division or a team. Counts, no names."""
    require_permission(request, "outcomes.view_report")
    form, choice, tables = _report(request)
    valid = not (form.errors or choice.errors)
    query = request.GET.copy()
    if "instrument" not in query and choice.is_valid():
        query["instrument"] = choice.cleaned_data["instrument"].pk
    return render(
        request,
        "outcomes/report.html",
        {"form": form, "choice": choice, "tables": tables, "query": query.urlencode()},
        status=200 if valid else 400,
    )


@require_GET
def report_export(request: HttpRequest, table: str) -> HttpResponse:
    require_permission(request, "outcomes.view_report")
    if table not in OUTCOME_TABLES:
        raise Http404
    form, choice, tables = _report(request)
    if form.errors or choice.errors:
        return report(request)
    shown = next(each for each in tables if each.name == table)
    return csv_download(
        request,
        name=f"outcomes-{table}",
        header=shown.header,
        rows=iter(shown.rows),
        detail={"rows": len(shown.rows)},
    )
