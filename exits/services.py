"""Leaving ICMS: closing an episode (with its exit plan, or why there is none), the after-care
follow-ups that come after it, and reopening a closed file as a new episode.

Each function validates (a ValidationError with a message a supervisor or case manager can
read, nothing saved), writes in one transaction, and writes the audit trail.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on, supervisors_of
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from caseplans.models import ExitPlan
from clients.models import IntensityLevel, YoungPerson
from clients.queries import OPEN_STATUSES
from clients.services import allocate_primary, change_status
from exits.models import (
    AfterCarePoint,
    Closure,
    Destination,
    ExitReason,
    FollowUp,
    NoExitPlanReason,
    Reopening,
)
from exits.queries import (
    OVERDUE_AFTER,
    episode_began_on,
    episode_summary,
    exit_plan_written,
    latest_closure_of,
    still_due,
)
from notifications.services import Notice, notify, notify_many
from toolkit.formats import show_date
from webhooks.events import publish
from webhooks.models import EventKind

NO_EXIT_PLAN = (
    "There is no exit plan: write it first, or say why there is none (absconded, moved "
    "interstate, died, transferred)."
)


# --- Closing ----------------------------------------------------------------------------------


def _closing_errors(
    *,
    closed_on: date,
    began_on: date,
    reason: str,
    destination: str,
    no_exit_plan_because: str,
    notes: str,
    has_plan: bool,
) -> dict[str, str]:
    errors = {}
    if reason not in ExitReason.values:
        errors["reason"] = "Choose why the young person is leaving ICMS."
    elif reason == ExitReason.OTHER and not notes:
        errors["notes"] = "Say what the reason is."
    if destination not in Destination.values:
        errors["destination"] = "Choose where the young person is going."
    elif (destination == Destination.NOT_APPLICABLE) != (reason == ExitReason.DIED):
        errors["destination"] = (
            "“Not applicable” is only for a young person who died; for them, it is the only one."
        )
    if no_exit_plan_because not in ("", *NoExitPlanReason.values):
        errors["no_exit_plan_because"] = "Choose why there is no exit plan."
    elif no_exit_plan_because == NoExitPlanReason.DIED and reason != ExitReason.DIED:
        errors["reason"] = "The young person died: choose “Died” as the reason."
    elif has_plan and no_exit_plan_because:
        errors["no_exit_plan_because"] = "There is an exit plan: leave this empty."
    elif not has_plan and not no_exit_plan_because:
        errors["no_exit_plan_because"] = NO_EXIT_PLAN
    if closed_on > timezone.localdate():
        errors["closed_on"] = "An episode cannot close on a day still to come."
    elif closed_on < began_on:
        errors["closed_on"] = (
            f"The episode began on {show_date(began_on)}: it cannot close before that."
        )
    return errors


@transaction.atomic
def close_episode(
    young_person: YoungPerson,
    *,
    by: User,
    closed_on: date,
    reason: str,
    destination: str,
    no_exit_plan_because: str = "",
    notes: str = "",
    phone: str = "",
) -> Closure:
    """Close the young person's episode: it needs an exit plan with something written in it, or
    the reason there is none, and a coded reason and destination. The closure keeps when the
    episode began and closed, what was in place, the last primary case manager and the summary
    of the episode (exits.queries.episode_summary); the record closes through
    clients.services.change_status, which ends every allocation. The last case manager is given
    the after-care follow-ups (one per AfterCarePoint), unless the young person died or there
    was no case manager."""
    young_person = (
        YoungPerson.objects.select_for_update(of=("self",))
        .select_related("primary_case_manager")
        .get(pk=young_person.pk)
    )
    if young_person.status not in OPEN_STATUSES:
        raise ValidationError(
            f"{young_person} is {young_person.get_status_display().lower()}: only an open "
            "episode (active or exiting) is closed here."
        )
    notes, phone = notes.strip(), phone.strip()
    exit_plan = ExitPlan.objects.filter(young_person=young_person).first()
    has_plan = exit_plan_written(exit_plan)
    began_on = episode_began_on(young_person)
    errors = _closing_errors(
        closed_on=closed_on,
        began_on=began_on,
        reason=reason,
        destination=destination,
        no_exit_plan_because=no_exit_plan_because,
        notes=notes,
        has_plan=has_plan,
    )
    if errors:
        raise ValidationError(errors)
    last_case_manager = young_person.primary_case_manager
    closure = Closure(
        young_person=young_person,
        began_on=began_on,
        closed_on=closed_on,
        closed_by=by,
        reason=reason,
        destination=destination,
        no_exit_plan_because=no_exit_plan_because,
        notes=notes,
        phone=phone,
        accommodation_in_place=has_plan and exit_plan.accommodation_in_place,
        supports_in_place=has_plan and exit_plan.supports_in_place,
        supportive_adults_in_place=has_plan and exit_plan.supportive_adults_in_place,
        last_case_manager=last_case_manager,
        summary=episode_summary(
            young_person,
            began_on=began_on,
            closed_on=closed_on,
            exit_plan=exit_plan if has_plan else None,
        ),
    )
    closure.full_clean()
    closure.save()
    change_status(
        young_person,
        to=YoungPerson.Status.CLOSED,
        by=by,
        on=closed_on,
        reason=notes or closure.get_reason_display(),
    )
    follow_ups = _after_care(closure)
    publish(EventKind.YOUNG_PERSON_CLOSED, young_person=young_person, closure=closure.pk)
    record(
        AuditAction.CREATE,
        actor=by,
        obj=closure,
        detail={
            "reason": reason,
            "destination": destination,
            "no_exit_plan_because": no_exit_plan_because,
            "follow_ups": [follow_up.months for follow_up in follow_ups],
        },
    )
    if follow_ups:
        first = follow_ups[0]
        notify(
            [first.worker],
            message=f"{young_person} has left ICMS. Their after-care follow-ups are yours: the "
            f"first is due on {show_date(first.due_on)}.",
            url=reverse("exits:follow-up", args=[first.pk]),
            key=f"closure-{closure.pk}-follow-ups",
        )
    return closure


def _after_care(closure: Closure) -> list[FollowUp]:
    """The follow-ups at the administrator's points after exit, by the last case manager (if
    they still work here); none after a death."""
    worker = closure.last_case_manager
    died = ExitReason.DIED in (closure.reason, closure.no_exit_plan_because)
    if worker is None or not worker.is_active or died:
        return []
    return FollowUp.objects.bulk_create(
        FollowUp(
            closure=closure,
            young_person=closure.young_person,
            months=months,
            due_on=closure.closed_on + relativedelta(months=months),
            worker=worker,
        )
        for months in AfterCarePoint.objects.order_by("months").values_list("months", flat=True)
    )


# --- After-care -------------------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    follow_up: FollowUp,
    *,
    by: User,
    made_on: date,
    mode: str,
    reached: bool,
    spoke_with: str = "",
    holding: str,
    notes: str = "",
) -> FollowUp:
    """Record an after-care follow-up: when, how, whether it reached the young person (or whom
    it reached), and whether the supports are holding. Supports not holding tell the team's
    supervisor, to consider a re-referral. A follow-up is recorded once, and only while it is
    due (the file not reopened since)."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("closure", "young_person__team")
        .get(pk=follow_up.pk)
    )
    young_person = follow_up.young_person
    if follow_up.is_made:
        raise ValidationError(f"This follow-up was recorded on {show_date(follow_up.made_on)}.")
    if not still_due(FollowUp.objects.filter(pk=follow_up.pk)).exists():
        raise ValidationError(
            f"{young_person}'s file was reopened since: the follow-ups of the episode before "
            "are no longer due."
        )
    spoke_with, notes = spoke_with.strip(), notes.strip()
    errors = {}
    if made_on > timezone.localdate():
        errors["made_on"] = "A follow-up cannot be recorded for a day still to come."
    elif made_on < follow_up.closure.closed_on:
        errors["made_on"] = (
            f"{young_person} left ICMS on {show_date(follow_up.closure.closed_on)}: a follow-up "
            "comes after."
        )
    if mode not in FollowUp.Mode.values:
        errors["mode"] = "Choose how you were in touch."
    if holding not in FollowUp.Holding.values:
        errors["holding"] = "Say whether the supports are holding."
    elif not reached and not spoke_with and holding != FollowUp.Holding.UNKNOWN:
        errors["spoke_with"] = (
            "You did not reach the young person: say who told you how things are, or choose "
            "“Could not tell”."
        )
    if errors:
        raise ValidationError(errors)
    follow_up.made_on, follow_up.made_by, follow_up.mode = made_on, by, mode
    follow_up.reached, follow_up.spoke_with = reached, spoke_with
    follow_up.holding, follow_up.notes = holding, notes
    follow_up.recorded_at = timezone.now()
    follow_up.full_clean()
    follow_up.save()
    record(AuditAction.CHANGE, actor=by, obj=follow_up, detail={"made": True, "holding": holding})
    if holding == FollowUp.Holding.NOT_HOLDING:
        notify(
            supervisors_of(young_person.team),
            message=f"After-care follow-up of {young_person}: the supports are not holding. "
            "Consider a re-referral.",
            url=reverse("exits:follow-up", args=[follow_up.pk]),
            key=f"follow-up-{follow_up.pk}-not-holding",
        )
    return follow_up


