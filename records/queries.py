"""Reads of the records app: when a closed file falls due for retention review, the archive
search, the files due for review, and everything a file holds (what a disposal removes)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pghistory.models
from django.apps import apps
from django.core.files.storage import Storage
from django.db.models import (
    DateField,
    Exists,
    F,
    FileField,
    ForeignKey,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import reverse

from clients.models import YoungPerson
from clients.queries import search_young_people
from exits.models import Closure, FollowUp
from notifications.models import Notification
from records.models import LegalHold, RetentionRule
from toolkit.formats import show_date


def retention_rule() -> RetentionRule:
    """The administrator's rule (one row, which the migration makes); its defaults if it is
    missing."""
    return RetentionRule.objects.filter(pk=1).first() or RetentionRule(pk=1)


class After(Func):
    """The day so many whole years or months after a day (29 February, a year on: the 28th)."""

    output_field = DateField()

    def __init__(self, day: object, *, years: object = 0, months: object = 0) -> None:
        as_integer = {"output_field": IntegerField()}
        super().__init__(day, Value(years, **as_integer), Value(months, **as_integer))

    def as_sql(self, compiler, connection, **extra_context) -> tuple[str, tuple]:
        (day, day_params), (years, years_params), (months, months_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        interval = f"make_interval(years => ({years})::integer, months => ({months})::integer)"
        return f"CAST(({day}) + {interval} AS date)", (*day_params, *years_params, *months_params)


def last_closed_on() -> Coalesce:
    """The day the file last closed: its latest closing (exits.Closure). A file closed before
    closings were recorded counts from its record's last change, never before it closed."""
    closings = Closure.objects.filter(young_person=OuterRef("pk")).order_by("-closed_on", "-pk")
    history = YoungPerson.pgh_event_model.objects.filter(pgh_obj=OuterRef("pk"))
    changed = history.order_by("-pgh_created_at").values(day=TruncDate("pgh_created_at"))
    return Coalesce(Subquery(closings.values("closed_on")[:1]), Subquery(changed[:1]))


def with_retention(young_people: QuerySet[YoungPerson], rule: RetentionRule) -> QuerySet:
    """Each (closed) young person with `last_closed_on` and `retention_due_on`: the later of so
    many years after the last closing and the day they reach the rule's age."""
    return young_people.annotate(last_closed_on=last_closed_on()).annotate(
        retention_due_on=Greatest(
            After(F("last_closed_on"), years=rule.years_after_closure),
            After(F("date_of_birth"), years=rule.until_age),
        )
    )


def under_legal_hold() -> Exists:
    """For annotating or filtering young people: a legal hold on their file stands."""
    return Exists(LegalHold.objects.filter(young_person=OuterRef("pk"), lifted_at__isnull=True))


def standing_hold() -> dict[str, Subquery]:
    """For annotating a young person: the legal hold standing on their file, if any (when and
    why it was placed)."""
    standing = LegalHold.objects.filter(young_person=OuterRef("pk"), lifted_at__isnull=True)
    return {
        "legal_hold_since": Subquery(standing.values("placed_at")[:1]),
        "legal_hold_reason": Subquery(standing.values("reason")[:1]),
    }


