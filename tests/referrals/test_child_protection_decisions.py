"""The permanency objective, the legal order and the placement are child protection's decisions:
the young person's child protection practitioner records them, dated, with their history; ICMS
reads them and cannot change them; the case manager is told of each change."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clients.models import ChildProtectionDecision
from clients.services import update_young_person
from notifications.models import Notification
from tests.clients.test_record_versions import opened
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(accepted_referral):
    return accepted_referral


def decision(young_person, **changes) -> dict:
    """The form as sent; a change of placement says why (a planned move unless told)."""
    moved = {"placement", "placement_details"} & set(changes)
    return {
        "version": young_person.version,
        "decided_on": "2026-03-02",
        "note": "",
        "permanency_objective": young_person.permanency_objective,
        "legal_order": young_person.legal_order,
        "legal_order_ends_on": "",
        "placement": young_person.placement,
        "placement_details": young_person.placement_details,
        "placement_reason": "planned" if moved else "",
        "placement_reason_details": "",
    } | changes


def test_the_practitioner_records_a_change_of_placement_and_the_case_manager_is_told(
    client, log_in, practitioner, case_manager, own_young_person, referral
):
    own_young_person.placement = "residential"
    own_young_person.save()
    url = reverse("referrals:decisions", args=[referral.pk])
    log_in(practitioner)
    assert url in client.get(reverse("referrals:detail", args=[referral.pk])).text

    response = client.post(
        url,
        decision(
            own_young_person,
            placement="kinship",
            placement_details="With her grandmother in Preston",
            note="Case planning meeting",
        ),
        follow=True,
    )

    assert f"The decision is recorded; {case_manager} is told." in response.text
    own_young_person.refresh_from_db()
    assert (own_young_person.placement, own_young_person.placement_details) == (
        "kinship",
        "With her grandmother in Preston",
    )
    recorded = ChildProtectionDecision.objects.get()
    assert (recorded.subject, recorded.before, recorded.after, recorded.decided_on) == (
        "placement",
        "Residential care",
        "Kinship care: With her grandmother in Preston",
        date(2026, 3, 2),
    )
    told = Notification.objects.get(recipient=case_manager)
    assert "placement to Kinship care: With her grandmother in Preston" in told.message
    assert told.url == own_young_person.get_absolute_url()

    log_in(case_manager)
    record = client.get(own_young_person.get_absolute_url()).text
    assert f"Set by child protection on 2 Mar 2026 by {practitioner}" in record
    assert "Residential care → <strong>Kinship care: With her grandmother in Preston" in record
    assert "Case planning meeting" in record


def test_each_decision_changed_at_once_is_its_own_line_of_history(
    client, log_in, practitioner, own_young_person, referral
):
    log_in(practitioner)

    client.post(
        reverse("referrals:decisions", args=[referral.pk]),
        decision(
            own_young_person,
            permanency_objective="reunification",
            legal_order="fro",
            legal_order_ends_on="2027-03-01",
        ),
    )

    assert sorted(ChildProtectionDecision.objects.values_list("subject", "after")) == [
        ("legal_order", "Family reunification order, until 1 Mar 2027"),
        ("permanency", "Family reunification"),
    ]
    page = client.get(reverse("referrals:decisions", args=[referral.pk])).text
    assert "Family reunification order, until 1 Mar 2027" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "This is what is recorded already"),
        ({"placement": "kinship", "decided_on": "2009-01-01"}, "before the young person was born"),
        ({"placement": "kinship", "decided_on": "2999-01-01"}, "This date is in the future"),
        ({"placement": "kinship", "decided_on": ""}, "This field is required"),
    ],
)
def test_a_decision_that_cannot_be_right_is_refused_and_nothing_is_recorded(
    client, log_in, practitioner, case_manager, own_young_person, referral, changes, message
):
    log_in(practitioner)

    response = client.post(
        reverse("referrals:decisions", args=[referral.pk]), decision(own_young_person, **changes)
    )

    assert message in response.text
    assert not ChildProtectionDecision.objects.exists()
    assert not Notification.objects.filter(recipient=case_manager).exists()


def test_icms_workers_read_the_decisions_and_cannot_change_them(
    client, log_in, case_manager, supervisor, own_young_person, referral
):
    own_young_person.placement = "residential"
    own_young_person.save()
    log_in(case_manager)
    edit = reverse("clients:edit", args=[own_young_person.pk])
    data = opened(client, edit)
    assert {"permanency_objective", "legal_order", "placement"} & set(data) == set()

    client.post(edit, data | {"placement": ["homeless"], "legal_order": ["pco"]})

    own_young_person.refresh_from_db()
    assert (own_young_person.placement, own_young_person.legal_order) == ("residential", "none")
    for worker in (case_manager, supervisor):
        log_in(worker)
        assert client.get(reverse("referrals:decisions", args=[referral.pk])).status_code == 403
        record = client.get(own_young_person.get_absolute_url()).text
        assert "Residential care" in record
        assert reverse("referrals:decisions", args=[referral.pk]) not in record


def test_only_the_practitioner_of_the_current_episode_records_decisions(
    client, log_in, practitioner, own_young_person, referral
):
    earlier = ReferralFactory(
        referred_by=practitioner,
        team=referral.team,
        status="accepted",
        young_person=own_young_person,
        decided_at=timezone.now().replace(year=2024),
    )
    later_practitioner = UserFactory(role=Role.PRACTITIONER, division=practitioner.division)
    log_in(practitioner)
    assert client.get(reverse("referrals:decisions", args=[earlier.pk])).status_code == 403

    referral.referred_by = later_practitioner
    referral.save()

    assert client.get(reverse("referrals:decisions", args=[referral.pk])).status_code == 404
    log_in(later_practitioner)
    assert client.get(reverse("referrals:decisions", args=[referral.pk])).status_code == 200


def test_a_decision_made_while_the_case_manager_edits_the_record_is_not_undone(
    client, log_in, practitioner, case_manager, own_young_person, referral
):
    log_in(case_manager)
    edit = reverse("clients:edit", args=[own_young_person.pk])
    data = opened(client, edit)
    log_in(practitioner)
    client.post(
        reverse("referrals:decisions", args=[referral.pk]),
        decision(own_young_person, placement="kinship"),
    )

    log_in(case_manager)
    refused = client.post(edit, data | {"language": ["Dari"]})

    assert "Placement: “Kinship care”" in refused.text
    own_young_person.refresh_from_db()
    assert (own_young_person.placement, own_young_person.language) == ("kinship", "")


def test_no_icms_change_of_the_record_touches_child_protections_decisions(
    case_manager, own_young_person
):
    with pytest.raises(ValidationError, match="child protection's decisions"):
        update_young_person(own_young_person, by=case_manager, version=1, placement="homeless")


def test_a_change_of_placement_says_why_and_a_correction_is_no_move(
    client, log_in, practitioner, own_young_person, referral
):
    url = reverse("referrals:decisions", args=[referral.pk])
    log_in(practitioner)

    unexplained = client.post(url, decision(own_young_person, placement="kinship") | {
        "placement_reason": ""
    })  # fmt: skip
    other = client.post(url, decision(own_young_person, placement="kinship") | {
        "placement_reason": "other"
    })  # fmt: skip
    corrected = client.post(url, decision(
        own_young_person, placement_details="Carer named right", placement_reason="correction"
    ))  # fmt: skip
    moved = client.post(url, decision(
        own_young_person.__class__.objects.get(pk=own_young_person.pk), placement="custody",
        placement_reason="into_custody",
    ))  # fmt: skip

    assert "Say why the placement changed." in unexplained.text
    assert "Say what the reason was." in other.text
    assert corrected.status_code == moved.status_code == 302
    recorded = ChildProtectionDecision.objects.order_by("recorded_at", "pk")
    assert [(d.placement_reason, d.is_placement_move) for d in recorded] == [
        ("correction", False),
        ("into_custody", True),
    ]
    assert recorded.last().placement == "custody"
