"""Every change to the diary: booking (once or repeating), changing and cancelling this
appointment or this and the following ones, giving an outcome (a contact, an attempt, or a
cancellation), the workers' calendar links, and the reminder jobs."""

import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from caseplans.services import record_contact_with_plan_work
from clients.models import Contact, KeyPerson, ProfessionalContact, YoungPerson
from clients.queries import local_midnight
from clients.services import record_contact
from diary.models import MOST_OCCURRENCES, Appointment, FeedLink
from diary.queries import CONTACT_LOCATION, between, series_from, token_hash
from notifications.services import Notice, notify_many
from toolkit.formats import show_date, show_datetime, show_time


class Repeat:
    NEVER = ""
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    CHOICES = [(NEVER, "Does not repeat"), (WEEKLY, "Every week"), (FORTNIGHTLY, "Every fortnight")]
    DAYS = {WEEKLY: 7, FORTNIGHTLY: 14}


def _at_local(moment: datetime, shift: timedelta) -> datetime:
    """`moment` moved by `shift` on the wall clock: a weekly 4 pm visit stays at 4 pm when the
    clocks change."""
    local = timezone.localtime(moment).replace(tzinfo=None)
    return timezone.make_aware(local + shift)


def occurrences(starts_at: datetime, *, repeat: str, until: date | None) -> list[datetime]:
    """The start of each occurrence: one, or each week or fortnight up to `until` (at most
    MOST_OCCURRENCES)."""
    if not repeat:
        return [starts_at]
    if until is None:
        raise ValidationError({"repeat_until": "Say until when it repeats."})
    if until < timezone.localtime(starts_at).date():
        raise ValidationError({"repeat_until": "This is before the first appointment."})
    step = timedelta(days=Repeat.DAYS[repeat])
    starts = []
    moment = starts_at
    while timezone.localtime(moment).date() <= until:
        starts.append(moment)
        moment = _at_local(starts_at, step * len(starts))
    if len(starts) > MOST_OCCURRENCES:
        raise ValidationError(
            {
                "repeat_until": f"That makes {len(starts)} appointments; a repeat makes at most "
                f"{MOST_OCCURRENCES}. Choose an earlier date, and book more later."
            }
        )
    return starts


def _check_people(
    young_person: YoungPerson,
    *,
    key_people: Iterable[KeyPerson],
    professionals: Iterable[ProfessionalContact],
    workers: Iterable[User],
    also_allowed: Iterable[User] = (),
) -> None:
    """The people chosen are the young person's own; the workers going are of their team, or
    are `also_allowed` (the booker: a colleague covering from another team)."""
    if any(person.young_person_id != young_person.pk for person in key_people):
        raise ValidationError({"key_people": "Choose from the young person's own key people."})
    if any(person.young_person_id != young_person.pk for person in professionals):
        raise ValidationError({"professionals": "Choose from the young person's own network."})
    workers = list(workers)
    if not workers:
        raise ValidationError({"workers": "Say who from ICMS goes."})
    allowed = {user.pk for user in also_allowed}
    if any(
        worker.team_id != young_person.team_id and worker.pk not in allowed for worker in workers
    ):
        raise ValidationError({"workers": "Only workers of the young person's team can go."})


def _check_fields(fields: dict) -> None:
    if not str(fields.get("what", "")).strip():
        raise ValidationError({"what": "Say what the appointment is."})
    minutes = fields.get("duration_minutes")
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": "An appointment lasts a minute to a day."})


@transaction.atomic
def book_appointment(
    young_person: YoungPerson,
    *,
    by: User,
    starts_at: datetime,
    workers: Iterable[User] = (),
    key_people: Iterable[KeyPerson] = (),
    professionals: Iterable[ProfessionalContact] = (),
    repeat: str = Repeat.NEVER,
    repeat_until: date | None = None,
    **fields: object,
) -> list[Appointment]:
    """Book an appointment with the young person, or a repeating one as a row per occurrence.
    The booker goes unless others are named. Returns the appointments made, the first first."""
    workers = list(workers) or [by]
    key_people, professionals = list(key_people), list(professionals)
    _check_people(
        young_person,
        key_people=key_people,
        professionals=professionals,
        workers=workers,
        also_allowed=[by],
    )
    _check_fields(fields)
    starts = occurrences(starts_at, repeat=repeat, until=repeat_until)
    series = uuid.uuid4() if len(starts) > 1 else None
    made = []
    for start in starts:
        appointment = Appointment(
            young_person=young_person, booked_by=by, starts_at=start, series=series, **fields
        )
        appointment.full_clean(exclude=["contact"])
        appointment.save()
        appointment.workers.set(workers)
        appointment.key_people.set(key_people)
        appointment.professionals.set(professionals)
        record(AuditAction.CREATE, actor=by, obj=appointment)
        made.append(appointment)
    return made