def remind_of_follow_ups(today: date) -> int:
    """Each after-care follow-up still due reminds its worker once on its day; two weeks
    overdue, the worker and the team's supervisor are told once more. Colleagues covering
    either are told as they would be. Returns how many notifications were new."""
    covering = covering_on(today)
    follow_ups = (
        still_due(FollowUp.objects.filter(due_on__lte=today))
        .select_related("young_person__team")
        .order_by("due_on", "pk")
    )
    notices = []
    for follow_up in follow_ups.iterator(chunk_size=2000):
        young_person = follow_up.young_person
        overdue = follow_up.due_on <= today - OVERDUE_AFTER
        recipients = covering.worker_and_cover(follow_up.worker_id)
        if overdue:
            team = young_person.team
            recipients += covering.supervisor_and_cover(
                team.supervisor_id if team else None, young_person.team_id
            )
        months = f"{follow_up.months} month{'s' if follow_up.months != 1 else ''}"
        message = (
            f"The after-care follow-up of {young_person.display_name} ({months} after exit) "
            + (
                f"was due on {show_date(follow_up.due_on)} and is not yet made."
                if overdue
                else f"is due{' today' if follow_up.due_on == today else ''}: "
                f"{show_date(follow_up.due_on)}."
            )
        )
        key = f"follow-up-{follow_up.pk}-{'overdue' if overdue else 'due'}"
        url = reverse("exits:follow-up", args=[follow_up.pk])
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)


