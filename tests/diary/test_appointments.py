"""Booking, repeating, changing and cancelling appointments; their outcomes as contacts or
attempts; the diary pages and what they cost."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from clients.models import Contact
from diary import services
from diary.models import Appointment
from tests.factories import (
    AppointmentFactory,
    CaseManagerFactory,
    CoverFactory,
    KeyPersonFactory,
    VisitPlanFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

TUESDAY_NOON = datetime(2026, 11, 3, 12, tzinfo=timezone.get_default_timezone())


def local(moment: datetime) -> str:
    """A moment as the browser's date-and-time picker sends it."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


@pytest.fixture
def at_noon(time_machine):
    time_machine.move_to(TUESDAY_NOON, tick=False)


@pytest.fixture
def worker_client(client, log_in, case_manager, at_noon):
    log_in(case_manager)
    return client


def booking(case_manager, **fields) -> dict:
    return {
        "what": "GP appointment",
        "kind": "health",
        "starts_at": local(TUESDAY_NOON + timedelta(hours=2)),
        "duration_minutes": "45",
        "place": "Northside Medical Centre",
        "workers": [case_manager.pk],
        **fields,
    }


def test_a_weekly_appointment_is_booked_as_a_row_a_week_until_the_date(
    worker_client, case_manager, own_young_person
):
    url = reverse("diary:create", args=[own_young_person.pk])

    response = worker_client.post(
        url, booking(case_manager, repeat="weekly", repeat_until="2026-11-24")
    )

    appointments = list(Appointment.objects.order_by("starts_at"))
    assert response.status_code == 302
    assert [timezone.localtime(a.starts_at).date() for a in appointments] == [
        date(2026, 11, 3),
        date(2026, 11, 10),
        date(2026, 11, 17),
        date(2026, 11, 24),
    ]
    assert len({a.series for a in appointments}) == 1
    assert [list(a.workers.all()) for a in appointments] == [[case_manager]] * 4
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="diary.appointment"
        ).count()
        == 4
    )


def test_a_weekly_repeat_keeps_its_time_when_the_clocks_change(case_manager, own_young_person):
    # Daylight saving begins in Melbourne on Sunday 4 October 2026.
    four_pm = datetime(2026, 9, 29, 16, tzinfo=timezone.get_default_timezone())

    made = services.book_appointment(
        own_young_person,
        by=case_manager,
        starts_at=four_pm,
        what="Home visit",
        repeat="weekly",
        repeat_until=date(2026, 10, 6),
    )

    assert [timezone.localtime(a.starts_at).hour for a in made] == [16, 16]


def test_a_repeat_of_more_than_26_is_refused_saying_so(
    worker_client, case_manager, own_young_person
):
    url = reverse("diary:create", args=[own_young_person.pk])

    response = worker_client.post(
        url, booking(case_manager, repeat="weekly", repeat_until="2027-11-03")
    )

    assert response.status_code == 200
    assert "a repeat makes at most 26" in response.text
    assert not Appointment.objects.exists()


def test_a_repeat_without_an_end_date_is_refused(worker_client, case_manager, own_young_person):
    response = worker_client.post(
        reverse("diary:create", args=[own_young_person.pk]), booking(case_manager, repeat="weekly")
    )

    assert "Say until when it repeats." in response.text
    assert not Appointment.objects.exists()


def test_a_clash_is_a_warning_the_worker_can_book_past(
    worker_client, case_manager, own_young_person, care_team_young_person
):
    AppointmentFactory(
        young_person=care_team_young_person,
        booked_by=case_manager,
        what="School meeting",
        starts_at=TUESDAY_NOON + timedelta(hours=2, minutes=30),
    )
    url = reverse("diary:create", args=[own_young_person.pk])

    warned = worker_client.post(url, booking(case_manager))
    booked = worker_client.post(url, booking(case_manager, despite_clashes="on"))

    assert "This overlaps with other appointments" in warned.text
    assert "School meeting with Noah Shared" in warned.text
    assert booked.status_code == 302
    assert Appointment.objects.filter(young_person=own_young_person).count() == 1


def test_only_the_young_persons_own_key_people_can_be_chosen(
    worker_client, case_manager, own_young_person, care_team_young_person
):
    KeyPersonFactory(young_person=own_young_person)
    someone_elses = KeyPersonFactory(young_person=care_team_young_person)

    response = worker_client.post(
        reverse("diary:create", args=[own_young_person.pk]),
        booking(case_manager, key_people=[someone_elses.pk]),
    )

    assert response.status_code == 200
    assert not Appointment.objects.exists()


