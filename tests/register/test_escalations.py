"""An escalation goes somewhere: a register review (on its own or at a liaison meeting) that
escalates a young person tells the team's supervisor and the case manager, flags the young person
on their record, the caseload and the supervisor's home, until one of them records what was done;
the register entry keeps the story."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from notifications.models import Notification
from register import services
from register.models import Escalation, LiaisonMeeting, RegisterReview
from tests.factories import ReferralFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

WHAT = "Missing from placement four nights; seen with adults known to police."
DONE = "Safety plan agreed with the unit and police; Jayden back in placement."


def listed(young_person, coordinator):
    return services.list_young_person(
        young_person,
        by=coordinator,
        listed_on=timezone.localdate() - timedelta(days=15),
        risk_factors=["absconding"],
    )


def escalate(entry, by, what=WHAT):
    return services.record_review(
        entry.reviews.get(reviewed_on__isnull=True),
        by=by,
        reviewed_on=timezone.localdate(),
        outcome="escalate",
        participants=["child_protection", "icms"],
        escalation=what,
    )


def review_data(**changes) -> dict:
    return {
        "reviewed_on": timezone.localdate().isoformat(),
        "participants": ["child_protection", "icms"],
        "outcome": "escalate",
        "escalation": WHAT,
    } | changes


def meeting_data(review, **changes) -> dict:
    return {
        "held_on": timezone.localdate().isoformat(),
        "agencies": ["child_protection", "icms", "placement"],
        f"outcome-{review.pk}": "escalate",
        f"escalation-{review.pk}": WHAT,
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    } | changes


@pytest.fixture
def entry(own_young_person, register_coordinator, supervisor):
    return listed(own_young_person, register_coordinator)


@pytest.fixture(params=["at a review", "at a liaison meeting"])
def escalated(request, client, log_in, register_coordinator, entry):
    """The coordinator escalates Jayden, through the register entry's review form or at the
    division's liaison meeting."""
    log_in(register_coordinator)
    if request.param == "at a review":
        response = client.post(reverse("register:review", args=[entry.pk]), review_data())
    else:
        review = entry.reviews.get(reviewed_on__isnull=True)
        response = client.post(reverse("register:meeting-create"), meeting_data(review))
    assert response.status_code == 302, response.text
    client.logout()
    return Escalation.objects.get()


def test_escalating_tells_the_team_supervisor_and_the_case_manager(
    escalated, supervisor, case_manager, own_young_person
):
    told = Notification.objects.filter(key=f"escalation-{escalated.pk}")

    assert {notice.recipient for notice in told} == {supervisor, case_manager}
    for notice in told:
        assert notice.url == reverse("clients:detail", args=[own_young_person.pk])
        assert notice.message.startswith("Jayden Own was escalated at the ")
        assert WHAT in notice.message
    assert set(escalated.escalated_to.all()) == {supervisor, case_manager}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="register.escalation"
    ).exists()


def test_the_escalated_young_person_is_flagged_until_what_was_done_is_recorded(
    escalated, client, log_in, case_manager, supervisor, own_young_person, care_team_young_person
):
    record = reverse("clients:detail", args=[own_young_person.pk])
    caseload = reverse("clients:caseload") + "?escalated=on"
    log_in(case_manager)

    page = client.get(record).text
    assert "Escalated</h2>" in page
    assert WHAT in page
    listed = client.get(caseload).context["young_people"]
    assert [young_person.pk for young_person in listed] == [own_young_person.pk]
    export = client.get(reverse("clients:caseload-export") + "?escalated=on")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [str(own_young_person.pk)]
    assert rows[1][rows[0].index("Escalated")] == "yes"
    log_in(supervisor)
    home = client.get(reverse("home")).text
    assert "Escalated from the register" in home
    assert reverse("register:escalation", args=[escalated.pk]) in home

    log_in(case_manager)
    response = client.post(
        reverse("register:escalation-resolve", args=[escalated.pk]), {"what_was_done": DONE}
    )

    assert response.url == record
    assert "Escalated</h2>" not in client.get(record).text
    assert list(client.get(caseload).context["young_people"]) == []
    log_in(supervisor)
    assert "Escalated from the register" not in client.get(reverse("home")).text
    escalated.refresh_from_db()
    assert (escalated.resolved_by, escalated.what_was_done) == (case_manager, DONE)
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="register.escalation")
    assert change.actor == case_manager


def test_the_register_entry_keeps_the_escalation_and_what_was_done(
    escalated, client, log_in, register_coordinator, supervisor, entry
):
    services.resolve_escalation(escalated, by=supervisor, what_was_done=DONE)
    log_in(register_coordinator)

    page = client.get(reverse("register:entry", args=[entry.pk])).text

    raised = timezone.localdate()
    assert f"Escalated {raised:%-d %b %Y}</strong> by {register_coordinator}" in page
    assert WHAT in page
    assert f"Resolved {raised:%-d %b %Y}</strong> by {supervisor}: {DONE}" in page
    # The one who raised it is told it was dealt with.
    assert Notification.objects.filter(
        recipient=register_coordinator, key=f"escalation-{escalated.pk}-resolved"
    ).exists()