# --- Reopening --------------------------------------------------------------------------------


@transaction.atomic
def reopen_episode(
    young_person: YoungPerson,
    *,
    by: User,
    referred_by: str,
    referrer: str = "",
    why: str,
    case_manager: User,
    intensity: IntensityLevel,
) -> Reopening:
    """Reopen a closed file as a new episode on a re-referral, without keying anything again:
    the record, its people and its history stay; the case manager is allocated and the episode
    starts at the intensity given; the file leaves the archive. The closure before is kept, and
    its after-care follow-ups are no longer due."""
    young_person = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if young_person.status != YoungPerson.Status.CLOSED:
        raise ValidationError(
            f"{young_person} is {young_person.get_status_display().lower()}: only a closed file "
            "is reopened."
        )
    closure = latest_closure_of(young_person)
    if closure is None:
        raise ValidationError(
            f"{young_person}'s file was closed before ICMS took them on: take them on through "
            "a referral."
        )
    referrer, why = referrer.strip(), why.strip()
    errors = {}
    if referred_by not in Reopening.From.values:
        errors["referred_by"] = "Choose who asked for ICMS again."
    elif referred_by != Reopening.From.YOUNG_PERSON and not referrer:
        errors["referrer"] = "Name the adult or the practitioner who asked."
    if not why:
        errors["why"] = "Say why ICMS is needed again."
    if errors:
        raise ValidationError(errors)
    young_person.status = YoungPerson.Status.ACTIVE
    young_person.intensity = intensity
    young_person.archived_on = None
    young_person.save(update_fields=["status", "intensity", "archived_on"])
    reopening = Reopening(
        young_person=young_person,
        closure=closure,
        reopened_on=timezone.localdate(),
        referred_by=referred_by,
        referrer=referrer,
        why=why,
        case_manager=case_manager,
        intensity=intensity,
        reopened_by=by,
    )
    reopening.full_clean()
    reopening.save()
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=young_person,
        detail={"status": [YoungPerson.Status.CLOSED, YoungPerson.Status.ACTIVE], "reason": why},
    )
    record(AuditAction.CREATE, actor=by, obj=reopening)
    allocate_primary(young_person, worker=case_manager, by=by, note="Reopened on a re-referral")
    notify(
        [case_manager],
        message=f"{young_person}'s file is reopened and allocated to you: a new episode.",
        url=young_person.get_absolute_url(),
        key=f"reopening-{reopening.pk}-allocated",
    )
    return reopening


# --- Merging two records of one young person --------------------------------------------------


def settle_merged_closures(kept: YoungPerson, other: YoungPerson, *, by: User | None) -> list[str]:
    """Closures move with their summaries, as they were written. The after-care follow-ups not
    yet made stay due only while the record kept is closed, and only those of its latest
    closing: nothing to write, only to say."""
    waiting = still_due(FollowUp.objects.filter(young_person__in=[kept, other])).count()
    if not waiting:
        return []
    stays_open = kept.status in OPEN_STATUSES or other.status in OPEN_STATUSES
    if stays_open:
        return [
            f"{waiting} after-care follow-up{'s' if waiting != 1 else ''} not yet made "
            "will no longer be due: the record kept is an open episode."
        ]
    return [
        "After-care follow-ups not yet made stay due only for the latest closing of the two "
        "records."
    ]