def test_changing_this_and_the_following_moves_each_by_as_much(
    worker_client, case_manager, own_young_person
):
    made = services.book_appointment(
        own_young_person,
        by=case_manager,
        starts_at=TUESDAY_NOON + timedelta(hours=2),
        what="Home visit",
        repeat="weekly",
        repeat_until=date(2026, 11, 24),
    )
    second = made[1]
    form = booking(
        case_manager,
        what="Home visit, with her nan",
        starts_at=local(second.starts_at + timedelta(hours=1)),
        version=second.version,
        scope="following",
    )

    response = worker_client.post(reverse("diary:edit", args=[second.pk]), form)

    assert response.status_code == 302
    rows = list(Appointment.objects.order_by("starts_at").values_list("what", "starts_at"))
    assert [(what, timezone.localtime(at).hour) for what, at in rows] == [
        ("Home visit", 14),
        ("Home visit, with her nan", 15),
        ("Home visit, with her nan", 15),
        ("Home visit, with her nan", 15),
    ]


def test_a_change_over_someone_elses_is_refused(worker_client, case_manager, own_young_person):
    appointment = AppointmentFactory(young_person=own_young_person, booked_by=case_manager)
    read_at = appointment.version
    services.change_appointment(
        appointment, by=case_manager, version=read_at, workers=[case_manager], what="Moved"
    )

    response = worker_client.post(
        reverse("diary:edit", args=[appointment.pk]),
        booking(case_manager, what="Mine", version=read_at),
    )

    assert "changed this appointment while you were changing it" in response.text
    appointment.refresh_from_db()
    assert appointment.what == "Moved"


def test_cancelling_says_why_and_records_no_contact(worker_client, case_manager, own_young_person):
    appointment = AppointmentFactory(young_person=own_young_person, booked_by=case_manager)
    url = reverse("diary:cancel", args=[appointment.pk])

    empty = worker_client.post(url, {"reason": ""})
    worker_client.post(url, {"reason": "Court moved to Friday"})

    appointment.refresh_from_db()
    assert "This field is required" in empty.text
    assert (appointment.outcome, appointment.cancel_reason) == (
        "cancelled",
        "Court moved to Friday",
    )
    assert not Contact.objects.exists()


def test_record_as_contact_fills_the_form_and_marks_the_appointment_attended(
    worker_client, case_manager, own_young_person, team
):
    appointment = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        kind=Appointment.Kind.SCHOOL,
        starts_at=TUESDAY_NOON - timedelta(hours=3),
        duration_minutes=50,
        participants=["carer"],
    )
    url = reverse("diary:contact", args=[appointment.pk])

    form = worker_client.get(url)
    initial = form.context["form"].initial
    data = {
        "client_reference": form.context["form"]["client_reference"].value(),
        "started_at": local(initial["started_at"]),
        "duration_minutes": initial["duration_minutes"],
        "mode": initial["mode"],
        "location": initial["location"],
        "kind": initial["kind"],
        "reached_young_person": "on",
        "participants": initial["participants"],
        "notes": "Met the year coordinator; enrolment agreed.",
    }
    response = worker_client.post(url, data)

    appointment.refresh_from_db()
    contact = Contact.objects.get()
    assert (initial["duration_minutes"], initial["location"], initial["participants"]) == (
        50,
        "school",
        ["carer"],
    )
    assert response.url == reverse("clients:timeline", args=[own_young_person.pk])
    assert (appointment.outcome, appointment.contact) == ("attended", contact)
    assert (contact.started_at, contact.duration_minutes) == (appointment.starts_at, 50)
    assert contact.reached_young_person


def test_a_refused_contact_leaves_the_appointment_open(
    worker_client, case_manager, own_young_person
):
    appointment = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        starts_at=TUESDAY_NOON - timedelta(hours=3),
    )
    url = reverse("diary:contact", args=[appointment.pk])
    reference = worker_client.get(url).context["form"]["client_reference"].value()

    response = worker_client.post(
        url,
        {
            "client_reference": reference,
            "started_at": local(TUESDAY_NOON - timedelta(hours=3)),
            "duration_minutes": "45",
            "mode": "face",
            "location": "",
            "kind": "outreach",
            "notes": "Notes",
        },
    )

    appointment.refresh_from_db()
    assert "Say where you met." in response.text
    assert appointment.outcome == ""
    assert not Contact.objects.exists()


