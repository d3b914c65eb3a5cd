"""Accepting a referral carries what child protection told ICMS into the young person's record,
so that nobody types it again; a record ICMS already held is changed only where the supervisor
chooses."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from caseplans.services import start_plan
from clients.models import IntensityLevel, YoungPerson
from referrals.services import accept_referral
from tests.factories import (
    GoalFactory,
    KeyPersonFactory,
    ProfessionalFactory,
    ReferralFactory,
    YoungPersonFactory,
    listed_by_coordinator,
)
from tests.referrals.test_referrals import accept as accept_on_the_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(team, practitioner, register_coordinator):
    """A referral under consideration that says all child protection knows, whose listing the
    register coordinator has confirmed."""
    practitioner.email = "chris.p@cp.example"
    practitioner.save(update_fields=["email"])
    referral = ReferralFactory(
        team=team,
        referred_by=practitioner,
        status="considering",
        given_name="Kayla",
        family_name="Reid",
        cultural_background="Samoan",
        language="Samoan",
        interpreter_needed=True,
        legal_order="cbso",
        legal_order_ends_on=date(2027, 6, 30),
        placement="residential",
        permanency_objective="long_term",
        referrer_phone="03 9000 1234",
        risks=["absconding", "sexual_exploitation"],
    )
    referral.key_people.create(
        name="Dana Reid", relationship="mother", phone="0400 111 222", notes="Weekly contact."
    )
    referral.key_people.create(name="Ray Reid", relationship="father", is_support=False)
    referral.professionals.create(
        role="school", name="Priya Shah", organisation="Northside SC", email="p.shah@school.example"
    )
    listed_by_coordinator(referral, register_coordinator)
    return referral


def accept(referral, supervisor, case_manager, **extra):
    return accept_referral(
        referral,
        by=supervisor,
        case_manager=case_manager,
        intensity=IntensityLevel.objects.get(name="High"),
        agreed_on=date(2026, 11, 20),
        parties="Kayla Reid\nCasey, case manager",
        terms="We agree to meet weekly.",
        **extra,
    )


def test_accepting_carries_culture_order_placement_and_permanency_into_a_new_record(
    referral, supervisor, case_manager
):
    young_person = accept(referral, supervisor, case_manager).young_person

    carried = {
        "cultural_background": "Samoan",
        "language": "Samoan",
        "interpreter_needed": True,
        "legal_order": "cbso",
        "legal_order_ends_on": date(2027, 6, 30),
        "placement": "residential",
        "permanency_objective": "long_term",
    }
    assert {name: getattr(young_person, name) for name in carried} == carried
    assert young_person.get_permanency_objective_display() == "Long-term out-of-home care"


def test_accepting_carries_the_family_and_the_network_with_the_referrer_as_practitioner(
    referral, supervisor, case_manager, practitioner
):
    young_person = accept(referral, supervisor, case_manager).young_person

    family = young_person.key_people.order_by("name")
    assert [(p.name, p.relationship, p.is_support, p.phone, p.notes) for p in family] == [
        ("Dana Reid", "mother", True, "0400 111 222", "Weekly contact."),
        ("Ray Reid", "father", False, "", ""),
    ]
    network = young_person.professionals.order_by("role")
    assert [(p.role, p.name, p.organisation, p.phone, p.email) for p in network] == [
        (
            "child_protection",
            str(practitioner),
            "Child Protection, North division",
            "03 9000 1234",
            "chris.p@cp.example",
        ),
        ("school", "Priya Shah", "Northside SC", "", "p.shah@school.example"),
    ]
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, actor=supervisor)
    assert created.filter(object_type="clients.keyperson").count() == 2
    assert created.filter(object_type="clients.professionalcontact").count() == 2


def test_the_case_manager_can_name_the_mother_on_the_first_task_at_once(
    client, log_in, referral, supervisor, case_manager
):
    young_person = accept(referral, supervisor, case_manager).young_person
    plan = start_plan(young_person, by=case_manager)
    GoalFactory(plan=plan)
    log_in(case_manager)

    (goal,) = plan.goals.all()
    row = client.get(
        reverse("caseplans:task-create", args=[plan.pk, goal.pk]), headers={"HX-Request": "true"}
    )

    owners = [label for _, label in row.context["form"].fields["key_person"].choices]
    assert owners == ["—", "Dana Reid", "Ray Reid"]


def test_the_record_shows_what_was_carried_and_links_to_its_referral(
    client, log_in, referral, supervisor, case_manager
):
    young_person = accept(referral, supervisor, case_manager).young_person
    log_in(case_manager)

    page = client.get(young_person.get_absolute_url())

    assert "Dana Reid" in page.text
    assert "Child protection practitioner" in page.text
    assert "Samoan" in page.text
    assert "Long-term out-of-home care" in page.text
    assert "Sexual exploitation" in page.text
    assert f'href="{reverse("referrals:detail", args=[referral.pk])}"' in page.text
    submitted = timezone.localtime(referral.submitted_at)
    assert f"From referral of {submitted:%-d %b %Y}" in page.text


def test_a_worker_who_may_not_open_the_referral_sees_no_link_to_it(
    client, log_in, referral, supervisor, case_manager, team
):
    young_person = accept(referral, supervisor, case_manager).young_person
    referral.team = YoungPersonFactory().team  # an earlier referral, to another team
    referral.save(update_fields=["team"])
    log_in(supervisor)

    page = client.get(young_person.get_absolute_url())

    assert "From referral of" not in page.text


@pytest.fixture
def earlier_record(referral, team):
    """The record of an earlier time with ICMS, closed, with the same child protection number
    (the one the register coordinator listed)."""
    young_person = YoungPerson.objects.get(child_protection_number=referral.child_protection_number)
    for name, value in {
        "given_name": "Kayla",
        "family_name": "Reid",
        "team": team,
        "status": "closed",
        "language": "English",
        "placement": "kinship",
        "legal_order": "none",
        "legal_order_ends_on": None,
        "cultural_background": "",
        "permanency_objective": "reunification",
    }.items():
        setattr(young_person, name, value)
    young_person.save()
    return young_person


def test_the_accept_page_shows_where_the_referral_differs_from_the_record(
    client, log_in, referral, supervisor, earlier_record
):
    log_in(supervisor)

    page = client.get(reverse("referrals:accept", args=[referral.pk]))

    shown = [
        (difference.label, difference.on_record, difference.in_referral)
        for difference in page.context["form"].differences
    ]
    assert shown == [
        ("Language spoken at home", "English", "Samoan"),
        ("Interpreter needed", "No", "Yes"),
        ("Legal order", "No order", "Care by Secretary order"),
        ("Placement", "Kinship care", "Residential care"),
        ("Permanency objective", "Family reunification", "Long-term out-of-home care"),
    ]
    assert "The record ICMS holds says otherwise" in page.text
    assert "Kinship care" in page.text


def test_a_referral_accepted_takes_an_archived_file_out_of_the_archive(
    referral, supervisor, case_manager, earlier_record
):
    YoungPerson.objects.filter(pk=earlier_record.pk).update(archived_on=date(2026, 1, 5))

    accept(referral, supervisor, case_manager)

    earlier_record.refresh_from_db()
    assert (earlier_record.status, earlier_record.archived_on) == ("active", None)


def test_a_reopened_record_keeps_its_facts_unless_the_supervisor_takes_the_referrals(
    client, log_in, referral, supervisor, case_manager, earlier_record
):
    log_in(supervisor)

    accept_on_the_page(client, referral, case_manager, take_placement="take", take_language="keep")

    earlier_record.refresh_from_db()
    assert earlier_record.status == "active"
    assert earlier_record.placement == "residential"  # taken
    assert earlier_record.language == "English"  # kept
    assert earlier_record.permanency_objective == "reunification"  # not chosen: kept
    assert earlier_record.legal_order == "none"
    assert earlier_record.cultural_background == "Samoan"  # the record held none
    assert YoungPerson.objects.count() == 1


def test_people_already_on_a_reopened_record_are_not_added_twice(
    referral, supervisor, case_manager, practitioner, earlier_record
):
    KeyPersonFactory(young_person=earlier_record, name="dana reid ", relationship="mother")
    KeyPersonFactory(young_person=earlier_record, name="Ray Reid", relationship="grandparent")
    ProfessionalFactory(
        young_person=earlier_record, role="child_protection", name=str(practitioner)
    )

    accept(referral, supervisor, case_manager)

    family = earlier_record.key_people.order_by("name", "relationship")
    assert [(p.name, p.relationship) for p in family] == [
        ("Ray Reid", "father"),  # same name, another relationship: someone else
        ("Ray Reid", "grandparent"),
        ("dana reid ", "mother"),
    ]
    assert earlier_record.professionals.filter(role="child_protection").count() == 1
    assert earlier_record.professionals.filter(name="Priya Shah").count() == 1
