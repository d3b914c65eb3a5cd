"""Event feeds: what an external system is sent when something happens in ICMS, and the record
of each delivery. A subscription's scope is its system's account (accounts.ExternalSystem):
an event reaches it only if the account may see what the event is about (webhooks.events)."""

import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from accounts.models import ExternalSystem
from clients.models import YoungPerson
from referrals.models import Referral

# Plain http:// only to a receiver on this machine: nothing sent there crosses a network.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def validate_receiver_url(url: str) -> None:
    URLValidator(schemes=["https", "http"])(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and host not in LOOPBACK_HOSTS:
        raise ValidationError(
            "The address must start with https://: events carry facts about young people and "
            "are only sent encrypted (plain http:// is allowed only to this machine, at "
            "127.0.0.1, ::1 or localhost).",
            code="https_required",
        )
    if parts.username or parts.password:
        raise ValidationError(
            "Leave the user name and password out of the address: each delivery is signed.",
            code="credentials_in_url",
        )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class EventKind(models.TextChoices):
    REFERRAL_DECIDED = "referral.decided", "Referral decided (accepted or declined)"
    YOUNG_PERSON_ACCEPTED = "young_person.accepted", "Young person accepted"
    YOUNG_PERSON_EXITING = "young_person.exiting", "Young person exiting"
    YOUNG_PERSON_CLOSED = "young_person.closed", "Young person's episode closed"
    REVIEW_ESCALATED = "register.review_escalated", "Register review escalated"
    PLAN_APPROVED = "case_plan.approved", "Case plan approved"


class Subscription(models.Model):
    """An external system's HTTPS endpoint and the kinds of event it is sent."""

    system = models.ForeignKey(
        ExternalSystem, on_delete=models.PROTECT, related_name="subscriptions"
    )
    url = models.CharField(
        "receiver's address",
        max_length=500,
        validators=[validate_receiver_url],
        help_text="Where each event is posted, e.g. https://warehouse.example.org/icms/events.",
    )
    # Kept as it is, not hashed: ICMS signs every delivery with it (webhooks.signing), so it
    # must be readable here. It is shown to the administrator once, when the subscription is made.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    kinds = ArrayField(
        models.CharField(max_length=32, choices=EventKind),
        verbose_name="events",
        help_text="The kinds of event sent to this address.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["system__name", "url", "pk"]

    def __str__(self) -> str:
        return f"{self.system} at {self.url}"

    def get_kinds_display(self) -> list[str]:
        return [EventKind(kind).label for kind in self.kinds if kind in EventKind.values]


class Event(models.Model):
    """Something that happened, once, whoever is told of it. Its id is the id receivers
    recognise a delivery by, however often it is sent."""

    # What was announced, about the record as it then was: a merge leaves it pointing there
    # (clients.services.young_person_relations), as the audit trail does.
    is_a_trail = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=EventKind)
    occurred_at = models.DateTimeField(default=timezone.now)
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Ids and codes only (a plan's number, a closure's reason code): never names or notes.
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.id})"


class Delivery(models.Model):
    """One event sent to one subscription: the body built for that subscription's scope, and
    how its sending went. Retried with back-off until the receiver answers 2xx
    (webhooks.delivery)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    # The exact JSON text posted, each time: its signature covers these bytes.
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="one_delivery_per_event_and_subscription"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_delivery_due",
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
            )
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription}"

    @property
    def failed(self) -> bool:
        """Not delivered and given up on, or its last attempt refused: it may be sent again."""
        return self.delivered_at is None and (self.gave_up_at is not None or self.attempts > 0)

    @property
    def status(self) -> str:
        if self.delivered_at:
            return "Delivered"
        if self.gave_up_at:
            return "Given up"
        if self.attempts:
            return "Failing, will retry"
        return "Waiting"
