"""Recording crises, marking one entered in error, and the supervisors' morning summary."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.cover import Covering, covering_on
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from clients.services import CLOCK_TOLERANCE, readers_allowed, restriction_detail
from crises.models import CrisisEvent
from notifications.services import Notice, notify_many
from oncall.models import OnCallShift
from oncall.services import raise_alert
from toolkit.formats import show_datetime
from toolkit.hours import is_after_hours

# The morning summary's hour (the beat schedule runs it then): each covers the day up to it.
SUMMARY_TIME = time(7)
NAMES_IN_SUMMARY = 6


@transaction.atomic
def record_crisis(
    young_person: YoungPerson,
    *,
    by: User,
    client_reference: uuid.UUID,
    occurred_at: datetime,
    caller: str,
    caller_relationship: str,
    what_happened: str,
    actions: list[str],
    outcome: str,
    safe_at_end: str,
    action_details: str = "",
    restricted_because: str = "",
    restricted_readers: Iterable[User] = (),
) -> CrisisEvent:
    """Record a crisis. The same `client_reference` (made when the form was opened) records it
    once however often it is submitted. `after_hours` is derived from the time. A restricted
    crisis (`restricted_because`) is read by `restricted_readers` too; the on-call alert about
    it says only that one was recorded."""
    existing = CrisisEvent.objects.filter(client_reference=client_reference).first()
    if existing is not None:
        if existing.young_person_id != young_person.pk or existing.recorded_by_id != by.pk:
            raise ValidationError("This form was already used for another crisis.")
        return existing
    now = timezone.now()
    if occurred_at > now + CLOCK_TOLERANCE:
        raise ValidationError({"occurred_at": "A crisis cannot be recorded as happening later."})
    if timezone.localtime(occurred_at).date() < young_person.date_of_birth:
        raise ValidationError(
            {"occurred_at": "That is before the young person was born; check the date."}
        )
    if not what_happened.strip():
        raise ValidationError({"what_happened": "Say what happened."})
    if not outcome.strip():
        raise ValidationError({"outcome": "Say how it ended."})
    crisis = CrisisEvent(
        young_person=young_person,
        occurred_at=occurred_at,
        caller=caller.strip(),
        caller_relationship=caller_relationship,
        what_happened=what_happened.strip(),
        actions=actions,
        action_details=action_details.strip(),
        outcome=outcome.strip(),
        safe_at_end=safe_at_end,
        after_hours=is_after_hours(occurred_at),
        recorded_by=by,
        recorded_at=now,
        client_reference=client_reference,
        restricted_because=restricted_because,
    )
    crisis.full_clean(validate_constraints=False)
    readers = readers_allowed(crisis, restricted_readers)
    try:
        with transaction.atomic():
            crisis.save()
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request recorded it.
        return CrisisEvent.objects.get(client_reference=client_reference)
    crisis.restricted_readers.set(readers)
    record(AuditAction.CREATE, actor=by, obj=crisis, detail=restriction_detail(crisis, readers))
    if young_person.team_id is not None and is_after_hours(now):
        raised = (
            "restricted"
            if crisis.is_restricted
            else f"{crisis.get_caller_relationship_display().lower()} raised it"
        )
        raise_alert(
            team=young_person.team,
            message=f"Crisis recorded after hours for {young_person.display_name} by {by} "
            f"({raised}).",
            url=reverse("crises:detail", args=[crisis.pk]),
            key=f"crisis-{crisis.pk}",
            by=by,
        )
    return crisis


@transaction.atomic
def mark_crisis_in_error(crisis: CrisisEvent, *, by: User, reason: str) -> CrisisEvent:
    """A crisis recorded by mistake (wrong young person, a duplicate) is marked, not deleted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this crisis is in error."})
    crisis = CrisisEvent.objects.select_for_update().get(pk=crisis.pk)
    if crisis.entered_in_error_at is None:
        crisis.entered_in_error_at = timezone.now()
        crisis.entered_in_error_by = by
        crisis.entered_in_error_reason = reason.strip()
        crisis.save(
            update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
        )
        record(AuditAction.CHANGE, actor=by, obj=crisis, detail={"entered_in_error": reason})
    return crisis