def test_not_attended_records_an_attempt_and_marks_the_appointment(
    worker_client, case_manager, own_young_person
):
    appointment = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Psychiatrist",
        starts_at=TUESDAY_NOON - timedelta(hours=1),
    )

    worker_client.post(reverse("diary:not-attended", args=[appointment.pk]))
    worker_client.post(reverse("diary:not-attended", args=[appointment.pk]))
    timeline = worker_client.get(reverse("clients:timeline", args=[own_young_person.pk]))

    appointment.refresh_from_db()
    attempt = Contact.objects.get()
    assert (appointment.outcome, appointment.contact) == ("not_attended", attempt)
    assert not attempt.reached_young_person
    assert attempt.notes.startswith("Appointment not attended: Psychiatrist")
    assert "Appointment not attended: Psychiatrist" in timeline.text


def test_an_appointment_still_to_come_cannot_be_marked_not_attended(
    worker_client, case_manager, own_young_person
):
    appointment = AppointmentFactory(young_person=own_young_person, booked_by=case_manager)

    response = worker_client.post(reverse("diary:not-attended", args=[appointment.pk]), follow=True)

    appointment.refresh_from_db()
    assert "it can be marked not attended once it has begun" in response.text
    assert appointment.outcome == ""
    assert not Contact.objects.exists()


def test_start_a_lone_visit_opens_the_going_out_form_filled_in(
    worker_client, case_manager, own_young_person
):
    appointment = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        starts_at=TUESDAY_NOON + timedelta(hours=1),
        place="Kinship carer's house",
        what="Home visit",
    )
    page = worker_client.get(reverse("diary:appointment", args=[appointment.pk]))

    form = worker_client.get(page.context["lone_visit_url"]).context["form"]

    assert form["place"].value() == "Kinship carer's house"
    assert form["purpose"].value() == "Home visit"
    assert form["young_person"].value() == own_young_person.pk
    assert form["leaves_at"].value() == local(TUESDAY_NOON + timedelta(hours=1))


def test_my_diary_shows_the_days_appointments_with_their_place_and_transport(
    worker_client, case_manager, own_young_person, care_team_young_person, other_young_person
):
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Court",
        place="Melbourne Children's Court",
        transport_needed=True,
        starts_at=TUESDAY_NOON + timedelta(hours=1),
    )
    AppointmentFactory(
        young_person=care_team_young_person,
        booked_by=case_manager,
        what="Next week",
        starts_at=TUESDAY_NOON + timedelta(days=7),
    )

    day = worker_client.get(reverse("diary:mine")).text
    week = worker_client.get(reverse("diary:week") + "?on=2026-11-10").text

    assert "Court" in day
    assert "Melbourne Children&#x27;s Court" in day
    assert "transport" in day
    assert "Next week" not in day
    assert "Next week" in week
    assert "Court" not in week


def test_the_team_diary_shows_who_sees_whom_today_and_who_is_out(
    client, log_in, supervisor, case_manager, own_young_person, team, at_noon
):
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Evening home visit",
        starts_at=TUESDAY_NOON + timedelta(hours=7),
    )
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Night outreach",
        starts_at=TUESDAY_NOON + timedelta(hours=13),
    )
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Tomorrow's school meeting",
        starts_at=TUESDAY_NOON + timedelta(hours=21),
    )
    VisitPlanFactory(worker=case_manager, young_person=own_young_person)
    log_in(supervisor)

    page = client.get(reverse("diary:team", args=[team.pk])).text

    assert "Evening home visit" in page
    assert "Night outreach" in page  # 1 am: tonight
    assert "school meeting" not in page
    assert "Jayden Own" in page
    assert str(case_manager) in page
    assert "back by" in page


@pytest.mark.parametrize("item_count", [1, 3])
@pytest.mark.parametrize("page", ["diary:mine", "diary:week"])
def test_my_diary_query_count_is_constant(
    worker_client, case_manager, team, django_assert_num_queries, item_count, page
):
    for n in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        AppointmentFactory(
            young_person=young_person,
            booked_by=case_manager,
            starts_at=TUESDAY_NOON + timedelta(hours=n),
            workers=[case_manager, CaseManagerFactory(team=team)],
        )

    # user, OTP device, user's groups, the appointments and who goes to them, the teams the
    # user supervises, unread notifications; the list read, in the audit trail: savepoint,
    # insert, release
    with django_assert_num_queries(10):
        worker_client.get(reverse(page))


