from django.db.models import Count, Max, Q, QuerySet

from webhooks.models import Delivery, Subscription


def subscriptions_with_activity() -> QuerySet[Subscription]:
    """Every subscription, with when it was last sent something and how many of its deliveries
    are failing (retrying) or given up on: one query for the list."""
    return Subscription.objects.select_related("system").annotate(
        last_attempt_at=Max("deliveries__last_attempt_at"),
        last_delivered_at=Max("deliveries__delivered_at"),
        failing=Count(
            "deliveries",
            filter=Q(
                deliveries__delivered_at__isnull=True,
                deliveries__gave_up_at__isnull=True,
                deliveries__attempts__gt=0,
            ),
        ),
        given_up=Count("deliveries", filter=Q(deliveries__gave_up_at__isnull=False)),
    )


def deliveries_of(subscription: Subscription) -> QuerySet[Delivery]:
    """Its delivery history, newest first."""
    return subscription.deliveries.select_related("event").order_by("-created_at", "-pk")