def _not_open(appointment: Appointment) -> ValidationError:
    return ValidationError(
        f"This appointment was marked {appointment.get_outcome_display().lower()} on "
        f"{show_datetime(appointment.outcome_at)}; nothing was changed."
    )


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("young_person")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def change_appointment(
    appointment: Appointment,
    *,
    by: User,
    version: int,
    following: bool = False,
    workers: Iterable[User],
    key_people: Iterable[KeyPerson] = (),
    professionals: Iterable[ProfessionalContact] = (),
    **fields: object,
) -> list[Appointment]:
    """Change the appointment (as read at `version`) and, with `following`, the later
    occurrences of its series still open: a new time moves each by as much. Returns those
    changed."""
    appointment = _locked(appointment)
    if appointment.version != version:
        who = appointment.updated_by or "Someone"
        raise ValidationError(
            f"{who} changed this appointment while you were changing it: nothing of yours was "
            "saved. Open the appointment again to see it as it is now."
        )
    if not appointment.is_open:
        raise _not_open(appointment)
    workers, key_people, professionals = list(workers), list(key_people), list(professionals)
    _check_people(
        appointment.young_person,
        key_people=key_people,
        professionals=professionals,
        workers=workers,
        also_allowed=[by, *appointment.workers.all()],
    )
    _check_fields(fields)
    targets = list(series_from(appointment).select_for_update()) if following else [appointment]
    moved_by = (
        timezone.localtime(fields["starts_at"]).replace(tzinfo=None)
        - timezone.localtime(appointment.starts_at).replace(tzinfo=None)
        if "starts_at" in fields
        else timedelta(0)
    )
    now = timezone.now()
    for target in targets:
        changes = {name: value for name, value in fields.items() if name != "starts_at"}
        changes["starts_at"] = _at_local(target.starts_at, moved_by)
        changed = [name for name, value in changes.items() if getattr(target, name) != value]
        for name in changed:
            setattr(target, name, changes[name])
        target.version += 1
        target.updated_by, target.updated_at = by, now
        target.full_clean(exclude=["contact"])
        target.save()
        target.workers.set(workers)
        target.key_people.set(key_people)
        target.professionals.set(professionals)
        record(AuditAction.CHANGE, actor=by, obj=target, detail={"fields": changed})
    return targets


def _give_outcome(
    appointment: Appointment,
    *,
    by: User,
    outcome: str,
    contact: Contact | None = None,
    reason: str = "",
) -> None:
    appointment.outcome = outcome
    appointment.outcome_at = timezone.now()
    appointment.outcome_by = by
    appointment.contact = contact
    appointment.cancel_reason = reason
    appointment.version += 1
    appointment.save(
        update_fields=["outcome", "outcome_at", "outcome_by", "contact", "cancel_reason", "version"]
    )
    record(AuditAction.CHANGE, actor=by, obj=appointment, detail={"outcome": outcome})


@transaction.atomic
def cancel_appointment(
    appointment: Appointment, *, by: User, reason: str, following: bool = False
) -> list[Appointment]:
    """Cancel the appointment (and, with `following`, the later ones of its series still
    open), saying why. No contact is recorded."""
    appointment = _locked(appointment)
    if not appointment.is_open:
        raise _not_open(appointment)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is cancelled."})
    targets = list(series_from(appointment).select_for_update()) if following else [appointment]
    for target in targets:
        _give_outcome(
            target, by=by, outcome=Appointment.Outcome.CANCELLED, reason=reason.strip()[:300]
        )
    return targets


@transaction.atomic
def record_appointment_contact(
    appointment: Appointment, *, by: User, **contact_and_plan_work: object
) -> Contact:
    """The appointment happened: record the contact (and the plan work it moved forward) and
    mark the appointment attended, with the contact, as one write."""
    appointment = _locked(appointment)
    if not appointment.is_open:
        raise _not_open(appointment)
    contact = record_contact_with_plan_work(
        appointment.young_person, by=by, **contact_and_plan_work
    )
    _give_outcome(appointment, by=by, outcome=Appointment.Outcome.ATTENDED, contact=contact)
    return contact


