"""The administrator's pages of the event feeds (who else is refused: tests/test_access_matrix)."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from tests.webhooks.factories import DeliveryFactory, SubscriptionFactory
from webhooks.delivery import send_due
from webhooks.models import EventKind, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator_client(client, log_in, administrator):
    log_in(administrator)
    return client


def test_adding_a_subscription_shows_its_secret_once(administrator_client, warehouse):
    response = administrator_client.post(
        reverse("webhooks:subscription-create"),
        {
            "system": warehouse.pk,
            "url": "https://warehouse.example.org/icms/events",
            "kinds": [EventKind.REFERRAL_DECIDED, EventKind.PLAN_APPROVED],
        },
    )

    subscription = Subscription.objects.get()
    assert response.status_code == 200
    assert subscription.secret in response.content.decode()
    assert (subscription.system, subscription.kinds, subscription.active) == (
        warehouse,
        ["case_plan.approved", "referral.decided"],
        True,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="webhooks.subscription"
    ).exists()
    page = administrator_client.get(reverse("webhooks:subscription", args=[subscription.pk]))
    assert subscription.secret not in page.content.decode()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://warehouse.example.org/events", "must start with https://"),
        ("https://user:pw@warehouse.example.org/events", "Leave the user name"),
        ("not an address", "Enter a valid URL"),
    ],
)
def test_an_address_that_is_not_https_is_refused_with_a_reason(
    administrator_client, warehouse, url, said
):
    response = administrator_client.post(
        reverse("webhooks:subscription-create"),
        {"system": warehouse.pk, "url": url, "kinds": [EventKind.PLAN_APPROVED]},
    )

    assert response.status_code == 200
    assert said in response.content.decode()
    assert not Subscription.objects.exists()


def test_plain_http_is_allowed_to_this_machine_only(administrator_client, warehouse):
    for url in ("http://127.0.0.1:8001/in", "http://[::1]:8001/in", "http://localhost/in"):
        administrator_client.post(
            reverse("webhooks:subscription-create"),
            {"system": warehouse.pk, "url": url, "kinds": [EventKind.PLAN_APPROVED]},
        )

    assert Subscription.objects.count() == 3


def test_a_subscription_shows_its_deliveries_newest_first_with_how_they_went(
    administrator_client, warehouse
):
    subscription = SubscriptionFactory(system=warehouse)
    older = DeliveryFactory(subscription=subscription)
    newer = DeliveryFactory(subscription=subscription, last_error="No answer: timed out.")

    response = administrator_client.get(reverse("webhooks:subscription", args=[subscription.pk]))

    assert list(response.context["page"]) == [newer, older]
    content = response.content.decode()
    assert "No answer: timed out." in content
    assert "Send again" in content


def test_sending_again_gives_a_failed_delivery_a_fresh_run_of_retries(
    administrator_client, warehouse, closed_port, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory(system=warehouse, url=f"http://127.0.0.1:{closed_port}/")
    delivery = DeliveryFactory(subscription=subscription, attempts=21, next_attempt_at=None)
    delivery.gave_up_at = delivery.created_at
    delivery.save(update_fields=["gave_up_at"])

    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(reverse("webhooks:send-again", args=[delivery.pk]))

    assert response.status_code == 302
    delivery.refresh_from_db()
    # Tried at once (the test's worker runs tasks at once), refused again, and waiting to retry.
    assert (delivery.attempts, delivery.gave_up_at) == (1, None)
    assert delivery.next_attempt_at is not None


def test_stopping_a_subscription_stops_its_retries(administrator_client, warehouse):
    subscription = SubscriptionFactory(system=warehouse)
    DeliveryFactory(subscription=subscription)

    administrator_client.post(reverse("webhooks:subscription-deactivate", args=[subscription.pk]))

    subscription.refresh_from_db()
    assert subscription.active is False
    assert send_due() == 0


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_list_runs_a_constant_number_of_queries(
    administrator_client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        DeliveryFactory()

    # user, OTP device, groups (the permission); the subscriptions with their systems and
    # activity; unread notifications
    with django_assert_num_queries(5):
        response = administrator_client.get(reverse("webhooks:subscriptions"))
    assert len(response.context["subscriptions"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_a_subscription_page_runs_a_constant_number_of_queries(
    administrator_client, warehouse, django_assert_num_queries, item_count
):
    subscription = SubscriptionFactory(system=warehouse)
    for _ in range(item_count):
        DeliveryFactory(subscription=subscription)

    # user, OTP device, groups; the subscription; the count and page of deliveries with their
    # events; unread notifications; the read recorded (savepoint, insert, release)
    with django_assert_num_queries(10):
        response = administrator_client.get(
            reverse("webhooks:subscription", args=[subscription.pk])
        )
    assert len(response.context["page"]) == item_count
