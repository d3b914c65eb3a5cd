"""Recording a review on the form, the young person's outcomes page (the trend's table is the
chart's data), and an instrument an agency adds working end to end."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from outcomes.models import Instrument, Rating, Review, Scale
from outcomes.queries import instrument_parts
from tests.factories import AgreementFactory
from tests.outcomes.conftest import DAY_0, review

pytestmark = pytest.mark.usefixtures("on_day_0")


def filled(instrument: Instrument, **overrides: object) -> dict:
    """The form as a case manager sends it: every item at its scale's best point."""
    data = {
        "client_reference": "6f1c1f44-9d1c-4c0e-9a37-1f5b3f9f3d10",
        "occasion": "intake",
        "reviewed_on": DAY_0.isoformat(),
        "engagement": "school",
        "young_person_view": "Things are better at home.",
    }
    for scale in instrument.scales.all():
        for item in scale.items.all():
            data[f"item-{item.pk}-value"] = str(scale.best_value)
            data[f"item-{item.pk}-own_value"] = ""
    data.update(overrides)
    return data


def item(instrument: Instrument, code: str):
    return next(i for s in instrument.scales.all() for i in s.items.all() if i.code == code)


def test_a_review_is_recorded_with_every_rating_and_the_young_persons_view(
    case_manager_client, own_young_person, icms_review
):
    offending = item(icms_review, "offending")
    url = reverse("outcomes:review-create", args=[own_young_person.pk])
    data = filled(icms_review, **{
        f"item-{offending.pk}-value": "3",
        f"item-{offending.pk}-reason": "Charged twice this month.",
        f"item-{offending.pk}-own_value": "1",
        f"item-{offending.pk}-own_words": "It was my mates, not me.",
    })  # fmt: skip

    response = case_manager_client.post(url, data)
    case_manager_client.post(url, data)  # sent twice: one review

    made = Review.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("outcomes:review", args=[made.pk])
    assert made.ratings.count() == 18
    assert made.ratings.filter(item=offending).values_list(
        "value", "reason", "own_value", "own_words"
    ).get() == (3, "Charged twice this month.", 1, "It was my mates, not me.")
    page = case_manager_client.get(response.url).content.decode()
    assert "Charged twice this month." in page
    assert "It was my mates, not me." in page