def _morning(day: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, SUMMARY_TIME))


def yesterday_morning() -> datetime:
    return _morning(timezone.localdate() - timedelta(days=1))


def summary_period(moment: datetime) -> tuple[datetime, datetime]:
    """The period a summary sent at `moment` covers: the day up to the latest SUMMARY_TIME at or
    before `moment`. Consecutive days' periods meet, so each crisis is in one summary whenever
    in the morning the job runs."""
    local = timezone.localtime(moment)
    day = local.date() if local.time() >= SUMMARY_TIME else local.date() - timedelta(days=1)
    return _morning(day - timedelta(days=1)), _morning(day)


def crisis_log_url(start: datetime, end: datetime) -> str:
    """The supervisor's crisis log, showing the crises logged from `start` to before `end`."""
    query = urlencode({"logged_from": start.isoformat(), "logged_before": end.isoformat()})
    return f"{reverse('crises:list')}?{query}"


@dataclass
class _Summary:
    count: int = 0
    after_hours: int = 0
    names: dict[str, None] = field(default_factory=dict)  # in order, each once

    def names_shown(self) -> str:
        names = list(self.names)
        shown = ", ".join(names[:NAMES_IN_SUMMARY])
        if len(names) > NAMES_IN_SUMMARY:
            shown += f" and {len(names) - NAMES_IN_SUMMARY} more"
        return shown


def send_morning_summaries(moment: datetime) -> int:
    """Tell each supervisor of the crises of their team's young people logged in the summary
    period: how many, how many after hours, whose; and of the handover notes the workers on
    call left on the night's shifts. One notification per supervisor per day
    however often it runs; none to a supervisor whose team had none. Crises are counted when
    logged, so one logged late is in the next summary rather than in none. A colleague covering
    a team gets the team's summary as its supervisor would."""
    start, end = summary_period(moment)
    covering = covering_on(timezone.localdate(moment))
    logged = (
        CrisisEvent.objects.standing()
        .filter(recorded_at__gte=start, recorded_at__lt=end, young_person__team__isnull=False)
        .order_by("occurred_at", "pk")
        .values_list(
            "young_person__team__supervisor_id",
            "young_person__team_id",
            "after_hours",
            "young_person__preferred_name",
            "young_person__given_name",
            "young_person__family_name",
        )
    )
    summaries: dict[int, _Summary] = {}
    for supervisor_id, team_id, after_hours, preferred, given, family in logged:
        for recipient in covering.supervisor_and_cover(supervisor_id, team_id):
            summary = summaries.setdefault(recipient, _Summary())
            summary.count += 1
            summary.after_hours += after_hours
            summary.names[f"{preferred or given} {family}"] = None
    url = crisis_log_url(start, end)
    since = show_datetime(start)
    notices = [
        Notice(
            supervisor_id,
            f"crisis-summary-{end:%Y%m%d}",
            f"{summary.count} {'crisis' if summary.count == 1 else 'crises'} logged for your "
            f"team since {since} ({summary.after_hours} after hours): {summary.names_shown()}.",
            url,
        )
        for supervisor_id, summary in summaries.items()
    ]
    return notify_many(notices + _handovers(start, end, covering))


def _handovers(start: datetime, end: datetime, covering: Covering) -> list[Notice]:
    """The handover notes left in the summary period on the on-call shifts (the night's, which
    runs on past the summary's hour), for the team's supervisor and cover. In the app only: the
    e-mail (a digest) counts them and names nobody."""
    shifts = (
        OnCallShift.objects.filter(handover_at__gte=start, handover_at__lt=end)
        .select_related("team", "worker")
        .order_by("starts_at", "pk")
    )
    return [
        Notice(
            recipient,
            f"oncall-handover-{shift.pk}",
            f"Handover from {shift.worker}, on call for {shift.team} from "
            f"{show_datetime(shift.starts_at)}: {Truncator(shift.handover_note).chars(200)}",
            reverse("oncall:roster", args=[shift.team_id]),
        )
        for shift in shifts
        for recipient in covering.supervisor_and_cover(shift.team.supervisor_id, shift.team_id)
    ]
