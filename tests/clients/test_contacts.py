import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import CONTACT_DRAFT_KEY, new_contact_draft_key
from audit.models import AuditAction, AuditEvent
from clients.models import Contact, ContactDraft
from tests.factories import CareTeamFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=MELBOURNE)


@pytest.fixture(autouse=True)
def _a_tuesday(time_machine):
    time_machine.move_to(TUESDAY_NOON, tick=False)


def contact_url(young_person) -> str:
    return reverse("clients:contact-create", args=[young_person.pk])


def contact_data(**changes) -> dict:
    return {
        "client_reference": str(uuid.uuid4()),
        "started_at": "2026-11-24T10:30",
        "duration_minutes": "45",
        "mode": "face",
        "location": "community",
        "kind": "outreach",
        "reached_young_person": "on",
        "notes": "Met at the youth centre. Talked about going back to school.",
        "follow_up": "",
    } | changes


@pytest.fixture
def logged_in(client, log_in, case_manager):
    log_in(case_manager)
    return client


def test_a_contact_is_recorded_and_tops_the_timeline(logged_in, case_manager, own_young_person):
    ContactFactory(
        young_person=own_young_person,
        recorded_by=case_manager,
        started_at=TUESDAY_NOON - timedelta(days=5),
    )

    response = logged_in.post(contact_url(own_young_person), contact_data(), follow=True)

    assert response.redirect_chain == [
        (reverse("clients:timeline", args=[own_young_person.pk]), 302)
    ]
    first = response.context["entries"][0]
    assert first.kind == "contact"
    assert first.item.notes.startswith("Met at the youth centre")
    assert list(first.item.workers.all()) == [case_manager]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="clients.contact")


def test_recording_a_contact_resets_the_days_since_contact(
    logged_in, case_manager, own_young_person
):
    ContactFactory(
        young_person=own_young_person,
        recorded_by=case_manager,
        started_at=TUESDAY_NOON - timedelta(days=6),
    )
    before = logged_in.get(reverse("clients:caseload")).context["young_people"][0]
    assert before.contact_overdue

    logged_in.post(contact_url(own_young_person), contact_data())

    after = logged_in.get(reverse("clients:caseload"))
    row = after.context["young_people"][0]
    assert not row.contact_overdue
    assert "Today" in after.text


@pytest.mark.parametrize(
    ("started_at", "after_hours"),
    [
        ("2026-11-24T10:30", False),  # Tuesday morning
        ("2026-11-23T19:45", True),  # Monday evening
        ("2026-11-22T11:00", True),  # Sunday
        ("2026-11-03T11:00", True),  # Melbourne Cup day
    ],
)
def test_after_hours_is_derived_from_the_time(logged_in, own_young_person, started_at, after_hours):
    logged_in.post(contact_url(own_young_person), contact_data(started_at=started_at))

    assert Contact.objects.get().after_hours is after_hours


def test_after_hours_cannot_be_typed(logged_in, own_young_person):
    logged_in.post(contact_url(own_young_person), contact_data(after_hours="on"))

    assert Contact.objects.get().after_hours is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"started_at": "2026-11-24T14:00"}, "cannot be recorded as starting later"),
        ({"duration_minutes": "-20"}, "A contact lasts at least a minute"),
        ({"duration_minutes": "0"}, "A contact lasts at least a minute"),
        ({"duration_minutes": "2000"}, "A contact lasts at most a day"),
        ({"duration_minutes": "an hour"}, "Enter a whole number"),
        ({"notes": "x" * 1_000_000}, "at most 10000 characters"),
        ({"notes": ""}, "This field is required"),
        ({"location": ""}, "Say where you met"),
        ({"started_at": "2001-01-01T10:00"}, "before the young person was born"),
        ({"started_at": "not a date"}, "Enter a valid date/time"),
        ({"mode": "telepathy"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    logged_in, own_young_person, changes, message
):
    response = logged_in.post(contact_url(own_young_person), contact_data(**changes))

    assert response.status_code == 200
    assert message in response.text
    assert not Contact.objects.exists()


def test_a_refused_form_keeps_what_was_typed(logged_in, own_young_person):
    response = logged_in.post(
        contact_url(own_young_person),
        contact_data(duration_minutes="-5", notes="Long note that must not be lost"),
    )

    assert "Long note that must not be lost" in response.text


def test_html_in_the_notes_is_shown_escaped(logged_in, own_young_person):
    logged_in.post(
        contact_url(own_young_person), contact_data(notes="<script>alert(1)</script> <b>hi</b>")
    )
    contact = Contact.objects.get()

    for url in (
        reverse("clients:timeline", args=[own_young_person.pk]),
        reverse("clients:contact-detail", args=[own_young_person.pk, contact.pk]),
    ):
        page = logged_in.get(url).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;hi&lt;/b&gt;" in page


def test_a_double_submission_records_one_contact(logged_in, own_young_person):
    data = contact_data()

    first = logged_in.post(contact_url(own_young_person), data)
    second = logged_in.post(contact_url(own_young_person), data)

    assert first.status_code == second.status_code == 302
    assert Contact.objects.count() == 1


def test_a_contact_sent_again_after_a_lost_answer_goes_to_the_timeline_and_is_recorded_once(
    logged_in, own_young_person
):
    """What the contact form's script relies on when it sends a contact kept without signal
    whose first sending did reach the server."""
    data = contact_data(notes="Typed on the train platform")

    first = logged_in.post(contact_url(own_young_person), data)
    again = logged_in.post(contact_url(own_young_person), data, headers={"Sec-Fetch-Mode": "cors"})

    timeline = reverse("clients:timeline", args=[own_young_person.pk])
    assert (first.status_code, first.url) == (again.status_code, again.url) == (302, timeline)
    assert Contact.objects.get().notes == "Typed on the train platform"
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="clients.contact")
    assert created.count() == 1


