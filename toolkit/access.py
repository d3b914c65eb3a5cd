"""How a view finds a record, refuses an action, and says what its answer shows.

A view finds records only through `find_or_404` on the app's visibility queryset (rules.py):
outside it, 404. Whatever a view finds, or is refused, is noted on the request, and
audit.middleware writes the audit trail from the note when the answer leaves: a page shown is
a read of the record it found; a 403, or a 404 on a record that exists, is a refused attempt.
So a new page cannot forget to audit its reads: it has no other way to reach a record
(tests/test_policy.py), and the access matrix checks every answer's row.
"""

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import wraps
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)
V = TypeVar("V", bound=Callable[..., HttpResponse])


@dataclass
class AuditNote:
    """What one request found and showed, for the audit trail (audit.middleware)."""

    found: list[Model] = field(default_factory=list)  # outermost first: young person, contact
    refused: Model | None = None  # a record that exists, outside the user's sight
    listing: str = ""  # a page listing client records: which list
    shows_no_record: bool = False
    detail: dict = field(default_factory=dict)
    written: set[tuple[str, str]] = field(default_factory=set)  # rows the services wrote
    # Restricted entries whose content the answer showed: each read is recorded as such.
    restricted_read: list[Model] = field(default_factory=list)
    changes_closed_files: bool = False


def audit_note(request: HttpRequest) -> AuditNote:
    request = getattr(request, "_request", request)  # REST framework's Request wraps Django's
    note = getattr(request, "audit_note", None)
    if note is None:
        note = request.audit_note = AuditNote()
    return note


def find_or_404(request: HttpRequest, records: QuerySet[M], **lookup: object) -> M:
    """The record of `records` (the user's visibility queryset, or a part of a record already
    found) matching `lookup`, or 404: the same answer whether it does not exist or is not theirs."""
    note = audit_note(request)
    try:
        found = records.get(**lookup)
    except records.model.DoesNotExist:
        note_refused(request, records.model, **lookup)
        raise Http404 from None
    except (ValueError, TypeError, ValidationError):  # a lookup value of the wrong shape
        raise Http404 from None
    if request.method not in SAFE_METHODS and not note.changes_closed_files:
        refuse_changes_to_closed_files(found)
    note.found.append(found)
    return found


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# What the 403 page says (templates/403.html shows a refusal's own words).
CLOSED_FILE = "This file is closed: it can be read, not changed."


def refuse_changes_to_closed_files(record: Model) -> None:
    """A closed young person's file is read-only: an action on it, or on a record of it, is
    refused (403) unless its view says it `changes_closed_files` (after-care, legal holds,
    releases, reopening). Records of other services kept about a young person (a referral,
    the register's entries) say `part_of_the_file = False`: they go on after ICMS closes."""
    if is_closed_file(record):
        raise PermissionDenied(CLOSED_FILE)


def is_closed_file(record: Model) -> bool:
    """Whether `record` is a closed young person's record, or a part of their file: what a page
    then offers to change is left out (refuse_changes_to_closed_files)."""
    if not getattr(record, "part_of_the_file", True):
        return False
    if record._meta.label == "clients.YoungPerson":
        young_person = record
    elif any(field.name == "young_person" for field in record._meta.get_fields()):
        young_person = record.young_person
    else:
        return False
    return young_person is not None and young_person.status == "closed"


def note_refused(request: HttpRequest, model: type[Model], **lookup: object) -> None:
    """Note the record of `model` matching `lookup`, if there is one, as refused to the user."""
    with suppress(ValueError, TypeError, ValidationError):
        audit_note(request).refused = model._base_manager.filter(**lookup).first()


def found_record(request: HttpRequest, record: Model) -> None:
    """Note a record the view reached through one it found (an agreement of a referral)."""
    audit_note(request).found.append(record)


def audit_detail(request: HttpRequest, **detail: object) -> None:
    """Say more about the read, for the trail (`timeline=True`, `pdf=True`)."""
    audit_note(request).detail.update(detail)


def shows_restricted_content(request: HttpRequest, entries: Iterable[Model]) -> None:
    """The answer shows the content of these restricted entries (clients.RestrictableEntry) to
    one of their readers: the trail records a read of each, as a read of restricted content,
    so that a supervisor can see who read it. Entries that are not restricted are ignored."""
    audit_note(request).restricted_read.extend(
        entry for entry in entries if getattr(entry, "is_restricted", False)
    )


def require_permission(request: HttpRequest, permission: str, obj: object = None) -> None:
    """403 unless the user has `permission` (on `obj`). Records outside a user's sight are
    refused earlier, with a 404, by `find_or_404`."""
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def shows_list(request: HttpRequest, name: str) -> None:
    """This answer lists young people or parts of their records: it is a read (a search, when
    it has `?q=`) of the list `name`, with its filters."""
    audit_note(request).listing = name


def lists_client_records(view: V) -> V:
    """A page that always lists young people or parts of their records (shows_list)."""

    @wraps(view)
    def listing(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        shows_list(request, view.__name__)
        return view(request, *args, **kwargs)

    return listing  # type: ignore[return-value]


def changes_closed_files(view: V) -> V:
    """A view that may change a closed young person's file (refuse_changes_to_closed_files)."""

    @wraps(view)
    def allowed(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        audit_note(request).changes_closed_files = True
        return view(request, *args, **kwargs)

    return allowed  # type: ignore[return-value]


def shows_no_record(view: V) -> V:
    """A view that finds a record to act on it but whose answer shows nothing of it (the contact
    form's autosave answers "draft saved"): no read is recorded; refusals still are."""

    @wraps(view)
    def quiet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        audit_note(request).shows_no_record = True
        return view(request, *args, **kwargs)

    return quiet  # type: ignore[return-value]
