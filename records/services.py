"""Every write of the records app, each with its audit entry: archiving closed files once their
after-care is over, legal holds, and the disposal of a file past its retention date, file by
file, on its supervisor's approval. Nothing else in ICMS deletes a file's rows or its files."""

import logging
from datetime import date

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from clients.rules import supervises_young_person
from clients.services import merge_note
from notifications.models import Notification
from records.models import Disposal, LegalHold, RetentionRule
from records.queries import (
    FileHoldings,
    disposal_refusals,
    files_to_archive,
    holdings_of,
    retention_of,
    retention_rule,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def archive_closed_files(on: date) -> int:
    """Archive the closed files whose after-care is over (records.queries.files_to_archive):
    off the everyday lists and search, found by the audited archive search. Safe to run any
    number of times: an archived file is not archived again."""
    archived = list(files_to_archive(on).select_for_update(of=("self",)))
    YoungPerson.objects.filter(pk__in=[young_person.pk for young_person in archived]).update(
        archived_on=on
    )
    for young_person in archived:
        record(AuditAction.CHANGE, obj=young_person, detail={"archived_on": on.isoformat()})
    return len(archived)


def save_retention_rule(rule: RetentionRule, *, by: User) -> RetentionRule:
    """The administrator's change of the rule (the admin site validated it), recorded."""
    rule.updated_at = timezone.now()
    rule.save()
    detail = {"years_after_closure": rule.years_after_closure, "until_age": rule.until_age}
    record(AuditAction.CHANGE, actor=by, obj=rule, detail=detail)
    return rule


# --- Legal holds ------------------------------------------------------------------------------


def place_legal_hold(young_person: YoungPerson, *, by: User, reason: str) -> LegalHold:
    """Keep the file, whatever its retention date, until the hold is lifted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the file must be kept: the case, the inquiry."})
    if not supervises_young_person(by, young_person):
        raise ValidationError("Only the supervisor of the young person's team places a hold.")
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                young_person=young_person, reason=reason.strip(), placed_by=by
            )
    except IntegrityError:
        raise ValidationError("This file is already under legal hold.") from None
    record(AuditAction.CREATE, actor=by, obj=hold, detail={"legal_hold": hold.reason})
    return hold


@transaction.atomic
def lift_legal_hold(hold: LegalHold, *, by: User, reason: str) -> LegalHold:
    """End a hold, saying why; it stays on the file, lifted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the hold is lifted."})
    locked = LegalHold.objects.select_for_update(of=("self",))
    hold = locked.select_related("young_person__team").get(pk=hold.pk)
    if not supervises_young_person(by, hold.young_person):
        raise ValidationError("Only the supervisor of the young person's team lifts a hold.")
    if hold.lifted_at is not None:
        raise ValidationError("This hold is already lifted.")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = by, timezone.now(), reason.strip()
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    record(AuditAction.CHANGE, actor=by, obj=hold, detail={"lifted": hold.lift_reason})
    return hold


def settle_merged_legal_holds(
    kept: YoungPerson, other: YoungPerson, *, by: User | None
) -> list[str]:
    """Merging two records (clients.services.settles_merges): one standing hold at a time, so
    the other's ends where the kept record has its own; and a kept record that takes the
    other's open episode is no longer archived."""
    said = []
    standing = LegalHold.objects.filter(lifted_at__isnull=True)
    if standing.filter(young_person=kept).exists():
        for hold in standing.filter(young_person=other):
            said.append("Both files are under legal hold: the kept record's hold stands.")
            if by is not None:
                hold.lifted_by, hold.lifted_at = by, timezone.now()
                hold.lift_reason = f"{merge_note(kept)} That record's hold stands."
                hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    if by is not None and kept.status != YoungPerson.Status.CLOSED and kept.archived_on:
        # The merge saves the episode's fields of the kept record, not this one.
        YoungPerson.objects.filter(pk=kept.pk).update(archived_on=None)
    return said


# --- Disposal ---------------------------------------------------------------------------------


@transaction.atomic
def dispose_of_file(young_person: YoungPerson, *, by: User, confirmed: bool, note: str) -> Disposal:
    """Dispose of a closed file past its retention date and under no legal hold, on the
    approval of its team's supervisor, who has checked there is no reason to keep it: every row
    of it (records.queries.holdings_of), their history, the notices pointing into it, and after
    the commit its files on disk. What remains is the stub (Disposal) saying whose file it was,
    what it held, when and on whose approval, and the audit trail's entry."""
    if not confirmed:
        raise ValidationError({"confirmed": "Confirm that you have checked the file."})
    if not note.strip():
        raise ValidationError({"note": "Say what you checked, or why the file can go."})
    young_person = (
        YoungPerson.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=young_person.pk)
    )
    if not supervises_young_person(by, young_person):
        raise ValidationError("Only the supervisor of the young person's team approves this.")
    retention = retention_of(young_person)
    refusals = disposal_refusals(young_person, retention, on=timezone.localdate())
    if refusals:
        raise ValidationError(refusals)
    holdings = holdings_of(young_person)
    stub = Disposal.objects.create(
        young_person_number=young_person.pk,
        name=f"{young_person.given_name} {young_person.family_name}",
        date_of_birth=young_person.date_of_birth,
        child_protection_number=young_person.child_protection_number,
        team_name=str(young_person.team or ""),
        episodes=retention["episodes"],
        last_closed_on=retention["last_closed_on"],
        retention_due_on=retention["retention_due_on"],
        rule=str(retention_rule()),
        contents=holdings.contents,
        files_removed=len(holdings.files),
        approved_by=by,
        approval_note=note.strip(),
    )
    record(
        AuditAction.DISPOSE,
        actor=by,
        obj=stub,
        young_person_id=young_person.pk,
        detail={"contents": stub.contents, "note": stub.approval_note},
    )
    _erase(holdings, stub)
    files = holdings.files
    transaction.on_commit(lambda: _remove_files(files))
    return stub


