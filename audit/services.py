"""Writing the audit trail. Every other module records through these two functions."""

from datetime import UTC

from axes.helpers import get_client_ip_address
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from accounts.models import User
from audit.middleware import current_request
from audit.models import AuditAction, AuditEvent
from audit.partitions import create_partition, first_of_month


def _young_person_id(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "clients.YoungPerson":
        return obj.pk
    return getattr(obj, "young_person_id", None)


def _storable(value: object) -> object:
    """`value` with each NUL character written out as `\\x00`: PostgreSQL refuses NUL in text
    and in jsonb, and a request may carry one (`?q=%00`); the trail keeps what was sent."""
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def record(
    action: AuditAction,
    *,
    actor: User | None = None,
    actor_username: str = "",
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one entry: who (`actor`, or the name typed at a failed login), what (`action` on
    `obj`, and the young person it belongs to), when, and from where (`request`, by default
    the request being served)."""
    request = request or current_request.get()
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_username=_storable(actor.get_username() if actor else actor_username)[:150],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_storable(str(obj))[:200] if obj is not None else "",
        young_person_id=_young_person_id(obj),
        ip_address=get_client_ip_address(request) if request else None,
        path=_storable(request.path)[:500] if request else "",
        detail=_storable(detail or {}),
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError as error:
        if "no partition" not in str(error):
            raise
        # The daily job that creates partitions ahead has not run: make this month's now.
        with transaction.atomic():
            create_partition(first_of_month(event.occurred_at.astimezone(UTC).date()))
            event.save(force_insert=True)
    return event


def record_view(request: HttpRequest, obj: models.Model, **detail: object) -> AuditEvent:
    """Record that the requesting user looked at `obj` (a young person or part of their record)."""
    return record(
        AuditAction.VIEW, actor=request.user, obj=obj, request=request, detail=detail or None
    )
