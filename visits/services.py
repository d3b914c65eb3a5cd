"""Every change to a visit plan: starting one, putting the time back later, checking in; and
the job that tells the supervisor (and the worker) of a missed check-in."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator

from accounts.cover import covering_on, supervisors_of
from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from clients.rules import young_people_visible_to
from notifications.services import Notice, notify, notify_many
from oncall.queries import on_call_at
from oncall.services import raise_alert, settle_alerts
from toolkit.formats import show_datetime
from toolkit.hours import is_after_hours
from visits.models import LONGEST_VISIT, VisitPlan


def _short(place: str) -> str:
    return Truncator(place).chars(120)


def check_back_by(back_by: datetime, *, leaves_at: datetime, now: datetime) -> None:
    """The time back is after leaving, at most a day later, and still to come."""
    if back_by <= leaves_at:
        raise ValidationError(
            {"back_by": "This is not after you leave: give the time you expect to be back."}
        )
    if back_by - leaves_at > LONGEST_VISIT:
        latest = show_datetime(leaves_at + LONGEST_VISIT)
        message = f"A visit plan covers at most 24 hours from leaving: {latest} at the latest."
        raise ValidationError({"back_by": message})
    if back_by <= now:
        raise ValidationError({"back_by": "This time has passed: give one still to come."})


def _still_out(plan: VisitPlan) -> ValidationError:
    return ValidationError(
        f"You are still out on your visit to {plan.place}, expected back by "
        f"{show_datetime(plan.back_by)}. Check in from it before you start another."
    )


@transaction.atomic
def start_visit(
    *,
    worker: User,
    place: str,
    back_by: datetime,
    leaves_at: datetime | None = None,
    young_person: YoungPerson | None = None,
    purpose: str = "",
    contact: str = "",
) -> VisitPlan:
    """A worker going out alone says where, and when they expect to be back."""
    now = timezone.now()
    leaves_at = leaves_at or now
    if not place.strip():
        raise ValidationError({"place": "Say where you are going."})
    check_back_by(back_by, leaves_at=leaves_at, now=now)
    if (
        young_person is not None
        and not young_people_visible_to(worker).filter(pk=young_person.pk).exists()
    ):
        raise ValidationError({"young_person": "Choose one of the young people you work with."})
    open_plan = VisitPlan.objects.filter(worker=worker, checked_in_at__isnull=True).first()
    if open_plan is not None:
        raise _still_out(open_plan)
    plan = VisitPlan(
        worker=worker,
        young_person=young_person,
        place=place.strip(),
        purpose=purpose.strip(),
        contact=contact.strip(),
        leaves_at=leaves_at,
        back_by=back_by,
    )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # another plan started at the same moment (a double submit)
        raise _still_out(VisitPlan.objects.get(worker=worker, checked_in_at__isnull=True)) from None
    record(AuditAction.CREATE, actor=worker, obj=plan)
    return plan


def checked_in_already(plan: VisitPlan) -> str:
    return f"This visit was checked in at {show_datetime(plan.checked_in_at)}; nothing was changed."


@transaction.atomic
def extend_visit(plan: VisitPlan, *, by: User, back_by: datetime) -> VisitPlan:
    """Put the time the worker expects to be back later, before or after it has passed."""
    plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.checked_in_at is not None:
        raise ValidationError(checked_in_already(plan))
    if back_by <= plan.back_by:
        given = show_datetime(plan.back_by)
        raise ValidationError({"back_by": f"Give a time later than the one given now ({given})."})
    now = timezone.now()
    check_back_by(back_by, leaves_at=plan.leaves_at, now=now)
    previous = plan.back_by
    plan.back_by = back_by
    plan.extended_at = now
    plan.save(update_fields=["back_by", "extended_at"])
    record(
        AuditAction.CHANGE,
        actor=by,
        obj=plan,
        detail={"back_by": {"from": previous.isoformat(), "to": back_by.isoformat()}},
    )
    return plan


@transaction.atomic
def check_in(plan: VisitPlan, *, by: User, note: str = "") -> VisitPlan:
    """The worker is back safe (or their supervisor has heard so). A supervisor who was told of
    the missed check-in is told of this one too."""
    plan = (
        VisitPlan.objects.select_for_update(of=("self",))
        .select_related("worker__team")
        .get(pk=plan.pk)
    )
    if plan.checked_in_at is not None:
        raise ValidationError(checked_in_already(plan))
    plan.checked_in_at = timezone.now()
    plan.checked_in_by = by
    plan.check_in_note = note.strip()
    plan.save(update_fields=["checked_in_at", "checked_in_by", "check_in_note"])
    record(AuditAction.CHANGE, actor=by, obj=plan, detail={"checked_in": True})
    # Whoever an after-hours alert about it reached (the worker on call, the backup, a
    # supervisor told later), and the supervisor told of the missed check-in by this job.
    told = settle_alerts(plan.get_absolute_url(), by=by)
    if plan.supervisor_told_at is not None:
        told += supervisors_of(plan.worker.team)
    told = [user for user in told if user.pk not in (by.pk, plan.worker_id)]
    if told:
        notify(
            told,
            message=f"{plan.worker} checked in at {show_datetime(plan.checked_in_at)}, back from "
            f"{_short(plan.place)}.",
            url=plan.get_absolute_url(),
            key=f"visit-{plan.pk}-checked-in",
        )
    return plan


def tell_of_missed_check_ins() -> int:
    """Tell the worker's team supervisor, and the worker, of each open plan whose time back has
    passed by more than the grace period (after hours, when someone is on call for the team, an
    after-hours alert tells the worker on call and the backup instead, and the supervisor only
    if nobody acknowledges it in time): once per plan and time back, so an extended plan that
    passes again tells them again. A colleague covering the team is told as its supervisor.
    Returns how many plans the supervisor was told of."""
    now = timezone.now()
    grace = timedelta(minutes=settings.ICMS_VISIT_CHECK_IN_GRACE_MINUTES)
    with transaction.atomic():
        # Locked, so that two runs at once do not both tell; a plan being checked in is skipped.
        missed = list(
            VisitPlan.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(checked_in_at__isnull=True, back_by__lt=now - grace)
            .filter(Q(supervisor_told_at__isnull=True) | Q(supervisor_told_at__lt=F("back_by")))
            .select_related("worker__team")
        )
        covering = covering_on(timezone.localdate())
        # After hours, a team with someone on call hears through them first (oncall).
        on_call = (
            set(on_call_at(now).values_list("team_id", flat=True)) if is_after_hours(now) else set()
        )
        notices, told = [], []
        for plan in missed:
            key = f"visit-{plan.pk}-missed-{plan.back_by:%Y%m%dT%H%M%S}"
            url = plan.get_absolute_url()
            since = show_datetime(plan.back_by)
            team = plan.worker.team
            message = (
                f"{plan.worker} has not checked in: expected back by {since} from "
                f"{_short(plan.place)}."
            )
            if team is not None and team.pk in on_call:
                raise_alert(team=team, message=message, url=url, key=key)
                supervisors = []
            else:
                supervisors = [
                    supervisor
                    for supervisor in covering.supervisor_and_cover(
                        team.supervisor_id if team else None, plan.worker.team_id
                    )
                    if supervisor != plan.worker_id
                ]
            notices += [Notice(supervisor, key, message, url) for supervisor in supervisors]
            if supervisors:
                told.append(plan.pk)
            notices.append(
                Notice(
                    plan.worker_id,
                    key,
                    f"You have not checked in: you expected to be back by {since} from "
                    f"{_short(plan.place)}. If you are safe, check in.",
                    url,
                )
            )
        notify_many(notices)
        VisitPlan.objects.filter(pk__in=told).update(supervisor_told_at=now)
    return len(told)