def test_the_contact_form_hands_the_session_draft_key_to_its_script_and_is_never_cached(
    logged_in, case_manager, own_young_person
):
    session = logged_in.session
    session[CONTACT_DRAFT_KEY] = key = new_contact_draft_key()
    session.save()

    form = logged_in.get(contact_url(own_young_person))

    assert f'data-draft-key="{key}"' in form.text
    assert "js/offline-contact.js" in form.text
    assert "no-store" in form["Cache-Control"]
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    edit = logged_in.get(reverse("clients:contact-edit", args=[own_young_person.pk, contact.pk]))
    assert "data-draft-key" not in edit.text


def test_a_contact_made_together_names_every_worker(
    logged_in, case_manager, team, own_young_person
):
    colleague = UserFactory(role="Case manager", team=team, first_name="Priya")

    logged_in.post(contact_url(own_young_person), contact_data(co_workers=[colleague.pk]))

    assert set(Contact.objects.get().workers.all()) == {case_manager, colleague}


def test_a_worker_of_another_team_cannot_be_named(
    logged_in, team, own_young_person, other_team_case_manager
):
    UserFactory(role="Case manager", team=team)

    response = logged_in.post(
        contact_url(own_young_person), contact_data(co_workers=[other_team_case_manager.pk])
    )

    assert "Went with</a>: Select a valid choice" in response.text
    assert not Contact.objects.exists()


def test_a_worker_alone_in_the_team_is_not_asked_who_went_with_them(logged_in, own_young_person):
    assert "Went with" not in logged_in.get(contact_url(own_young_person)).text


def test_an_attempt_that_did_not_reach_the_young_person_is_not_a_contact(
    logged_in, own_young_person
):
    data = contact_data(mode="phone", location="")
    del data["reached_young_person"]

    logged_in.post(contact_url(own_young_person), data)

    assert Contact.objects.get().reached_young_person is False
    row = logged_in.get(reverse("clients:caseload")).context["young_people"][0]
    assert row.last_contact_at is None


def edit(client, contact, **changes):
    url = reverse("clients:contact-edit", args=[contact.young_person_id, contact.pk])
    data = {
        "started_at": timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": contact.duration_minutes,
        "mode": contact.mode,
        "location": contact.location,
        "kind": contact.kind,
        "reached_young_person": "on",
        "notes": contact.notes,
        "follow_up": contact.follow_up,
        "version": contact.version,
    } | changes
    return client.post(url, data, follow=True)


def test_a_correction_within_a_day_is_not_an_amendment(logged_in, case_manager, own_young_person):
    contact = ContactFactory(
        young_person=own_young_person,
        recorded_by=case_manager,
        started_at=TUESDAY_NOON - timedelta(hours=3),
        recorded_at=TUESDAY_NOON - timedelta(hours=2),
    )

    edit(logged_in, contact, notes="Corrected spelling.")

    contact.refresh_from_db()
    assert contact.notes == "Corrected spelling."
    assert contact.amended_at is None