def test_a_rating_above_none_without_a_reason_is_refused_and_nothing_is_saved(
    case_manager_client, own_young_person, icms_review
):
    offending, housing = item(icms_review, "offending"), item(icms_review, "housing")
    data = filled(icms_review, **{f"item-{offending.pk}-value": "2"})
    del data[f"item-{housing.pk}-value"]

    response = case_manager_client.post(
        reverse("outcomes:review-create", args=[own_young_person.pk]), data
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Rate housing." in page
    data[f"item-{housing.pk}-value"] = "5"
    response = case_manager_client.post(
        reverse("outcomes:review-create", args=[own_young_person.pk]), data
    )
    assert response.status_code == 400
    assert "Say why, in a few words." in response.content.decode()
    assert not Review.objects.exists()
    assert not Rating.objects.exists()


def test_a_rating_off_the_scale_or_a_date_ahead_is_refused(
    case_manager_client, own_young_person, icms_review
):
    offending = item(icms_review, "offending")
    data = filled(icms_review, **{
        f"item-{offending.pk}-value": "9",
        "reviewed_on": (DAY_0 + timedelta(days=3)).isoformat(),
    })  # fmt: skip

    response = case_manager_client.post(
        reverse("outcomes:review-create", args=[own_young_person.pk]), data
    )

    assert response.status_code == 400
    assert not Review.objects.exists()


def test_the_trend_table_holds_the_charts_figures(
    case_manager_client, own_young_person, case_manager, icms_review
):
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0 - timedelta(days=56))
    review(
        own_young_person,
        case_manager,
        icms_review,
        on=DAY_0 - timedelta(days=56),
        occasion="intake",
        ratings={"Risk": 3, "Life domains": 2},
    )
    review(own_young_person, case_manager, icms_review, on=DAY_0 - timedelta(days=28),
           ratings={"Risk": 2, "Life domains": 3, "offending": 0})  # fmt: skip

    page = case_manager_client.get(reverse("outcomes:young-person", args=[own_young_person.pk]))

    charts = {chart.name: chart for chart in page.context["charts"]}
    risk = charts[f"trend-{icms_review.pk}-{icms_review.scales.all()[0].pk}"]
    # Risk: six areas at 3 = 18; then five at 2 and offending at 0 = 10. Domains: a mean of 2, 3.
    assert risk.lines["Case manager's rating"] == [18, 10]
    assert risk.table_rows == [
        ["6 Apr 2026 (Intake)", 18, None],
        ["4 May 2026 (Regular review)", 10, None],
    ]
    html = page.content.decode()
    for chart in charts.values():
        shown = json.loads(
            html.split(f'id="{chart.name}" type="application/json">')[1].split("<")[0]
        )
        rows = [[label, *figures] for label, figures in zip(
            shown["labels"], zip(*shown["lines"].values(), strict=True), strict=True
        )]  # fmt: skip
        assert rows == chart.table_rows
        for row in chart.table_rows:
            assert f'<th scope="row" class="fw-normal">{row[0]}</th>' in html
    assert [row[1] for row in charts[f"trend-{icms_review.pk}-"
            f"{icms_review.scales.all()[1].pk}"].table_rows] == [2, 3]  # fmt: skip
    # Medium intensity: every 8 weeks (the interval ICMS starts with) after 4 May.
    assert "The regular review is due 29 Jun 2026" in html


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_outcomes_page_runs_the_same_queries_whatever_the_reviews(
    case_manager_client, own_young_person, case_manager, icms_review, item_count,
    django_assert_num_queries,
):  # fmt: skip
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0 - timedelta(days=90))
    for n in range(item_count):
        review(own_young_person, case_manager, icms_review, on=DAY_0 - timedelta(days=n),
               occasion="intake" if n == 0 else "regular")  # fmt: skip

    # user, OTP device, groups; the young person (with the schedule) and their alerts; may see
    # them (to view); the reviews, their ratings; the instruments, scales, points, bands, items;
    # the placement moves; may see them (to add a review); unread notifications; the read in the
    # audit trail (savepoint, insert, release)
    with django_assert_num_queries(19):
        case_manager_client.get(reverse("outcomes:young-person", args=[own_young_person.pk]))


def test_an_instrument_the_agency_adds_works_end_to_end(
    case_manager_client, supervisor_client, own_young_person, icms_review
):
    added = Instrument.objects.create(name="Wellbeing check", version="2", licence_note="Ours.")
    scale = Scale.objects.create(
        instrument=added, name="Wellbeing", kind="other", higher_is_better=True, total="sum"
    )
    for value, label in [(0, "Not at all"), (1, "Sometimes"), (2, "Mostly")]:
        scale.points.create(value=value, label=label)
    scale.bands.create(lowest=0, highest=2, label="Low")
    scale.bands.create(lowest=3, highest=4, label="Good")
    sleep = scale.items.create(code="sleep", label="Sleeps well", order=0)
    scale.items.create(code="eats", label="Eats well", order=1)
    added = instrument_parts(Instrument.objects.filter(pk=added.pk)).get()
    url = reverse("outcomes:review-create", args=[own_young_person.pk])

    form = case_manager_client.get(url, {"instrument": added.pk})
    response = case_manager_client.post(
        f"{url}?instrument={added.pk}",
        filled(added, **{f"item-{sleep.pk}-value": "1", f"item-{sleep.pk}-reason": "Up late."}),
    )

    assert "Sleeps well" in form.content.decode()
    made = Review.objects.get()
    assert made.instrument == added
    page = case_manager_client.get(response.url).content.decode()
    assert "Wellbeing</strong> (sum of the ratings): 3 · Good" in page
    outcomes = case_manager_client.get(reverse("outcomes:young-person", args=[own_young_person.pk]))
    assert [chart.table_rows for chart in outcomes.context["charts"]] == [
        [["1 Jun 2026 (Intake)", 3, None]]
    ]
    report = supervisor_client.get(reverse("outcomes:report"), {"instrument": added.pk,
        "starts_on": "2026-01-01", "ends_on": "2026-06-30"})  # fmt: skip
    assert report.status_code == 200
