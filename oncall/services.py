"""Every change to the roster: setting a team's week, swapping a shift, leaving the handover
note; raising an after-hours alert, acknowledging it, and telling the supervisor of those not
acknowledged in time or of gaps in the coming week."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on, supervisors_of
from accounts.models import Team, User
from audit.models import AuditAction
from audit.services import record
from notifications.services import Notice, notify, notify_many
from oncall.models import AfterHoursAlert, OnCallShift, ShiftSwap, periods_between
from oncall.queries import on_call_at, outlook
from toolkit.formats import show_datetime
from toolkit.hours import is_after_hours


@dataclass(frozen=True)
class Rostered:
    """Who is on call for one period of a week being set: nobody (a gap), or a worker and
    perhaps a backup."""

    starts_at: datetime
    worker: User | None
    backup: User | None = None


def _check_members(team: Team, *people: User | None) -> None:
    for person in people:
        if person is not None and (person.team_id != team.pk or not person.is_active):
            raise ValidationError(
                f"{person} is not a worker of {team}: only its members are rostered."
            )


@transaction.atomic
def set_week(team: Team, *, week_of: date, rostered: list[Rostered], by: User) -> int:
    """Set the team's shifts for the week starting on `week_of` (a Monday): each period with a
    worker is set (made, or changed), each without one is a gap. Periods already over are left
    as they were. Returns how many shifts were made or changed."""
    periods = {
        period.starts_at: period for period in periods_between(week_of, week_of + timedelta(days=6))
    }
    now = timezone.now()
    existing = {
        shift.starts_at: shift
        for shift in OnCallShift.objects.select_for_update().filter(
            team=team, starts_at__in=list(periods)
        )
    }
    changed = 0
    for row in rostered:
        period = periods.get(row.starts_at)
        if period is None:
            raise ValidationError("That period is not in this week's roster; reload the page.")
        if period.ends_at <= now:
            continue
        if row.backup is not None and row.worker is None:
            raise ValidationError(
                f"Choose who is on call for {period.label.lower()} of "
                f"{show_datetime(period.starts_at)} before a backup."
            )
        if row.backup is not None and row.backup == row.worker:
            raise ValidationError("The backup must be someone other than the worker on call.")
        _check_members(team, row.worker, row.backup)
        shift = existing.get(row.starts_at)
        if row.worker is None:
            if shift is not None:
                record(AuditAction.DELETE, actor=by, obj=shift)
                shift.delete()
                changed += 1
            continue
        if shift is None:
            shift = OnCallShift.objects.create(
                team=team, kind=period.kind, starts_at=period.starts_at, ends_at=period.ends_at,
                worker=row.worker, backup=row.backup, set_by=by, set_at=now,
            )  # fmt: skip
            record(AuditAction.CREATE, actor=by, obj=shift, detail=_people(shift))
            changed += 1
        elif (shift.worker_id, shift.backup_id) != (row.worker.pk, getattr(row.backup, "pk", None)):
            before = _people(shift)
            shift.worker, shift.backup, shift.set_by, shift.set_at = row.worker, row.backup, by, now
            shift.save(update_fields=["worker", "backup", "set_by", "set_at"])
            record(
                AuditAction.CHANGE,
                actor=by,
                obj=shift,
                detail={"from": before, "to": _people(shift)},
            )
            changed += 1
    return changed


def _people(shift: OnCallShift) -> dict[str, int | None]:
    return {"worker": shift.worker_id, "backup": shift.backup_id}


@transaction.atomic
def swap_shift(shift: OnCallShift, *, to_worker: User, reason: str, by: User) -> ShiftSwap:
    """Hand the shift to another worker of the team, with a reason: recorded, audited, and both
    workers told."""
    shift = (
        OnCallShift.objects.select_for_update().select_related("team", "worker").get(pk=shift.pk)
    )
    if shift.ends_at <= timezone.now():
        raise ValidationError("This shift is over: it can no longer be handed on.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the shift is handed on."})
    if to_worker.pk == shift.worker_id:
        raise ValidationError({"to_worker": f"{to_worker} is already on call for this shift."})
    if to_worker.pk == shift.backup_id:
        raise ValidationError(
            {"to_worker": f"{to_worker} is this shift's backup: choose someone else."}
        )
    _check_members(shift.team, to_worker)
    from_worker = shift.worker
    swap = ShiftSwap.objects.create(
        shift=shift,
        from_worker=from_worker,
        to_worker=to_worker,
        reason=reason.strip(),
        swapped_by=by,
    )
    shift.worker = to_worker
    shift.save(update_fields=["worker"])
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=shift,
        detail={"swap": swap.pk, "from": from_worker.pk, "to": to_worker.pk},
    )
    when = f"{shift.get_kind_display().lower()} of {show_datetime(shift.starts_at)}"
    url, key = shift.get_absolute_url(), f"oncall-swap-{swap.pk}"
    told = f"You are now on call for {shift.team}, {when} (from {from_worker}): {swap.reason}"
    notify([to_worker], message=told, url=url, key=key)
    told = f"{to_worker} is now on call for {shift.team} in your place, {when}."
    notify([from_worker], message=told, url=url, key=key)
    return swap


@transaction.atomic
def leave_handover(shift: OnCallShift, *, by: User, note: str) -> OnCallShift:
    """The worker on call (or the backup) says what happened on the shift, for the morning."""
    if not note.strip():
        raise ValidationError({"note": "Write what the next person needs to know."})
    shift = OnCallShift.objects.select_for_update().get(pk=shift.pk)
    if shift.starts_at > timezone.now():
        raise ValidationError("This shift has not started yet: leave the handover at its end.")
    shift.handover_note = note.strip()
    shift.handover_at = timezone.now()
    shift.save(update_fields=["handover_note", "handover_at"])
    record(AuditAction.CHANGE, actor=by, obj=shift, detail={"handover": True})
    return shift


@transaction.atomic
def raise_alert(
    *, team: Team, message: str, url: str, key: str, by: User | None = None
) -> AfterHoursAlert:
    """Something needs a worker now. After hours, with someone on call for the team, the worker
    on call and the backup are told; otherwise (office hours, or nobody on call) the team's
    supervisor and whoever covers the team, at once. Raised once per `key`, however often.
    Raised `by` a worker who is on call themselves (they recorded the crisis), it is theirs
    already: acknowledged by them, and only the backup is told."""
    existing = AfterHoursAlert.objects.filter(key=key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    alert = AfterHoursAlert.objects.create(
        team=team, key=key, message=message[:300], url=url, raised_at=now
    )
    on_call = list(on_call_at(now, Team.objects.filter(pk=team.pk))) if is_after_hours(now) else []
    if on_call:
        told = [person for shift in on_call for person in (shift.worker, shift.backup) if person]
    else:
        told = supervisors_of(team)
        alert.supervisor_told_at = now
    if by is not None and by in told:
        alert.acknowledged_by, alert.acknowledged_at = by, now
    alert.save(update_fields=["supervisor_told_at", "acknowledged_by", "acknowledged_at"])
    told = [person for person in told if person != by]
    alert.told.add(*told)
    notify(told, message=message, url=alert.get_absolute_url(), key=f"oncall-alert-{alert.pk}")
    return alert


@transaction.atomic
def acknowledge(alert: AfterHoursAlert, *, by: User) -> AfterHoursAlert:
    """ "I'm on it": the alert is taken; the supervisor is not woken for it (idempotent)."""
    alert = AfterHoursAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(AuditAction.CHANGE, actor=by, obj=alert, detail={"acknowledged": True})
    return alert


def settle_alerts(url: str, *, by: User) -> list[User]:
    """What an alert was about is settled (the worker checked in): its alerts are acknowledged
    by `by`; returns everyone who was told of them, to be told it is settled."""
    for alert in AfterHoursAlert.objects.filter(url=url, acknowledged_at__isnull=True):
        acknowledge(alert, by=by)
    return list(User.objects.filter(pk__in=AfterHoursAlert.told.through.objects.filter(
        afterhoursalert__url=url).values("user")))  # fmt: skip


def tell_supervisors_of_unacknowledged(now: datetime) -> int:
    """Tell the team's supervisor (and whoever covers the team) of each alert nobody
    acknowledged within ON_CALL_ACKNOWLEDGE_MINUTES, once. Returns how many alerts."""
    late = now - timedelta(minutes=settings.ON_CALL_ACKNOWLEDGE_MINUTES)
    with transaction.atomic():
        waiting = list(
            AfterHoursAlert.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                acknowledged_at__isnull=True, supervisor_told_at__isnull=True, raised_at__lte=late
            )
            .select_related("team")
        )
        covering = covering_on(timezone.localdate(now))
        notices, through = [], []
        for alert in waiting:
            people = covering.supervisor_and_cover(alert.team.supervisor_id, alert.team_id)
            since = show_datetime(alert.raised_at)
            message = f"Not acknowledged by the worker on call since {since}: {alert.message}"
            notices += [
                Notice(
                    person, f"oncall-alert-{alert.pk}-supervisor", message, alert.get_absolute_url()
                )
                for person in people
            ]
            through += [
                AfterHoursAlert.told.through(afterhoursalert_id=alert.pk, user_id=person)
                for person in people
            ]
        notify_many(notices)
        AfterHoursAlert.told.through.objects.bulk_create(through, ignore_conflicts=True)
        AfterHoursAlert.objects.filter(pk__in=[alert.pk for alert in waiting]).update(
            supervisor_told_at=now
        )
    return len(waiting)


def tell_supervisors_of_gaps(today: date) -> int:
    """Tell each supervisor (and cover) of each period of the coming week with nobody on call in
    their team, once per period. Returns how many notices were new."""
    covering = covering_on(today)
    notices = [
        Notice(
            person,
            f"oncall-gap-{gap.team.pk}-{gap.period.starts_at:%Y%m%dT%H%M%S}",
            f"Nobody is on call for {gap.team}, {gap.period.label.lower()} from "
            f"{show_datetime(gap.period.starts_at)}.",
            reverse("oncall:roster", args=[gap.team.pk]),
        )
        for gap in outlook(Team.objects.all()).gaps
        for person in covering.supervisor_and_cover(gap.team.supervisor_id, gap.team.pk)
    ]
    return notify_many(notices)