def test_a_change_after_a_day_is_marked_amended_and_keeps_the_original(
    logged_in, case_manager, own_young_person
):
    contact = ContactFactory(
        young_person=own_young_person,
        recorded_by=case_manager,
        notes="What first happened.",
        started_at=TUESDAY_NOON - timedelta(days=3),
        recorded_at=TUESDAY_NOON - timedelta(days=3),
    )

    response = edit(logged_in, contact, notes="What happened, clarified.")

    contact.refresh_from_db()
    assert contact.amended_at == TUESDAY_NOON
    assert contact.version == 2
    assert "amended" in response.text
    assert "What first happened." in response.text  # the earlier version, on the page
    assert list(contact.events.values_list("notes", flat=True).order_by("pgh_id")) == [
        "What first happened.",
        "What happened, clarified.",
    ]


def test_a_stale_edit_is_refused_and_the_first_change_stays(
    client, log_in, case_manager, team, own_young_person
):
    colleague = UserFactory(role="Case manager", team=team)
    CareTeamFactory(young_person=own_young_person, worker=colleague)
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    contact.workers.add(colleague)
    read_version = contact.version
    log_in(colleague)
    edit(client, contact, notes="The colleague's change.")

    log_in(case_manager)
    response = edit(client, contact, notes="The late change.", version=read_version)

    assert "Someone changed this contact while you were editing it" in response.text
    contact.refresh_from_db()
    assert contact.notes == "The colleague's change."


def test_marking_in_error_keeps_the_contact_and_stops_it_counting(
    logged_in, case_manager, own_young_person
):
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    url = reverse("clients:contact-in-error", args=[own_young_person.pk, contact.pk])

    refused = logged_in.post(url, {"reason": ""}, follow=True)
    assert "Say why this contact is in error" in refused.text
    logged_in.post(url, {"reason": "Recorded against the wrong young person"})

    contact.refresh_from_db()
    assert contact.entered_in_error_reason == "Recorded against the wrong young person"
    assert Contact.objects.filter(pk=contact.pk).exists()
    row = logged_in.get(reverse("clients:caseload")).context["young_people"][0]
    assert row.last_contact_at is None


def draft_url(young_person) -> str:
    return reverse("clients:contact-draft", args=[young_person.pk])


def test_what_is_typed_is_saved_as_a_draft_and_offered_again(logged_in, own_young_person):
    response = logged_in.post(
        draft_url(own_young_person),
        contact_data(notes="Half-written note about the court date"),
        HTTP_HX_REQUEST="true",
    )
    assert "Draft saved" in response.text

    form = logged_in.get(contact_url(own_young_person))

    assert "You have an unsent note" in form.text
    assert "Half-written note about the court date" in form.text


def test_a_note_survives_the_session_ending_before_it_is_submitted(
    client, log_in, case_manager, own_young_person, time_machine
):
    log_in(case_manager)
    client.post(
        draft_url(own_young_person),
        contact_data(notes="Typed on the train platform"),
        HTTP_HX_REQUEST="true",
    )

    time_machine.move_to(TUESDAY_NOON + timedelta(minutes=45), tick=False)
    submitted = client.post(contact_url(own_young_person), contact_data(notes="Typed on the..."))
    assert submitted.status_code == 302
    assert submitted.url.startswith(reverse("accounts:login"))
    background = client.post(draft_url(own_young_person), {}, HTTP_HX_REQUEST="true")
    assert background.status_code == 401

    log_in(case_manager)
    form = client.get(contact_url(own_young_person))
    assert "Typed on the train platform" in form.text


def test_a_contact_the_page_script_sends_after_the_session_ended_is_answered_401(
    client, log_in, case_manager, own_young_person, time_machine
):
    """Not the login page behind a redirect, which the script would take for "recorded"."""
    log_in(case_manager)
    time_machine.move_to(TUESDAY_NOON + timedelta(minutes=45), tick=False)

    response = client.post(
        contact_url(own_young_person), contact_data(), headers={"Sec-Fetch-Mode": "cors"}
    )

    assert response.status_code == 401
    assert not Contact.objects.exists()


def test_the_draft_goes_once_the_contact_is_recorded(logged_in, own_young_person):
    logged_in.post(draft_url(own_young_person), contact_data(), HTTP_HX_REQUEST="true")

    logged_in.post(contact_url(own_young_person), contact_data())

    assert not ContactDraft.objects.exists()
    assert "You have an unsent note" not in logged_in.get(contact_url(own_young_person)).text
