"""What is published, by which service, and to whom: a subscriber is sent only what its system's
account may see, and never a name or a note."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from caseplans.services import approve_plan
from clients.services import change_status
from exits.services import close_episode
from referrals.services import decline_referral
from register.services import list_young_person, record_review
from tests.factories import CasePlanFactory, ReferralFactory, UserFactory, listed_by_coordinator
from tests.webhooks.factories import ExternalSystemFactory, SubscriptionFactory
from tests.webhooks.test_delivery import accept
from webhooks.events import publish
from webhooks.models import Delivery, Event, EventKind

pytestmark = pytest.mark.django_db


def bodies_for(subscription) -> list[dict]:
    return [json.loads(body) for body in subscription.deliveries.values_list("body", flat=True)]


def test_a_subscriber_is_sent_only_events_about_young_people_its_system_sees(
    warehouse, other_warehouse, own_young_person, other_young_person
):
    ours = SubscriptionFactory(system=warehouse)
    theirs = SubscriptionFactory(system=other_warehouse)

    publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=7)

    assert [body["young_person"]["id"] for body in bodies_for(ours)] == [own_young_person.pk]
    assert bodies_for(theirs) == []
    assert Event.objects.count() == 1


def test_the_body_carries_ids_and_codes_and_no_name(warehouse, own_young_person):
    subscription = SubscriptionFactory(system=warehouse)

    event = publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=7)

    body = Delivery.objects.get(subscription=subscription).body
    assert json.loads(body) == {
        "id": str(event.id),
        "kind": "case_plan.approved",
        "occurred_at": event.occurred_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "young_person": {
            "id": own_young_person.pk,
            "status": "active",
            "team": own_young_person.team_id,
        },
        "data": {"case_plan": 7},
    }
    for name in (own_young_person.given_name, own_young_person.family_name):
        assert name not in body


def test_a_subscription_is_sent_only_the_kinds_it_chose_and_only_while_active(
    warehouse, own_young_person
):
    plans_only = SubscriptionFactory(system=warehouse, kinds=[EventKind.PLAN_APPROVED])
    stopped = SubscriptionFactory(system=warehouse, active=False)

    publish(EventKind.YOUNG_PERSON_EXITING, young_person=own_young_person)
    publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=7)

    assert [body["kind"] for body in bodies_for(plans_only)] == ["case_plan.approved"]
    assert bodies_for(stopped) == []


def test_a_system_of_a_switched_off_account_is_sent_nothing(warehouse, own_young_person):
    subscription = SubscriptionFactory(system=warehouse)
    warehouse.account.is_active = False
    warehouse.account.save(update_fields=["is_active"])

    publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=7)

    assert bodies_for(subscription) == []


def test_nothing_is_published_when_the_change_rolls_back(warehouse, own_young_person):
    SubscriptionFactory(system=warehouse)

    @transaction.atomic
    def approve_then_fail():
        publish(EventKind.PLAN_APPROVED, young_person=own_young_person, case_plan=7)
        raise RuntimeError

    with pytest.raises(RuntimeError):
        approve_then_fail()

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


# --- Each event, from the service where it happens --------------------------------------------


def test_declining_a_referral_tells_the_child_protection_system_that_made_it(team, supervisor):
    child_protection = ExternalSystemFactory(
        name="Child protection integration",
        account=UserFactory(username="system-cp", role=Role.PRACTITIONER, division=team.division),
    )
    subscription = SubscriptionFactory(system=child_protection)
    referral = ReferralFactory(
        team=team, referred_by=child_protection.account, status="considering"
    )

    decline_referral(referral, by=supervisor, reason="capacity", notes="No capacity this month.")

    [body] = bodies_for(subscription)
    assert body["kind"] == "referral.decided"
    assert body["referral"] == {
        "id": referral.pk,
        "status": "declined",
        "decision": "declined",
        "decline_reason": "capacity",
    }
    assert "young_person" not in body
    assert "No capacity this month" not in json.dumps(body)


def test_accepting_a_referral_publishes_the_decision_and_the_young_person_accepted(
    team, practitioner, register_coordinator, supervisor, case_manager
):

    referral = ReferralFactory(team=team, referred_by=practitioner, status="considering")
    listed_by_coordinator(referral, register_coordinator)

    accept(referral, supervisor, case_manager)

    referral.refresh_from_db()
    assert list(Event.objects.order_by("kind").values_list("kind", "referral", "young_person")) == [
        ("referral.decided", referral.pk, referral.young_person_id),
        ("young_person.accepted", referral.pk, referral.young_person_id),
    ]


def test_a_young_person_exiting_is_published(own_young_person, supervisor):
    change_status(own_young_person, to="exiting", by=supervisor, reason="Goals met.")
    change_status(own_young_person, to="active", by=supervisor, reason="Not yet.")

    assert list(Event.objects.values_list("kind", "young_person")) == [
        ("young_person.exiting", own_young_person.pk)
    ]


def test_closing_an_episode_is_published_with_its_closure(own_young_person, supervisor):
    closure = close_episode(
        own_young_person,
        by=supervisor,
        closed_on=timezone.localdate(),
        reason="transferred",
        destination="lead_tenant",
        no_exit_plan_because="transferred",
        notes="Settled in the flat.",
    )

    event = Event.objects.get()
    assert (event.kind, event.young_person, event.data) == (
        "young_person.closed",
        own_young_person,
        {"closure": closure.pk},
    )


def test_escalating_at_a_register_review_is_published(
    own_young_person, register_coordinator, supervisor
):
    entry = list_young_person(
        own_young_person,
        by=register_coordinator,
        listed_on=timezone.localdate() - timedelta(days=15),
        risk_factors=["absconding"],
    )

    record_review(
        entry.reviews.get(reviewed_on__isnull=True),
        by=register_coordinator,
        reviewed_on=timezone.localdate(),
        outcome="escalate",
        participants=["child_protection", "icms"],
        escalation="Missing from placement four nights.",
    )

    event = Event.objects.get()
    assert (event.kind, event.young_person) == ("register.review_escalated", own_young_person)
    assert set(event.data) == {"escalation"}


def test_approving_a_case_plan_is_published(own_young_person, supervisor):
    plan = CasePlanFactory(young_person=own_young_person, status="submitted")

    approve_plan(plan, by=supervisor, version=plan.version)

    event = Event.objects.get()
    assert (event.kind, event.young_person, event.data) == (
        "case_plan.approved",
        own_young_person,
        {"case_plan": plan.pk},
    )
