import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import record
from clients.models import Disclosure
from clients.services import merge_young_people
from tests.factories import (
    AgreementFactory,
    AppointmentFactory,
    CareTeamFactory,
    ChildProtectionDecisionFactory,
    CrisisPlanFactory,
    DisclosureFactory,
    DocumentFactory,
    ReferralAttachmentFactory,
    ReferralFactory,
    WorkerSafetyAlertFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def detail(young_person) -> str:
    return reverse("clients:detail", args=[young_person.pk])


def test_the_record_shows_who_works_with_the_young_person(
    client, log_in, case_manager, care_team_young_person
):
    log_in(case_manager)

    response = client.get(detail(care_team_young_person))

    assert response.status_code == 200
    assert "Noah Shared" in response.text
    assert str(care_team_young_person.primary_case_manager) in response.text
    assert str(case_manager) in response.text


def test_worker_safety_alerts_stand_out_at_the_top(client, log_in, case_manager, own_young_person):
    WorkerSafetyAlertFactory(young_person=own_young_person, details="Dog at the back gate")
    WorkerSafetyAlertFactory(young_person=own_young_person, details="Ended alert", active=False)
    log_in(case_manager)

    response = client.get(detail(own_young_person))

    assert 'class="alert alert-danger safety-alerts" role="alert"' in response.text
    assert "Dog at the back gate" in response.text
    assert "Ended alert" not in response.text
    assert response.text.index("safety-alerts") < response.text.index("Who works with")


def test_a_young_person_of_another_team_is_not_found(
    client, log_in, case_manager, other_young_person
):
    log_in(case_manager)

    response = client.get(detail(other_young_person))

    assert response.status_code == 404
    assert "Zara" not in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_practitioner_guessing_record_numbers_finds_nothing(
    client, log_in, practitioner, own_young_person, other_young_person
):
    log_in(practitioner)

    statuses = {
        client.get(reverse("clients:detail", args=[pk])).status_code
        for pk in range(1, other_young_person.pk + 50)
    }

    assert statuses == {404}


def test_the_supervisor_sees_who_has_looked_at_the_record(
    client, log_in, supervisor, case_manager, own_young_person
):
    record(AuditAction.VIEW, actor=case_manager, obj=own_young_person)
    log_in(supervisor)

    response = client.get(detail(own_young_person))

    # Newest first; this visit is recorded as the page leaves, and shows on the next.
    assert [event.actor for event in response.context["access_log"]] == [case_manager]
    assert "Who has looked at this record" in response.text
    response = client.get(detail(own_young_person))
    assert [event.actor for event in response.context["access_log"]] == [supervisor, case_manager]


def test_a_case_manager_does_not_see_the_access_log(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    response = client.get(detail(own_young_person))

    assert response.context["access_log"] is None
    assert "Who has looked at this record" not in response.text


def test_text_typed_into_a_record_is_shown_escaped(client, log_in, case_manager, own_young_person):
    DisclosureFactory(
        young_person=own_young_person, information="<script>alert('x')</script> & more"
    )
    log_in(case_manager)

    response = client.get(detail(own_young_person))

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in response.text


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_record_runs_a_constant_number_of_queries(
    client, log_in, supervisor, team, django_assert_num_queries, item_count
):
    young_person = YoungPersonFactory(team=team)
    CrisisPlanFactory(young_person=young_person)
    for _ in range(item_count):
        CareTeamFactory(young_person=young_person)
        WorkerSafetyAlertFactory(young_person=young_person)
        DisclosureFactory(young_person=young_person)
        AgreementFactory(young_person=young_person)
        referral = ReferralFactory(status="accepted", young_person=young_person, team=team)
        ReferralAttachmentFactory(referral=referral)
        ChildProtectionDecisionFactory(young_person=young_person)
        record(AuditAction.VIEW, actor=supervisor, obj=young_person)
        merge_young_people(young_person, YoungPersonFactory(team=team), by=supervisor, reason="A")
        AppointmentFactory(young_person=young_person)
        DocumentFactory(young_person=young_person, kind="consent", expires_on=timezone.localdate())
    log_in(supervisor)

    # user, OTP device, groups; the young person with team, supervisor, crisis plan and contact
    # figures; current allocations with workers, alerts, key people, professionals, disclosures
    # and who shared them, case management agreements, merges and who made them, child
    # protection's decisions with who recorded them (prefetched); the access log; may the user
    # change the record (is it visible to them); the referrals it came from (with whether the
    # user sees each); the documents on the file (the latest and those expiring); the
    # appointments coming up and who goes; the latest crises; unread notifications; the view
    # recorded in the audit trail (savepoint, insert, release)
    with django_assert_num_queries(24):
        client.get(detail(young_person))


DISCLOSURE = {
    "disclosed_on": "2026-01-10",
    "information": "School attendance and the safety plan",
    "recipient_organisation": "Northside Secondary College",
    "recipient_person": "Wellbeing coordinator",
    "authority": "consent_yp",
    "authority_detail": "Verbal consent, 9 January",
}


def test_recording_a_disclosure_shows_it_on_the_record_and_audits_it(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    response = client.post(
        reverse("clients:disclosure-create", args=[own_young_person.pk]), DISCLOSURE, follow=True
    )

    assert "The disclosure is recorded" in response.text
    assert "Northside Secondary College" in response.text
    disclosure = Disclosure.objects.get()
    assert disclosure.disclosed_by == case_manager
    created = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (created.object_type, created.young_person_id) == (
        "clients.disclosure",
        own_young_person.pk,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"disclosed_on": "2999-01-01"}, "This date is in the future"),
        ({"disclosed_on": "2005-01-01"}, "before the young person was born"),
        ({"disclosed_on": "1990-01-01"}, "check the year"),
        ({"authority_detail": ""}, "Name whose consent was given"),
        ({"recipient_organisation": ""}, "This field is required"),
        ({"information": "x" * 2001}, "at most 2000 characters"),
        ({"authority": "whim"}, "Select a valid choice"),
    ],
)
def test_a_bad_disclosure_is_refused_with_a_message_and_nothing_saved(
    client, log_in, case_manager, own_young_person, change, message
):
    log_in(case_manager)

    response = client.post(
        reverse("clients:disclosure-create", args=[own_young_person.pk]), DISCLOSURE | change
    )

    assert response.status_code == 200
    assert message in response.text
    assert not Disclosure.objects.exists()


def test_a_serious_threat_needs_no_consent_named(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    client.post(
        reverse("clients:disclosure-create", args=[own_young_person.pk]),
        DISCLOSURE | {"authority": "threat", "authority_detail": ""},
    )

    assert Disclosure.objects.get().authority == "threat"


def test_a_disclosure_cannot_be_recorded_for_another_teams_young_person(
    client, log_in, case_manager, other_young_person
):
    log_in(case_manager)

    response = client.post(
        reverse("clients:disclosure-create", args=[other_young_person.pk]), DISCLOSURE
    )

    assert response.status_code == 404
    assert not Disclosure.objects.exists()


def test_the_disclosure_form_offers_today_in_the_date_pickers_format(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    response = client.get(reverse("clients:disclosure-create", args=[own_young_person.pk]))

    today = timezone.localdate().isoformat()
    assert f'type="date" name="disclosed_on" value="{today}"' in response.text
