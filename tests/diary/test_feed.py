"""The private calendar link: made and stopped (audited), the feed it gives, which names no
young person, and 404 once stopped."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from audit.models import AuditAction, AuditEvent
from diary import services
from diary.models import FeedLink
from tests.factories import AppointmentFactory, KeyPersonFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, 9, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)


def feed_of(client, token: str):
    return client.get(reverse("diary:feed", args=[token]))


def events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_feed_holds_the_workers_appointments_at_local_times_naming_nobody(
    client, monday, case_manager, own_young_person, other_young_person
):
    KeyPersonFactory(young_person=own_young_person, name="Nanna Ravensworth")
    four_pm = MONDAY.replace(hour=16) + timedelta(days=1)
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="GP with Jayden about his asthma",
        kind="health",
        starts_at=four_pm,
        duration_minutes=30,
        place="Northside Medical Centre",
        show_place_in_feed=True,
        note="Jayden Own is worried about the needle.",
    )
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        place="14 Elm Rd, Preston",
        starts_at=four_pm + timedelta(days=1),
    )
    AppointmentFactory(young_person=other_young_person)  # someone else's appointment
    token = services.make_feed_link(worker=case_manager)

    response = feed_of(client, token)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    first, second = events(response)
    assert str(first["summary"]) == "Health: JO"
    assert first.decoded("dtstart") == four_pm
    assert first["dtstart"].params["TZID"] == "Australia/Melbourne"
    assert first.decoded("dtstart").strftime("%H:%M") == "16:00"
    assert first.decoded("dtend") == four_pm + timedelta(minutes=30)
    assert str(first["location"]) == "Northside Medical Centre"
    assert "location" not in second  # the place not ticked for the phone
    assert b"BEGIN:VTIMEZONE" in response.content
    for name in (b"Jayden", b"Own", b"Zara", b"Other", b"Ravensworth", b"Elm Rd", b"needle"):
        assert name not in response.content


def test_a_stopped_link_answers_404_and_both_are_audited(client, log_in, monday, case_manager):
    log_in(case_manager)
    made = client.post(reverse("diary:feed-settings"))
    url = made.context["feed_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")

    before = client.get(url)
    client.post(reverse("diary:feed-revoke"))
    after = client.get(url)

    assert "The calendar leaves the secure system" in made.text
    assert (before.status_code, after.status_code) == (200, 404)
    assert FeedLink.objects.get().token_hash != token  # only its hash is kept
    actions = list(
        AuditEvent.objects.filter(object_type="diary.feedlink", actor=case_manager)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.CHANGE]


def test_a_new_link_stops_the_old_one(client, case_manager):
    old = services.make_feed_link(worker=case_manager)
    new = services.make_feed_link(worker=case_manager)

    assert feed_of(client, old).status_code == 404
    assert feed_of(client, new).status_code == 200


def test_an_unknown_token_answers_404(client):
    assert feed_of(client, "not-a-token").status_code == 404


def test_the_link_is_shown_once(client, log_in, case_manager):
    log_in(case_manager)
    made = client.post(reverse("diary:feed-settings"))

    again = client.get(reverse("diary:feed-settings"))

    assert made.context["feed_url"] in made.text
    assert made.context["feed_url"] not in again.text
    assert "You have a calendar link" in again.text


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_feed_query_count_is_constant(
    client, case_manager, own_young_person, django_assert_num_queries, item_count
):
    for n in range(item_count):
        AppointmentFactory(
            young_person=own_young_person,
            booked_by=case_manager,
            starts_at=timezone.now() + timedelta(days=n + 1),
        )
    token = services.make_feed_link(worker=case_manager)

    # the link and its worker, the worker's groups, the appointments and their young people
    with django_assert_num_queries(3):
        feed_of(client, token)