@pytest.mark.parametrize("item_count", [1, 3])
def test_team_diary_query_count_is_constant(
    client, log_in, supervisor, team, django_assert_num_queries, item_count, at_noon
):
    for n in range(item_count):
        worker = CaseManagerFactory(team=team)
        young_person = YoungPersonFactory(team=team, primary_case_manager=worker)
        AppointmentFactory(
            young_person=young_person, booked_by=worker, starts_at=TUESDAY_NOON + timedelta(hours=n)
        )
        VisitPlanFactory(worker=worker, young_person=young_person)
    log_in(supervisor)

    # user, OTP device, user's groups, the team, the appointments and who goes to them, the
    # visits, unread notifications; the list read, in the audit trail: savepoint, insert,
    # release
    with django_assert_num_queries(11):
        client.get(reverse("diary:team", args=[team.pk]))


def test_each_version_of_an_appointment_is_kept(case_manager, own_young_person):
    appointment = AppointmentFactory(
        young_person=own_young_person, booked_by=case_manager, what="Court"
    )

    services.change_appointment(
        appointment, by=case_manager, version=1, workers=[case_manager], what="Court, moved"
    )

    assert list(appointment.events.order_by("pgh_id").values_list("what", "version")) == [
        ("Court", 1),
        ("Court, moved", 2),
    ]


def test_a_colleague_covering_from_another_team_books_and_goes(
    client, log_in, at_noon, case_manager, own_young_person, other_team_case_manager
):
    CoverFactory(worker=case_manager, covered_by=other_team_case_manager)
    log_in(other_team_case_manager)
    url = reverse("diary:create", args=[own_young_person.pk])

    response = client.post(url, booking(other_team_case_manager))
    booked = Appointment.objects.get()
    changed = client.post(
        reverse("diary:edit", args=[booked.pk]),
        booking(other_team_case_manager, what="GP, moved", version=booked.version),
    )

    assert (response.status_code, changed.status_code) == (302, 302)
    booked.refresh_from_db()
    assert booked.what == "GP, moved"
    assert list(booked.workers.all()) == [other_team_case_manager]


@pytest.mark.parametrize("page", ["diary:mine", "diary:week"])
@pytest.mark.parametrize("asked", ["31/02/2026'", "0001-01-01", "9999-12-31"])
def test_a_diary_day_that_is_no_date_or_no_plausible_one_shows_today(worker_client, page, asked):
    response = worker_client.get(reverse(page), {"on": asked})

    assert response.status_code == 200
    assert response.context["first"] <= date(2026, 11, 3) < response.context["later"]


@pytest.mark.parametrize("item_count", [1, 3])
def test_an_appointments_page_query_count_is_constant(
    worker_client, case_manager, own_young_person, team, django_assert_num_queries, item_count
):
    appointment = AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        workers=[case_manager, *[CaseManagerFactory(team=team) for _ in range(item_count)]],
        key_people=[KeyPersonFactory(young_person=own_young_person) for _ in range(item_count)],
    )

    # user, OTP device, user's groups, the appointment (and the young person, the contact),
    # who goes, the young person's alerts, key people, professionals; whether the user may
    # change it (their young people); unread notifications; the read, in the audit trail:
    # savepoint, insert, release
    with django_assert_num_queries(13):
        worker_client.get(reverse("diary:appointment", args=[appointment.pk]))


def test_the_young_persons_record_shows_what_is_coming_up(
    worker_client, case_manager, own_young_person
):
    AppointmentFactory(young_person=own_young_person, booked_by=case_manager, what="Court")
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Last week's GP",
        starts_at=TUESDAY_NOON - timedelta(days=7),
    )
    AppointmentFactory(
        young_person=own_young_person,
        booked_by=case_manager,
        what="Called off",
        outcome="cancelled",
        outcome_at=TUESDAY_NOON,
        outcome_by=case_manager,
    )

    page = worker_client.get(reverse("clients:detail", args=[own_young_person.pk])).text

    assert "Court" in page
    assert "Last week&#x27;s GP" not in page
    assert "Called off" not in page
