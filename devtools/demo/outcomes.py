"""The demo's risk and outcome reviews (ICMS's own instrument) and placement moves, in ICMS
North. tests/outcomes/test_report.py counts the outcome report from these rows by hand: change
them together.

- Jay: intake (risk 3 everywhere, domains 2, not engaged); 30 days ago (risk 2, offending
  still 3, domains 3, in training). Two placement moves: a breakdown, then a planned move.
- Mia: intake (risk 1, domains 3, at school); 20 days ago (substance use up to 2, at school).
  One placement change that corrected the record: not a move.
- Chloe, exiting: intake (risk 2, domains 2, not engaged); exit 5 days ago (risk 0, domains 4,
  employed).
- Liam: intake only, 10 days ago (risk 4, domains 1): not yet in the report of change.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from clients.models import ChildProtectionDecision, YoungPerson
from outcomes.models import Instrument
from outcomes.queries import ICMS_INSTRUMENT, instrument_parts
from outcomes.services import Rated, record_review

Placement = YoungPerson.Placement
Reason = ChildProtectionDecision.PlacementReason

REVIEWS = {
    # family name: [(days after intake or None for days ago, occasion, ratings, engagement)]
    "Smith": [
        (0, "intake", {"Risk": 3, "Life domains": 2}, "none"),
        (-30, "regular", {"Risk": 2, "offending": 3, "Life domains": 3}, "training"),
    ],
    "Thompson": [
        (0, "intake", {"Risk": 1, "Life domains": 3}, "school"),
        (-20, "regular", {"Risk": 1, "substance_use": 2, "Life domains": 3}, "school"),
    ],
    "Wilson": [
        (0, "intake", {"Risk": 2, "Life domains": 2}, "none"),
        (-5, "exit", {"Risk": 0, "Life domains": 4}, "employed"),
    ],
    "Brown": [(-10, "intake", {"Risk": 4, "Life domains": 1}, "none")],
}
MOVES = {
    # family name: [(days ago, placement now, reason, in words)]
    "Smith": [
        (60, Placement.HOME_BASED, Placement.RESIDENTIAL, Reason.BREAKDOWN,
         "Foster carers could not keep him safe at night."),
        (15, Placement.RESIDENTIAL, Placement.KINSHIP, Reason.PLANNED,
         "To his aunt's, as planned at the care team meeting."),
    ],
    "Thompson": [
        (25, Placement.KINSHIP, Placement.KINSHIP, Reason.CORRECTION,
         "The carer's name was spelt wrongly."),
    ],
}  # fmt: skip


def seed_demo_outcomes() -> int:
    """Record the demo reviews and placement changes; return how many reviews were recorded."""
    today = timezone.localdate()
    instrument = instrument_parts(Instrument.objects.filter(name=ICMS_INSTRUMENT)).get()
    made = 0
    for family_name, reviews in REVIEWS.items():
        young_person = YoungPerson.objects.get(family_name=family_name, team__name="ICMS North")
        case_manager = young_person.primary_case_manager
        taken_on = young_person.agreements.order_by("-agreed_on").first().agreed_on
        for when, occasion, ratings, engagement in reviews:
            record_review(
                young_person,
                by=case_manager,
                instrument=instrument,
                occasion=occasion,
                reviewed_on=taken_on if when == 0 else today + timedelta(days=when),
                engagement=engagement,
                young_person_view="Better than it was." if when else "I don't need this.",
                ratings=_rated(instrument, ratings),
            )
            made += 1
    practitioner = User.objects.get(username="cp.demo")
    for family_name, moves in MOVES.items():
        young_person = YoungPerson.objects.get(family_name=family_name, team__name="ICMS North")
        for days, before, after, reason, words in moves:
            ChildProtectionDecision.objects.create(
                young_person=young_person,
                subject=ChildProtectionDecision.Subject.PLACEMENT,
                before=before.label,
                after=after.label,
                placement=after,
                placement_reason=reason,
                placement_reason_details=words,
                decided_on=today - timedelta(days=days),
                recorded_by=practitioner,
            )
    return made


def _rated(instrument: Instrument, ratings: dict[str, int]) -> list[Rated]:
    """Every item rated: by its code, else by its scale's name; a reason where one is needed."""
    rated = []
    for scale in instrument.scales.all():
        for item in scale.items.all():
            value = ratings.get(item.code, ratings[scale.name])
            reason = "" if value == scale.best_value else f"{item.label}: as discussed with them."
            rated.append(Rated(item=item, value=value, reason=reason))
    return rated