def _erase(holdings: FileHoldings, stub: Disposal) -> None:
    quote = connection.ops.quote_name
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The foreign keys are checked at the commit: the rows go in any order, then the
            # check is made at once, so that a row outside the file still pointing into it
            # refuses the disposal here.
            for model, pks in holdings.rows.items():
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                cursor.execute(f"DELETE FROM {table} WHERE {pk} = ANY(%s)", [sorted(pks)])  # noqa: S608
            Notification.objects.filter(pk__in=holdings.notices).delete()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except IntegrityError as error:
        raise ValidationError(
            f"ICMS cannot dispose of this file: a record outside it points into it ({error}). "
            "Nothing is disposed of."
        ) from error
    # The history tables refuse every UPDATE and DELETE (pghistory's append_only trigger), and
    # the app's role may not delete from them. Here, and nowhere else, the trigger is ignored
    # for this one purpose: the owner's function records_erase_history erases the history of a
    # disposed file only, once its stub is written and its record gone
    # (records/migrations/0002_erase_history_of_disposed_files.py).
    append_only = {
        f"{model._meta.label}:{trigger.name}"
        for model, _column, _ids in holdings.history
        for trigger in getattr(model._meta, "triggers", [])
        if trigger.name == "append_only"
    }
    with pgtrigger.ignore(*sorted(append_only)), connection.cursor() as cursor:
        for model, column, ids in holdings.history:
            cursor.execute(
                "SELECT public.records_erase_history(%s, %s::regclass, %s, %s)",
                [stub.pk, model._meta.db_table, column, ids],
            )


def _remove_files(files: list) -> None:
    """After the commit: the disposed file's files on disk. One that cannot be removed is
    logged for the system owner (the stub says how many there were)."""
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("A disposed file's file %s could not be removed", name)
