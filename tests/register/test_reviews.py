"""The fortnightly register review: made once by the daily job however often it runs, the next
one due fourteen days after the last."""

import threading
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from register import services
from register.models import RegisterReview
from register.tasks import register_reviews

pytestmark = pytest.mark.django_db

DAY_0 = date(2026, 11, 2)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=7))


@pytest.fixture
def listed(own_young_person, register_coordinator, time_machine):
    time_machine.move_to(at(DAY_0), tick=False)
    return services.list_young_person(
        own_young_person, by=register_coordinator, listed_on=DAY_0, risk_factors=["absconding"]
    )


def test_a_listing_on_day_0_gets_one_review_due_on_day_14_however_often_the_job_runs(listed):
    for _ in range(3):
        register_reviews()

    assert list(listed.reviews.values_list("due_on", flat=True)) == [DAY_0 + timedelta(14)]


@pytest.mark.django_db(transaction=True)
def test_two_jobs_running_at_once_make_one_review(listed):
    listed.reviews.all().delete()
    start = threading.Barrier(2)
    errors = []

    def run() -> None:
        try:
            start.wait()
            services.schedule_reviews()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert listed.reviews.count() == 1


def test_completing_a_review_makes_the_next_due_14_days_after_it(
    listed, register_coordinator, time_machine
):
    review = listed.reviews.get()
    time_machine.move_to(at(DAY_0 + timedelta(16)), tick=False)

    services.record_review(
        review,
        by=register_coordinator,
        reviewed_on=DAY_0 + timedelta(16),
        outcome="remain",
        participants=["child_protection", "icms"],
    )
    register_reviews()

    assert list(listed.reviews.order_by("due_on").values_list("due_on", flat=True)) == [
        DAY_0 + timedelta(14),
        DAY_0 + timedelta(30),
    ]


def test_the_interval_is_the_divisions(own_young_person, register_coordinator, north):
    north.register_review_days = 7
    north.save()

    entry = services.list_young_person(
        own_young_person, by=register_coordinator, listed_on=DAY_0, risk_factors=[]
    )

    assert entry.reviews.get().due_on == DAY_0 + timedelta(7)


def test_a_review_due_today_reminds_the_coordinator_and_case_manager_once_a_day(
    listed, register_coordinator, case_manager, time_machine
):
    time_machine.move_to(at(DAY_0 + timedelta(14)), tick=False)

    register_reviews()
    register_reviews()

    reminders = Notification.objects.filter(key__startswith="register-review-")
    assert sorted(reminders.values_list("recipient__username", flat=True)) == [
        "case_manager",
        "coordinator",
    ]
    assert "Jayden Own's register review is due today." in reminders.first().message
    time_machine.move_to(at(DAY_0 + timedelta(15)), tick=False)
    register_reviews()
    assert reminders.count() == 4
    assert "is overdue" in reminders.order_by("-id").first().message


def test_reminders_are_e_mailed_as_one_digest_naming_no_young_person(
    listed, case_manager, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(DAY_0 + timedelta(14)), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        register_reviews()

    to_case_manager = [message for message in mail.outbox if case_manager.email in message.to]
    assert len(to_case_manager) == 1
    assert "Jayden" not in to_case_manager[0].body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reviewed_on": DAY_0 - timedelta(1)}, "before the listing"),
        ({"outcome": "remove"}, "Say why the young person comes off the register."),
        ({"outcome": ""}, "Choose the outcome"),
    ],
)
def test_a_review_that_cannot_stand_is_refused(listed, register_coordinator, change, message):
    fields = {"reviewed_on": DAY_0, "outcome": "remain", "participants": []} | change

    with pytest.raises(ValidationError, match=message):
        services.record_review(listed.reviews.get(), by=register_coordinator, **fields)

    assert RegisterReview.objects.filter(reviewed_on__isnull=False).count() == 0


def test_a_second_active_entry_for_the_same_young_person_is_refused(
    listed, own_young_person, register_coordinator
):
    with pytest.raises(ValidationError, match="is already on the North register"):
        services.list_young_person(
            own_young_person, by=register_coordinator, listed_on=DAY_0, risk_factors=[]
        )


def test_removal_closes_the_entry_and_no_review_falls_due(listed, register_coordinator):
    services.record_review(
        listed.reviews.get(),
        by=register_coordinator,
        reviewed_on=DAY_0,
        outcome="remove",
        participants=["child_protection"],
        removal_reason="Settled in kinship care; no absconding for three months.",
    )
    register_reviews()

    listed.refresh_from_db()
    assert listed.status == "removed"
    assert listed.removed_on == DAY_0
    assert listed.reviews.filter(reviewed_on__isnull=True).count() == 0


def test_a_review_held_early_still_has_a_next_one(listed, register_coordinator):
    services.record_review(
        listed.reviews.get(),
        by=register_coordinator,
        reviewed_on=DAY_0,  # the listing day, two weeks early
        outcome="remain",
        participants=[],
    )

    assert listed.reviews.get(reviewed_on__isnull=True).due_on == DAY_0 + timedelta(14)