def episodes() -> Greatest:
    """How many episodes of ICMS the file holds: its closings (at least one: a closed file)."""
    closings = (
        Closure.objects.filter(young_person=OuterRef("pk"))
        .order_by()
        .values("young_person")
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return Greatest(Coalesce(Subquery(closings, output_field=IntegerField()), 0), 1)


def files_due_for_review(
    closed_files: QuerySet[YoungPerson], *, rule: RetentionRule, on: date
) -> QuerySet:
    """Of `closed_files`, those whose retention date under `rule` has come by `on` and that no
    legal hold keeps, soonest due first, with what the review list shows."""
    return (
        with_retention(closed_files.filter(status=YoungPerson.Status.CLOSED), rule)
        .filter(~under_legal_hold(), retention_due_on__lte=on)
        .annotate(episodes=episodes())
        .select_related("team")
        .order_by("retention_due_on", "family_name", "given_name", "pk")
    )


def archived_files_matching(
    archived_files: QuerySet[YoungPerson], *, text: str, born: date | None
) -> QuerySet[YoungPerson]:
    """Of `archived_files`, those whose names or child protection number `text` gives (each
    word as a prefix, as the caseload's search) and born on `born`, if given."""
    found = search_young_people(archived_files, text) if text.strip() else archived_files
    if born is not None:
        found = found.filter(date_of_birth=born)
    return (
        found.annotate(last_closed_on=last_closed_on())
        .select_related("team")
        .order_by("family_name", "given_name", "pk")
    )


def files_to_archive(on: date) -> QuerySet[YoungPerson]:
    """Closed files not yet archived whose after-care is over by `on`: no follow-up of their
    latest closing is left to make within a month of its due date (all made, the last one a
    month past, or none at all)."""
    latest_closing = Closure.objects.filter(young_person=OuterRef(OuterRef("pk"))).order_by(
        "-closed_on", "-pk"
    )
    in_after_care = (
        FollowUp.objects.filter(
            young_person=OuterRef("pk"),
            closure=Subquery(latest_closing.values("pk")[:1]),
            made_on__isnull=True,
        )
        .alias(given_up_after=After(F("due_on"), months=1))
        .filter(given_up_after__gte=on)
    )
    return YoungPerson.objects.filter(
        status=YoungPerson.Status.CLOSED, archived_on__isnull=True
    ).exclude(Exists(in_after_care))


def retention_of(young_person: YoungPerson) -> dict[str, object]:
    """A closed file's `last_closed_on`, `retention_due_on`, `episodes`, and whether a legal
    hold stands on it (`held`)."""
    return (
        with_retention(YoungPerson.objects.filter(pk=young_person.pk), retention_rule())
        .annotate(held=under_legal_hold(), episodes=episodes())
        .values("last_closed_on", "retention_due_on", "episodes", "held")
        .get()
    )


def disposal_refusals(
    young_person: YoungPerson, retention: dict[str, object], *, on: date
) -> list[str]:
    """Why the file (with its retention_of) may not be disposed of on `on`; nothing if it may."""
    if young_person.status != YoungPerson.Status.CLOSED:
        return ["Only a closed file is disposed of: this one is not closed."]
    refusals = []
    if retention["held"]:
        refusals.append("A legal hold stands on this file: it is kept until the hold is lifted.")
    if retention["retention_due_on"] > on:
        refusals.append(
            f"This file is kept until {show_date(retention['retention_due_on'])}, its retention "
            "date."
        )
    return refusals


# --- Everything a file holds ----------------------------------------------------------------


@dataclass
class FileHoldings:
    """Every row of a young person's file, the history of those rows, the files on disk they
    name and the notices pointing into the file: what a disposal removes."""

    rows: dict[type[Model], set[int]]
    # (history table's model, its column, the ids whose rows go): each row of the rows' history
    history: list[tuple[type[Model], str, list[int]]]
    history_rows: int
    files: list[tuple[Storage, str]]
    notices: list[int]

    @property
    def contents(self) -> dict[str, int]:
        """How many of each kind, by name ("contacts": 120), for the page and the stub."""
        counts: dict[str, int] = defaultdict(int)
        for model, pks in self.rows.items():
            kind = "links between records" if model._meta.auto_created else None
            counts[kind or str(model._meta.verbose_name_plural)] += len(pks)
        counts["files on disk"] = len(self.files)
        counts["history rows"] = self.history_rows
        counts["notifications"] = len(self.notices)
        return dict(sorted((kind, count) for kind, count in counts.items() if count))


def holdings_of(young_person: YoungPerson) -> FileHoldings:
    rows = rows_of_file(young_person)
    history = history_of(rows)
    by_table: dict[type[Model], Q] = defaultdict(Q)
    for model, column, ids in history:
        by_table[model] |= Q(**{f"{column}__in": ids})
    return FileHoldings(
        rows=rows,
        history=history,
        history_rows=sum(model.objects.filter(q).count() for model, q in by_table.items()),
        files=files_named_by(rows),
        notices=list(
            Notification.objects.filter(
                url__startswith=reverse("clients:detail", args=[young_person.pk])
            ).values_list("pk", flat=True)
        ),
    )


def _holds_records(model: type[Model]) -> bool:
    """A model whose rows are records (not a trail: the audit trail and the field history)."""
    return model._meta.managed and not issubclass(model, pghistory.models.Event)


def _links() -> list[ForeignKey]:
    return [
        field
        for model in apps.get_models(include_auto_created=True)
        if _holds_records(model)
        for field in model._meta.concrete_fields
        if field.many_to_one or field.one_to_one
    ]


def rows_of_file(young_person: YoungPerson) -> dict[type[Model], set[int]]:
    """The young person's record and every row whose foreign keys reach it, however many steps
    away (a document's versions, the tasks of a plan's goals, a record merged into it), read
    from the models so that a kind of record added later cannot be left behind."""
    links = _links()
    rows: dict[type[Model], set[int]] = {YoungPerson: {young_person.pk}}
    new = dict(rows)
    while new:
        found: dict[type[Model], set[int]] = defaultdict(set)
        for field in links:
            targets = new.get(field.related_model)
            if targets:
                pointing = field.model._base_manager.filter(**{f"{field.attname}__in": targets})
                found[field.model] |= set(pointing.values_list("pk", flat=True))
        new = {model: pks - rows.get(model, set()) for model, pks in found.items()}
        new = {model: pks for model, pks in new.items() if pks}
        for model, pks in new.items():
            rows.setdefault(model, set()).update(pks)
    return rows


def history_of(rows: dict[type[Model], set[int]]) -> list[tuple[type[Model], str, list[int]]]:
    """Where the field history of `rows` is: each history table with a column naming one of
    them (the row it is a version of, or a row it belonged to: a version of a row since
    deleted), and which ids."""
    found = []
    for model in apps.get_models():
        if not issubclass(model, pghistory.models.Event) or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not field.many_to_one or field.name == "pgh_context":
                continue
            target = model.pgh_tracked_model if field.name == "pgh_obj" else field.related_model
            if target in rows:
                found.append((model, field.column, sorted(rows[target])))
    return found


def files_named_by(rows: dict[type[Model], set[int]]) -> list[tuple[Storage, str]]:
    """The files on disk the rows name (a document's versions, a referral's attachments, a
    release's copies), each with its storage."""
    named = []
    for model, pks in rows.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names = model._base_manager.filter(pk__in=pks).values_list(field.attname, flat=True)
                named += [(field.storage, name) for name in names if name]
    return named
