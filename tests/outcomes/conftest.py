"""Reviews made as the form makes them: ICMS's own instrument (from its migration), each risk
area and each life domain rated."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from outcomes.models import Instrument, Review
from outcomes.queries import instrument_parts
from outcomes.services import Rated, record_review

DAY_0 = date(2026, 6, 1)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def on_day_0(time_machine):
    time_machine.move_to(at(DAY_0), tick=False)


@pytest.fixture
def icms_review(db) -> Instrument:
    return instrument_parts(Instrument.objects.filter(name="ICMS risk and domain review")).get()


@pytest.fixture
def case_manager_client(client, log_in, case_manager):
    log_in(case_manager)
    return client


@pytest.fixture
def supervisor_client(client, log_in, supervisor):
    log_in(supervisor)
    return client


def review(
    young_person,
    by,
    instrument: Instrument,
    *,
    on: date,
    occasion: str = Review.Occasion.REGULAR,
    ratings: dict[str, int] | None = None,
    engagement: str = Review.Engagement.NONE,
) -> Review:
    """A review rating every item of the scale named in `ratings` (by scale name, e.g.
    {"Risk": 2, "Life domains": 3}) or the item code; a reason for every rating."""
    ratings = ratings or {}
    rated = []
    for scale in instrument.scales.all():
        for item in scale.items.all():
            value = ratings.get(item.code, ratings.get(scale.name, scale.best_value))
            rated.append(Rated(item=item, value=value, reason="Seen this week."))
    return record_review(
        young_person,
        by=by,
        instrument=instrument,
        occasion=occasion,
        reviewed_on=on,
        engagement=engagement,
        ratings=rated,
    )