@transaction.atomic
def record_not_attended(appointment: Appointment, *, by: User) -> Contact:
    """The young person did not come (or was not there): an attempt that did not reach them
    is recorded, and the appointment marked with it."""
    appointment = _locked(appointment)
    if not appointment.is_open:
        raise _not_open(appointment)
    if not appointment.is_past:
        raise ValidationError(
            f"This appointment is on {show_datetime(appointment.starts_at)}: it can be marked "
            "not attended once it has begun. To call it off, cancel it."
        )
    contact = record_contact(
        appointment.young_person,
        by=by,
        client_reference=uuid.uuid5(uuid.NAMESPACE_URL, f"icms:appointment:{appointment.pk}"),
        co_workers=[
            worker
            for worker in appointment.workers.all()
            if worker.pk != by.pk and worker.team_id == appointment.young_person.team_id
        ],
        started_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        mode=Contact.Mode.FACE_TO_FACE,
        location=CONTACT_LOCATION[appointment.kind],
        kind=Contact.Kind.OUTREACH,
        reached_young_person=False,
        notes=f"Appointment not attended: {appointment.what}"
        + (f", {appointment.place}" if appointment.place else "")
        + ".",
    )
    _give_outcome(appointment, by=by, outcome=Appointment.Outcome.NOT_ATTENDED, contact=contact)
    return contact


# --- The calendar link ------------------------------------------------------------------------


@transaction.atomic
def make_feed_link(*, worker: User) -> str:
    """A new private calendar link for the worker, ending the one they had. Returns its token,
    which is not kept (only its hash is): it can be shown once."""
    revoke_feed_link(worker=worker)
    token = secrets.token_urlsafe(32)
    link = FeedLink.objects.create(worker=worker, token_hash=token_hash(token))
    record(AuditAction.CREATE, actor=worker, obj=link)
    return token


@transaction.atomic
def revoke_feed_link(*, worker: User) -> bool:
    """End the worker's calendar link, if they have one; whether they had."""
    link = (
        FeedLink.objects.select_for_update().filter(worker=worker, revoked_at__isnull=True).first()
    )
    if link is None:
        return False
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    record(AuditAction.CHANGE, actor=worker, obj=link, detail={"revoked": True})
    return True


# --- Reminders --------------------------------------------------------------------------------


def _name(young_person: YoungPerson) -> str:
    return young_person.display_name


def remind_of_tomorrow(today: date) -> int:
    """Each worker with appointments tomorrow is told, once: when and with whom. In the app
    only: the e-mail counts the reminders and names nobody (notifications.tasks)."""
    tomorrow = today + timedelta(days=1)
    appointments = (
        between(Appointment.objects.filter(outcome=""), tomorrow, tomorrow)
        .select_related("young_person")
        .prefetch_related("workers")
    )
    of_worker: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        for worker in appointment.workers.all():
            of_worker[worker.pk].append(appointment)
    url = f"{reverse('diary:mine')}?on={tomorrow:%Y-%m-%d}"
    notices = [
        Notice(
            worker,
            f"diary-tomorrow-{tomorrow:%Y%m%d}",
            f"Tomorrow ({show_date(tomorrow)}): "
            + "; ".join(
                f"{show_time(each.starts_at)} {each.what} with {_name(each.young_person)}"
                for each in booked
            ),
            url,
        )
        for worker, booked in of_worker.items()
    ]
    return notify_many(notices)


# How far back an appointment without an outcome still reminds its workers.
OUTCOME_REMINDED_FOR = timedelta(days=14)


def remind_of_missing_outcomes(today: date) -> int:
    """Each appointment past (before today) with neither a contact nor an outcome reminds its
    workers, once."""
    since = local_midnight(today) - OUTCOME_REMINDED_FOR
    appointments = (
        Appointment.objects.filter(
            outcome="", starts_at__lt=local_midnight(today), starts_at__gte=since
        )
        .select_related("young_person")
        .prefetch_related("workers")
    )
    notices = [
        Notice(
            worker.pk,
            f"diary-outcome-{appointment.pk}",
            f"{appointment.what} with {_name(appointment.young_person)} on "
            f"{show_datetime(appointment.starts_at)} has no outcome: record it as a contact, or "
            "mark it not attended or cancelled.",
            appointment.get_absolute_url(),
        )
        for appointment in appointments
        for worker in appointment.workers.all()
    ]
    return notify_many(notices)
