"""When outcome reviews are due: intake on the day the young person is taken on, then every few
weeks as their intensity sets, and the exit review once they are exiting; and the reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import YoungPerson
from clients.services import change_status
from notifications.models import Notification
from outcomes.models import Review, ReviewInterval
from outcomes.queries import with_outcome_review
from outcomes.services import mark_review_in_error
from outcomes.tasks import outcome_review_reminders
from tests.factories import AgreementFactory, IntensityLevelFactory, YoungPersonFactory
from tests.outcomes.conftest import DAY_0, review

pytestmark = pytest.mark.usefixtures("on_day_0")


def next_due(young_person) -> tuple[str, object, bool]:
    found = with_outcome_review(YoungPerson.objects.filter(pk=young_person.pk)).get()
    return (
        found.outcome_review_occasion,
        found.outcome_review_due_on,
        found.outcome_review_overdue,
    )


def test_the_intake_review_is_due_the_day_the_young_person_is_taken_on(own_young_person):
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0 - timedelta(days=3))

    assert next_due(own_young_person) == ("intake", DAY_0 - timedelta(days=3), True)


def test_nothing_is_due_before_the_young_person_is_taken_on(team):
    referred = YoungPersonFactory(team=team, status=YoungPerson.Status.REFERRED)

    assert next_due(referred) == ("", None, False)


def test_the_next_review_is_due_the_interval_of_their_intensity_after_the_last(
    team, case_manager, icms_review
):
    high = IntensityLevelFactory(name="High", caseload_weight=1.5)
    low = IntensityLevelFactory(name="Low", caseload_weight=0.5)
    ReviewInterval.objects.update_or_create(intensity=high, defaults={"weeks": 4})
    ReviewInterval.objects.update_or_create(intensity=low, defaults={"weeks": 12})
    taken_on = DAY_0 - timedelta(days=10)
    due = {}
    for intensity in (high, low):
        young_person = YoungPersonFactory(
            team=team, intensity=intensity, primary_case_manager=case_manager
        )
        AgreementFactory(young_person=young_person, agreed_on=taken_on)
        review(young_person, case_manager, icms_review, on=taken_on, occasion="intake")
        due[intensity.name] = next_due(young_person)

    assert due == {
        "High": ("regular", taken_on + timedelta(weeks=4), False),
        "Low": ("regular", taken_on + timedelta(weeks=12), False),
    }


def test_a_review_in_error_does_not_count(own_young_person, case_manager, icms_review):
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0)
    made = review(own_young_person, case_manager, icms_review, on=DAY_0, occasion="intake")
    mark_review_in_error(made, by=case_manager, reason="Wrong young person.")

    assert next_due(own_young_person) == ("intake", DAY_0, False)


def test_the_exit_review_is_due_once_the_young_person_is_exiting(
    own_young_person, case_manager, supervisor, icms_review
):
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0 - timedelta(days=60))
    review(
        own_young_person, case_manager, icms_review, on=DAY_0 - timedelta(days=60),
        occasion="intake",
    )  # fmt: skip
    change_status(own_young_person, to=YoungPerson.Status.EXITING, by=supervisor, reason="Ready.")
    # The day the record's history says they began exiting (the database's clock, not the test's).
    began = YoungPerson.pgh_event_model.objects.get(pgh_obj=own_young_person, status="exiting")

    assert next_due(own_young_person)[:2] == ("exit", timezone.localdate(began.pgh_created_at))

    review(own_young_person, case_manager, icms_review, on=DAY_0, occasion=Review.Occasion.EXIT)

    assert next_due(own_young_person) == ("", None, False)


def test_the_case_manager_is_reminded_once_a_day_of_a_review_due_within_a_week(
    own_young_person, other_young_person, case_manager, time_machine
):
    AgreementFactory(young_person=own_young_person, agreed_on=DAY_0 + timedelta(days=5))
    AgreementFactory(young_person=other_young_person, agreed_on=DAY_0 + timedelta(days=20))

    outcome_review_reminders()
    outcome_review_reminders()

    reminded = Notification.objects.values_list("recipient", "message")
    assert list(reminded) == [
        (case_manager.pk, "Jayden Own's intake outcome review is due by 6 Jun 2026.")
    ]
