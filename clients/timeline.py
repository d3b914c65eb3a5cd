"""The young person's timeline: what happened to them, newest first, whichever app recorded it.

The timeline is a registry. Each app registers the kinds of entry it records, from its own
`timeline.py` (imported by its AppConfig.ready()), so clients, below the case apps, knows none
of them. A kind says which of its records the user may see, when each thing happened to them,
how they are fetched and which template shows one. Every moment of every kind has a rank,
stated once, where the moment is declared: it orders entries of the same moment and names the
moment in the paging key, so two moments may not share one (register() refuses).

A page is one UNION query for the (moment, rank, id) of its entries, then one fetch for each
kind on it (the moments of one table share theirs), whatever the length of the history and
however many kinds are registered.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, Lag, NullIf, Trim

from accounts.models import User
from clients.models import (
    Allocation,
    BreakGlassAccess,
    Contact,
    Disclosure,
    RestrictableEntry,
    WorkerSafetyAlert,
    YoungPerson,
)
from clients.rules import break_glass_accesses_visible_to, with_readable_content

TIMELINE_PAGE = 25

Fetch = Callable[[list[int], User], dict[int, Any]]


@dataclass(frozen=True)
class Moment:
    """One thing that puts a record on the timeline: a plan made, the same plan approved."""

    rank: int  # unique among all moments of all kinds: orders ties, names the moment in the key
    event: str  # what the kind's template is told happened: "made", "ended", "decided"
    # The records of this young person that the user may see, at least those of this moment.
    records: Callable[[YoungPerson, User], QuerySet]
    at: str | Expression  # when it happened, a field or an expression of the records
    # their ids and the user -> the records to show; moments of one table share one fetch
    fetch: Fetch
    whole_day: bool = False  # `at` is a day, not a time: shown without a time


@dataclass(frozen=True)
class TimelineKind:
    name: str  # the filter's value: ?kind=contact
    label: str  # the filter's label: "Contacts"
    template: str  # shows one entry: `entry` (its `event`, `at`) and `item`, the record
    moments: tuple[Moment, ...]
    accent: str = "secondary"  # the Bootstrap colour of the entry's border
    # The text fields of its records that the file's search reads (?q=); none: not searched.
    searched: tuple[str, ...] = ()


_KINDS: dict[str, TimelineKind] = {}
_BY_RANK: dict[int, tuple[TimelineKind, Moment]] = {}


def register(kind: TimelineKind) -> TimelineKind:
    """Add a kind to the timeline. A second kind of the same name, or a rank some moment
    already has, is refused: the paging keys and the order of ties would become ambiguous."""
    if kind.name in _KINDS:
        raise ValueError(f"The timeline already has a kind named {kind.name!r}.")
    ranks = [moment.rank for moment in kind.moments]
    if not ranks or len(set(ranks)) != len(ranks):
        raise ValueError(f"The timeline kind {kind.name!r} needs moments of distinct ranks.")
    if taken := sorted(rank for rank in ranks if rank in _BY_RANK):
        holders = ", ".join(sorted({_BY_RANK[rank][0].name for rank in taken}))
        raise ValueError(
            f"The timeline kind {kind.name!r} uses rank(s) {taken}, taken by {holders}."
        )
    _KINDS[kind.name] = kind
    for moment in kind.moments:
        _BY_RANK[moment.rank] = (kind, moment)
    return kind


def timeline_kinds() -> list[TimelineKind]:
    """Every kind registered, in the order of their ranks (the filter's order)."""
    return sorted(_KINDS.values(), key=lambda kind: min(moment.rank for moment in kind.moments))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # the kind's name
    event: str  # the moment's event
    item: Any  # the record, as its kind fetched it
    template: str
    accent: str
    whole_day: bool

    @property
    def ended(self) -> bool:
        """For an alert or an allocation: this entry is its ending."""
        return self.event == "ended"


Key = tuple[datetime, int, int]


def timeline_page(
    young_person: YoungPerson,
    *,
    user: User,
    kinds: Iterable[str],
    before: Key | None,
    size: int,
    words: str = "",
) -> tuple[list[TimelineEntry], Key | None]:
    """One page of the young person's chronology, newest first, of the kinds asked for (names),
    as `user` may see it, and the key of the next (older) page. Keyset paging on (moment, rank,
    id). The young person is one the user sees: the view found them through the policy. With
    `words`, only the entries of searched kinds that say them (matching_words)."""
    parts: list[str] = []
    params: list[Any] = []
    for name in kinds:
        kind = _KINDS.get(name)
        if kind is None or (words and not kind.searched):
            continue
        for moment in kind.moments:
            records = moment.records(young_person, user)
            if words:
                records = matching_words(records, words, fields=kind.searched, user=user)
            rows = records.order_by().values_list(
                moment.at, Value(moment.rank, IntegerField()), "pk"
            )
            sql, part_params = rows.query.sql_with_params()
            parts.append(f"({sql})")
            params.extend(part_params)
    if not parts:
        return [], None
    keyset = ""
    if before is not None:
        keyset = "WHERE (at, rank, id) < (%s, %s, %s)"
        params.extend(before)
    sql = (
        f"SELECT at, rank, id FROM ({' UNION ALL '.join(parts)}) AS entries (at, rank, id) "  # noqa: S608 - SQL compiled by Django
        f"{keyset} ORDER BY at DESC, rank DESC, id DESC LIMIT %s"
    )
    params.append(size + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    page, more = rows[:size], len(rows) > size
    wanted: dict[Fetch, list[int]] = {}
    for _, rank, pk in page:
        wanted.setdefault(_BY_RANK[rank][1].fetch, []).append(pk)
    fetched = {fetch: fetch(ids, user) for fetch, ids in wanted.items()}
    entries = []
    for at, rank, pk in page:
        kind, moment = _BY_RANK[rank]
        if pk not in fetched[moment.fetch]:
            continue  # gone between the two reads (a draft deleted meanwhile)
        entries.append(
            TimelineEntry(
                at=at,
                kind=kind.name,
                event=moment.event,
                item=fetched[moment.fetch][pk],
                template=kind.template,
                accent=kind.accent,
                whole_day=moment.whole_day,
            )
        )
    return entries, (page[-1] if more else None)


def matching_words(
    records: QuerySet, words: str, *, fields: tuple[str, ...], user: User
) -> QuerySet:
    """The records whose `fields` say `words` (PostgreSQL full-text search in English: "drinking"
    finds "drank", "-police" leaves out, "quoted words" go together), among those whose content
    the user may read: a match on a restricted entry's content would tell a non-reader what it
    says."""
    said = SearchVector(*fields, config="english")
    searched = SearchQuery(words, search_type="websearch", config="english")
    return (
        with_readable_content(records, user)
        .alias(said=said)
        .filter(content_readable=True, said=searched)
    )


class StartOfDay(Func):
    """A date as the moment its day begins here (settings.TIME_ZONE), to sort among moments."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context) -> tuple[str, tuple]:
        day, params = compiler.compile(self.source_expressions[0])
        return f"(({day})::timestamp AT TIME ZONE %s)", (*params, settings.TIME_ZONE)


def by_pk(queryset: QuerySet) -> Fetch:
    """The fetch of a kind whose records `queryset` (with what its template shows) holds. An
    entry that can be restricted (clients.models.RestrictableEntry) comes with
    `content_readable`: its template shows a restricted one's content only to its readers."""
    restrictable = issubclass(queryset.model, RestrictableEntry)

    def fetch(ids: list[int], user: User) -> dict[int, Any]:
        records = queryset.all()
        if restrictable:
            records = with_readable_content(records, user)
        return records.in_bulk(ids)

    return fetch


def restricted_content_shown(entries: Iterable[TimelineEntry]) -> list[Any]:
    """The restricted entries of a page whose content its reader is shown. An item that is a
    part of one (a document's version) names it as its `restricted_entry`."""
    shown = (getattr(entry.item, "restricted_entry", entry.item) for entry in entries)
    return [
        item for item in shown if getattr(item, "is_restricted", False) and item.content_readable
    ]


# --- The kinds clients records ----------------------------------------------------------------
# The young person is one the user sees (the view found them so), and every one of these is
# part of their record, except an after-hours access, which clients.rules limits further.


def _of_young_person(model, **conditions: object) -> Callable[[YoungPerson, User], QuerySet]:
    return lambda young_person, user: model.objects.filter(young_person=young_person, **conditions)


def _status_changes(young_person: YoungPerson, user: User) -> QuerySet:
    """The snapshots of the record (pghistory) whose status differs from the one before:
    the record opened, then each move (taken on, exiting, closed, reopened)."""
    history = YoungPerson.pgh_event_model.objects.filter(pgh_obj=young_person.pk)
    return history.annotate(
        status_before=Window(
            Lag("status", default=Value("")), order_by=[F("pgh_created_at"), F("pgh_id")]
        )
    ).filter(~Q(status_before=F("status")))


# The record opened when it says it was made (a record brought over from another system keeps
# its date); a later move when the database saw it.
_STATUS_CHANGED_AT = Case(When(status_before="", then=F("created_at")), default=F("pgh_created_at"))


def _status_changes_shown(ids: list[int], user: User) -> dict[int, "StatusChange"]:
    history = YoungPerson.pgh_event_model.objects.filter(pgh_obj=OuterRef("pgh_obj"))
    earlier = Q(pgh_created_at__lt=OuterRef("pgh_created_at")) | Q(
        pgh_created_at=OuterRef("pgh_created_at"), pgh_id__lt=OuterRef("pgh_id")
    )
    # Who made the change is in the snapshot's context (pghistory.middleware); a change made
    # outside a request (a job, a command) has none.
    worker = User.objects.filter(
        pk=Cast(KeyTextTransform("user", OuterRef("pgh_context__metadata")), IntegerField())
    ).annotate(
        name=Coalesce(
            NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username"
        )
    )
    events = YoungPerson.pgh_event_model.objects.filter(pgh_id__in=ids).annotate(
        status_before=Subquery(
            history.filter(earlier).order_by("-pgh_created_at", "-pgh_id").values("status")[:1]
        ),
        changed_by=Subquery(worker.values("name")[:1]),
    )
    return {
        event.pgh_id: StatusChange(
            pk=event.pgh_id,
            young_person_id=event.pgh_obj_id,
            before=event.status_before or "",
            after=event.status,
            by=event.changed_by or "",
        )
        for event in events
    }


@dataclass(frozen=True)
class StatusChange:
    """A move of the young person's status: the record opened (nothing before), taken on,
    exiting, closed, reopened."""

    pk: int  # of the snapshot
    young_person_id: int
    before: str
    after: str
    by: str  # the worker's name, as User.__str__ says it; empty when not known

    @property
    def before_label(self) -> str:
        return YoungPerson.Status(self.before).label if self.before else ""

    @property
    def after_label(self) -> str:
        return YoungPerson.Status(self.after).label


register(
    TimelineKind(
        "contact",
        "Contacts",
        "clients/timeline/contact.html",
        (
            Moment(
                1,
                "made",
                _of_young_person(Contact),
                "started_at",
                # the young person names a restricted contact in the trail of its reads
                by_pk(Contact.objects.select_related("young_person").prefetch_related("workers")),
            ),
        ),
        accent="primary",
        searched=("notes", "follow_up"),
    )
)
_alerts = by_pk(WorkerSafetyAlert.objects.select_related("created_by", "ended_by"))
register(
    TimelineKind(
        "alert",
        "Safety alerts",
        "clients/timeline/alert.html",
        (
            Moment(2, "raised", _of_young_person(WorkerSafetyAlert), "created_at", _alerts),
            Moment(
                3,
                "ended",
                _of_young_person(WorkerSafetyAlert, ended_at__isnull=False),
                "ended_at",
                _alerts,
            ),
        ),
        accent="danger",
    )
)
_allocations = by_pk(Allocation.objects.select_related("worker", "allocated_by", "ended_by"))
register(
    TimelineKind(
        "allocation",
        "Allocations",
        "clients/timeline/allocation.html",
        (
            Moment(4, "made", _of_young_person(Allocation), "recorded_at", _allocations),
            Moment(
                7,
                "ended",
                _of_young_person(Allocation, ended_at__isnull=False),
                "ended_at",
                _allocations,
            ),
        ),
    )
)
register(
    TimelineKind(
        "disclosure",
        "Disclosures",
        "clients/timeline/disclosure.html",
        (
            Moment(
                5,
                "made",
                _of_young_person(Disclosure),
                "recorded_at",
                by_pk(Disclosure.objects.select_related("disclosed_by")),
            ),
        ),
    )
)
register(
    TimelineKind(
        "break_glass",
        "After-hours access",
        "clients/timeline/break_glass.html",
        (
            Moment(
                6,
                "granted",
                lambda young_person, user: break_glass_accesses_visible_to(user).filter(
                    young_person=young_person
                ),
                "granted_at",
                by_pk(BreakGlassAccess.objects.select_related("worker")),
            ),
        ),
    )
)
register(
    TimelineKind(
        "status",
        "Status changes",
        "clients/timeline/status.html",
        (Moment(9, "changed", _status_changes, _STATUS_CHANGED_AT, _status_changes_shown),),
        accent="info",
    )
)