def test_the_coordinator_sees_the_escalation_but_does_not_resolve_it(
    escalated, client, log_in, register_coordinator
):
    log_in(register_coordinator)

    page = client.get(reverse("register:escalation", args=[escalated.pk])).text
    response = client.post(
        reverse("register:escalation-resolve", args=[escalated.pk]), {"what_was_done": DONE}
    )

    assert WHAT in page
    assert "Record what was done" not in page
    assert response.status_code == 403
    assert Escalation.objects.get().is_open


def test_the_referring_practitioner_sees_the_entry_but_not_the_escalation(
    escalated, client, log_in, practitioner, entry
):
    ReferralFactory(referred_by=practitioner, young_person=entry.young_person, status="accepted")
    log_in(practitioner)

    page = client.get(reverse("register:entry", args=[entry.pk]))

    assert page.status_code == 200
    assert WHAT not in page.text


def test_an_escalation_without_saying_what_saves_nothing(
    client, log_in, register_coordinator, entry
):
    review = entry.reviews.get(reviewed_on__isnull=True)
    log_in(register_coordinator)

    from_review = client.post(
        reverse("register:review", args=[entry.pk]), review_data(escalation=" ")
    )
    at_meeting = client.post(
        reverse("register:meeting-create"), meeting_data(review, **{f"escalation-{review.pk}": ""})
    )

    assert "Say what is escalated, and why." in from_review.text
    assert "Jayden Own: Say what is escalated, and why." in at_meeting.text
    assert not Escalation.objects.exists()
    assert not LiaisonMeeting.objects.exists()
    assert not RegisterReview.objects.filter(reviewed_on__isnull=False).exists()


def test_an_escalation_that_would_reach_no_one_is_refused(
    client, log_in, register_coordinator, north
):
    nobodys = YoungPersonFactory(
        given_name="Kai", family_name="Nobody", division=north, team=None, status="referred"
    )
    entry = listed(nobodys, register_coordinator)
    log_in(register_coordinator)

    response = client.post(reverse("register:review", args=[entry.pk]), review_data())

    assert "No ICMS team leader or case manager holds Kai Nobody&#x27;s case yet" in response.text
    assert not Escalation.objects.exists()
    assert not entry.reviews.filter(reviewed_on__isnull=False).exists()


def test_what_was_done_is_recorded_once(entry, register_coordinator, supervisor, case_manager):
    escalation = escalate(entry, register_coordinator).escalation
    services.resolve_escalation(escalation, by=supervisor, what_was_done=DONE)

    with pytest.raises(services.ValidationError, match=f"{supervisor} recorded what was done"):
        services.resolve_escalation(escalation, by=case_manager, what_was_done="Something else")

    escalation.refresh_from_db()
    assert (escalation.resolved_by, escalation.what_was_done) == (supervisor, DONE)


def test_resolving_without_saying_what_was_done_keeps_the_flag(
    escalated, client, log_in, supervisor
):
    log_in(supervisor)

    response = client.post(
        reverse("register:escalation-resolve", args=[escalated.pk]), {"what_was_done": ""}
    )

    assert "Say what was done." in response.text
    assert Escalation.objects.get().is_open


# --- Query counts ------------------------------------------------------------------------------


@pytest.fixture
def escalated_young_people(team, case_manager, register_coordinator, supervisor):
    def make(count: int) -> list:
        young_people = [
            YoungPersonFactory(team=team, primary_case_manager=case_manager) for _ in range(count)
        ]
        for young_person in young_people:
            escalate(listed(young_person, register_coordinator), register_coordinator)
        return young_people

    return make


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_filtered_caseload_runs_the_same_queries_however_many_are_escalated(
    client, log_in, case_manager, escalated_young_people, django_assert_num_queries, item_count
):
    escalated_young_people(item_count)
    log_in(case_manager)

    # as without escalations (test_caseload_and_timeline.py): the flag is part of the caseload
    with django_assert_num_queries(11):
        response = client.get(reverse("clients:caseload") + "?escalated=on")
    assert len(response.context["young_people"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_record_reads_its_escalations_in_one_query(
    client, log_in, case_manager, own_young_person, register_coordinator, item_count
):
    record = reverse("clients:detail", args=[own_young_person.pk])
    log_in(case_manager)
    client.get(record)
    with CaptureQueriesContext(connection) as before:
        client.get(record)
    entry = listed(own_young_person, register_coordinator)
    for number in range(item_count):
        escalate(entry, register_coordinator, what=f"Escalated for reason {number}")

    with CaptureQueriesContext(connection) as after:
        page = client.get(record).text

    assert page.count("Escalated for reason") == item_count
    # the open escalations, read only when there is one
    assert len(after) == len(before) + 1
