"""Writing the audit trail. Every other module records through `record`; the reads and refusals
of each answer are recorded by audit.middleware through `record_answer`."""

from contextvars import ContextVar
from datetime import UTC

from axes.helpers import get_client_ip_address
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest, HttpResponse

from audit.models import AuditAction, AuditEvent
from audit.partitions import create_partition, first_of_month
from toolkit.access import AuditNote, audit_note

# The request being served (audit.middleware sets it), so that entries written deep in a
# service still know the address and page they came from.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def _young_person_id(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "clients.YoungPerson":
        return obj.pk
    return getattr(obj, "young_person_id", None)


def _key(obj: models.Model | None) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk)) if obj is not None else ("", "")


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
    actor: AbstractBaseUser | None = None,
    actor_username: str = "",
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict | None = None,
    young_person_id: int | None = None,
    named: bool = True,
) -> AuditEvent:
    """Append one entry: who (`actor`, or the name typed at a failed login), what (`action` on
    `obj`, and the young person it belongs to), when, and from where (`request`, by default
    the request being served). `young_person_id` when `obj` is a part of a part (a task of a
    plan) and does not know it. `named=False` leaves out the record's name (a refused attempt
    on a record the actor may not see: the trail's readers may not see it either)."""
    request = request or current_request.get()
    event = _event(
        action,
        actor=actor,
        actor_username=actor_username,
        obj=obj,
        request=request,
        detail=detail,
        young_person_id=young_person_id,
        named=named,
    )
    _insert_making_partition(event)
    if request is not None:
        audit_note(request).written.add(_key(obj))
    return event


def _event(
    action: AuditAction,
    *,
    actor: AbstractBaseUser | None,
    actor_username: str = "",
    obj: models.Model | None,
    request: HttpRequest | None,
    detail: dict | None = None,
    young_person_id: int | None = None,
    named: bool = True,
) -> AuditEvent:
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent(
        action=action,
        actor=actor,
        actor_username=_storable(actor.get_username() if actor else actor_username)[:150],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_storable(str(obj))[:200] if obj is not None and named else "",
        young_person_id=young_person_id or _young_person_id(obj),
        ip_address=get_client_ip_address(request) if request else None,
        path=_storable(request.path)[:500] if request else "",
        detail=_storable(detail or {}),
    )


def _insert_making_partition(event: AuditEvent) -> None:
    try:
        _insert(event)
    except IntegrityError as error:
        if "no partition" not in str(error):
            raise
        # The daily job that creates partitions ahead has not run: make this month's now.
        with transaction.atomic():
            create_partition(first_of_month(event.occurred_at.astimezone(UTC).date()))
            event.save(force_insert=True)


def _insert(event: AuditEvent) -> None:
    if connection.in_atomic_block:  # a refused insert must not spoil the caller's transaction
        with transaction.atomic():
            event.save(force_insert=True)
    else:  # one statement, no BEGIN and COMMIT around it: the most common write of all
        event.save(force_insert=True)


def record_answer(request: HttpRequest, response: HttpResponse) -> AuditEvent | None:
    """What the answer to `request` showed or refused, from the note the view's lookups left
    (toolkit.access): a page showing a record is a read of it, a list of records a read (or a
    search) of the list; a 403, or a 404 on a record that exists, is a refused attempt. A
    record the view already wrote a row about (a change, an export) is not read again."""
    note: AuditNote | None = getattr(request, "audit_note", None)
    status = response.status_code
    # Nothing is shown on any other answer; a 5xx may be PostgreSQL or the sessions' Redis not
    # answering, which asking for the user would wait on again.
    if note is None or status not in (200, 403, 404):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if status == 404 and note.refused is not None:
        return _refused(request, note.refused, status=status, named=False)
    if status == 403 and note.found:
        return _refused(request, note.found[-1], status=status, named=True)
    if status == 403 and note.refused is not None:
        return _refused(request, note.refused, status=status, named=False)
    if status == 200 and note.restricted_read:
        _record_restricted_reads(request, note.restricted_read)
    if status != 200 or note.shows_no_record or ("", "") in note.written:
        return None
    if note.found:
        subject = note.found[-1]
        if _key(subject) in note.written:
            return None
        # a task's is its plan's: the nearest record found that knows it
        young_person_id = next(filter(None, map(_young_person_id, reversed(note.found))), None)
        return record(
            AuditAction.VIEW,
            actor=user,
            obj=subject,
            request=request,
            detail=note.detail or None,
            young_person_id=young_person_id,
        )
    if note.listing:
        filters = {key: value for key, value in request.GET.items() if value}
        return record(
            AuditAction.SEARCH if filters.get("q") else AuditAction.VIEW,
            actor=user,
            request=request,
            detail={"list": note.listing, "filters": filters, **note.detail},
        )
    return None


def _record_restricted_reads(request: HttpRequest, entries: list[models.Model]) -> None:
    """One entry per restricted entry whose content the answer showed, written in one insert."""
    unique = {_key(entry): entry for entry in entries}.values()
    events = [
        _event(AuditAction.READ_RESTRICTED, actor=request.user, obj=entry, request=request)
        for entry in unique
    ]
    try:
        with transaction.atomic():
            AuditEvent.objects.bulk_create(events)
    except IntegrityError as error:
        if "no partition" not in str(error):
            raise
        for event in events:  # `record` makes the missing partition
            _insert_making_partition(event)


def _refused(request: HttpRequest, obj: models.Model, *, status: int, named: bool) -> AuditEvent:
    return record(
        AuditAction.REFUSED,
        actor=request.user,
        obj=obj,
        request=request,
        detail={"status": status},
        named=named,
    )
