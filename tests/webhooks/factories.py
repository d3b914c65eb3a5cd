"""Factories of the event feeds (kept beside their tests; tests/factories.py has the rest)."""

import json

import factory

from accounts.models import ExternalSystem, Role
from tests.factories import TeamFactory, UserFactory
from webhooks.models import Delivery, Event, EventKind, Subscription


class ExternalSystemFactory(factory.django.DjangoModelFactory):
    """A system reading one team's young people, as their supervisor would (read only)."""

    class Meta:
        model = ExternalSystem

    name = factory.Sequence(lambda n: f"Data warehouse {n}")
    account = factory.SubFactory(
        UserFactory,
        username=factory.Sequence(lambda n: f"system-warehouse-{n}"),
        role=Role.SUPERVISOR,
        team=factory.SubFactory(TeamFactory),
    )
    created_by = factory.SubFactory(UserFactory, role=Role.ADMINISTRATOR)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    system = factory.SubFactory(ExternalSystemFactory)
    url = factory.Sequence(lambda n: f"https://warehouse{n}.example.org/icms/events")
    kinds = factory.LazyFunction(lambda: list(EventKind.values))
    created_by = factory.SelfAttribute("system.created_by")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = EventKind.PLAN_APPROVED


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery whose receiver refused its first attempt: one to send again."""

    class Meta:
        model = Delivery

    event = factory.SubFactory(EventFactory)
    subscription = factory.SubFactory(SubscriptionFactory)
    body = factory.LazyAttribute(lambda delivery: json.dumps({"id": str(delivery.event.id)}))
    attempts = 1
    last_status_code = 503
    last_error = "The receiver answered 503 Service Unavailable."
    next_attempt_at = factory.LazyAttribute(lambda delivery: delivery.event.occurred_at)


def two_subscriptions_with_a_failed_delivery() -> dict[str, tuple]:
    """Two systems' subscriptions, each with a failed delivery (for the access matrix)."""
    deliveries = (DeliveryFactory(), DeliveryFactory())
    return {
        "subscriptions": tuple(delivery.subscription for delivery in deliveries),
        "deliveries": deliveries,
    }
