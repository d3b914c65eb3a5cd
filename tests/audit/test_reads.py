"""Every answer that shows client information leaves a row in the audit trail, and so does every
refused attempt on a record that exists (toolkit.access notes what a view found; audit.middleware
writes the row). tests/test_access_matrix.py checks this for every URL; here, the pages an
outside attack found unaudited, and what the rows say."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.services import record
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    CrisisPlanFactory,
    KeyPersonFactory,
    ProfessionalFactory,
    ReferralFactory,
    api_token_for,
)

pytestmark = pytest.mark.django_db


def _reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.VIEW).order_by("id"))


PAGES_FOUND_UNAUDITED = {
    # page: (URL name, the URL's arguments, the record read)
    "the young person's edit form": ("clients:edit", lambda w: [w.young.pk], "young"),
    "a contact's edit form": (
        "clients:contact-edit",
        lambda w: [w.young.pk, w.contact.pk],
        "contact",
    ),
    "a family member's form": (
        "clients:key-person-edit",
        lambda w: [w.young.pk, w.key_person.pk],
        "key_person",
    ),
    "a professional's form": (
        "clients:professional-edit",
        lambda w: [w.young.pk, w.professional.pk],
        "professional",
    ),
    "the crisis plan": ("caseplans:crisis", lambda w: [w.young.pk], "crisis_plan"),
    "the exit plan": ("caseplans:exit", lambda w: [w.young.pk], "young"),
    "the plan comparison": ("caseplans:compare", lambda w: [w.plan.pk], "plan"),
}


class Record:
    def __init__(self, young_person, case_manager):
        self.young = young_person
        self.contact = ContactFactory(young_person=young_person, recorded_by=case_manager)
        self.key_person = KeyPersonFactory(young_person=young_person)
        self.professional = ProfessionalFactory(young_person=young_person)
        self.crisis_plan = CrisisPlanFactory(young_person=young_person)
        CasePlanFactory(young_person=young_person, number=1, status="superseded")
        self.plan = CasePlanFactory(young_person=young_person, number=2, status="current")


@pytest.mark.parametrize("page", PAGES_FOUND_UNAUDITED)
def test_each_page_found_unaudited_records_the_read(
    client, log_in, case_manager, own_young_person, page
):
    url_name, arguments, read = PAGES_FOUND_UNAUDITED[page]
    world = Record(own_young_person, case_manager)
    log_in(case_manager)

    response = client.get(reverse(url_name, args=arguments(world)))

    assert response.status_code == 200
    [event] = _reads()
    subject = getattr(world, read)
    assert (event.actor, event.object_type, event.object_id) == (
        case_manager,
        subject._meta.label_lower,
        str(subject.pk),
    )
    assert event.young_person_id == own_young_person.pk
    assert event.path == reverse(url_name, args=arguments(world))


def test_a_caseload_search_is_recorded_with_what_was_searched(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)

    client.get(reverse("clients:caseload"), {"q": "Jayden"})

    [search] = AuditEvent.objects.filter(action=AuditAction.SEARCH)
    assert search.actor == case_manager
    assert search.detail == {"list": "caseload", "filters": {"q": "Jayden"}}


def test_the_api_records_each_referral_it_gives_out(client, practitioner, team):
    mine = [ReferralFactory(referred_by=practitioner, team=team) for _ in range(2)]
    token = api_token_for(practitioner)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}

    client.get(reverse("api:referral-list"), **headers)
    client.get(reverse("api:referral-detail", args=[mine[0].pk]), **headers)

    listed, read = _reads()
    assert listed.actor == read.actor == practitioner
    assert sorted(listed.detail["referrals"]) == sorted(referral.pk for referral in mine)
    assert (read.object_type, read.object_id) == ("referrals.referral", str(mine[0].pk))


def test_a_refused_attempt_is_recorded_without_naming_the_record(
    client, log_in, case_manager, other_young_person
):
    log_in(case_manager)

    assert client.get(reverse("clients:detail", args=[other_young_person.pk])).status_code == 404

    [refused] = AuditEvent.objects.filter(action=AuditAction.REFUSED)
    assert refused.actor == case_manager
    assert (refused.object_type, refused.object_id) == (
        "clients.youngperson",
        str(other_young_person.pk),
    )
    assert refused.young_person_id == other_young_person.pk
    assert refused.object_repr == ""
    assert refused.detail == {"status": 404}
    assert _reads() == []


def test_a_forbidden_action_on_a_record_in_sight_is_recorded(
    client, log_in, supervisor, case_manager, own_young_person
):
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    log_in(supervisor)  # sees the contact; only the workers who made it correct it

    url = reverse("clients:contact-edit", args=[own_young_person.pk, contact.pk])
    assert client.get(url).status_code == 403

    [refused] = AuditEvent.objects.filter(action=AuditAction.REFUSED)
    assert (refused.actor, refused.object_type, refused.detail) == (
        supervisor,
        "clients.contact",
        {"status": 403},
    )


def test_guessing_numbers_that_exist_nowhere_leaves_no_refusal(client, log_in, case_manager):
    log_in(case_manager)

    assert client.get(reverse("clients:detail", args=[987654])).status_code == 404

    assert not AuditEvent.objects.filter(action=AuditAction.REFUSED).exists()


def test_the_trail_does_not_name_another_teams_young_person_to_a_supervisor(
    client, log_in, supervisor, case_manager, other_young_person, other_team_case_manager
):
    """The refusal is the supervisor's to see (their worker tried); whose record it was is not."""
    record(AuditAction.BREAK_GLASS, actor=case_manager, obj=other_young_person)
    log_in(supervisor)

    response = client.get(reverse("audit:trail"), {"username": "case_manager"})

    assert [event.young_person_id for event in response.context["events"]] == [
        other_young_person.pk
    ]
    assert "A record of another team" in response.text
    assert other_young_person.given_name not in response.text
    assert other_young_person.family_name not in response.text


def test_a_home_page_without_client_information_is_no_read(client, log_in, administrator):
    log_in(administrator)

    assert client.get(reverse("home")).status_code == 200

    assert _reads() == []
