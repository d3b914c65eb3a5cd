"""The administrator's pages of the event feeds: subscriptions, their delivery history, sending
a failed delivery again, stopping a subscription."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toolkit.access import find_or_404, require_permission
from toolkit.forms import add_service_error, submitted
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery, Subscription
from webhooks.queries import deliveries_of, subscriptions_with_activity
from webhooks.services import create_subscription, deactivate_subscription, send_again

HISTORY_PAGE = 50


@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "webhooks.manage_subscriptions")
    return render(
        request,
        "webhooks/subscriptions.html",
        {"subscriptions": subscriptions_with_activity()},
    )


@require_http_methods(["GET", "POST"])
def subscription_create(request: HttpRequest) -> HttpResponse:
    """A new subscription; its secret is shown on the answer to the POST only."""
    require_permission(request, "webhooks.manage_subscriptions")
    form = SubscriptionForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            subscription = create_subscription(by=request.user, **form.fields_to_save())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Events will be sent to {subscription.url}.")
            return _subscription_page(request, subscription, secret=subscription.secret)
    return render(request, "webhooks/subscription_form.html", {"form": form})


@require_GET
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, "webhooks.manage_subscriptions")
    subscription = find_or_404(
        request,
        subscriptions_with_activity().select_related("created_by", "deactivated_by"),
        pk=pk,
    )
    return _subscription_page(request, subscription)


def _subscription_page(
    request: HttpRequest, subscription: Subscription, *, secret: str = ""
) -> HttpResponse:
    page = Paginator(deliveries_of(subscription), HISTORY_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/subscription.html",
        {"subscription": subscription, "page": page, "secret": secret},
    )


@require_POST
def subscription_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, "webhooks.manage_subscriptions")
    subscription = find_or_404(request, Subscription.objects.all(), pk=pk)
    deactivate_subscription(subscription, by=request.user)
    messages.success(request, f"Nothing more is sent to {subscription.url}.")
    return redirect("webhooks:subscription", subscription.pk)


@require_POST
def delivery_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, "webhooks.manage_subscriptions")
    delivery = find_or_404(request, Delivery.objects.all(), pk=pk)
    try:
        send_again(delivery, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Queued to be sent again now: its history below says how it went."
        )
    return redirect("webhooks:subscription", delivery.subscription_id)
