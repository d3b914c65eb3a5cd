import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import DurationField, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from accounts.models import Team, User
from clients.models import Contact
from clients.queries import local_midnight
from diary.models import Appointment, FeedLink
from visits.models import VisitPlan
from visits.queries import with_overdue

MINUTE = Value(timedelta(minutes=1), output_field=DurationField())
# Where a contact made at an appointment of each kind most likely happened; the contact form
# offers it, and the worker changes it if it was elsewhere.
CONTACT_LOCATION = {
    Appointment.Kind.HOME_VISIT: Contact.Location.HOME,
    Appointment.Kind.SCHOOL: Contact.Location.SCHOOL,
    Appointment.Kind.FAMILY: Contact.Location.HOME,
    Appointment.Kind.HEALTH: Contact.Location.OTHER,
    Appointment.Kind.COURT: Contact.Location.OTHER,
    Appointment.Kind.OTHER: Contact.Location.COMMUNITY,
}


def clashes_for(
    workers: Iterable[User],
    *,
    times: Iterable[tuple[datetime, datetime]],
    leaving_out: Iterable[int] = (),
) -> QuerySet[Appointment]:
    """The appointments of any of `workers` overlapping any of `times` (start, end), but those
    of `leaving_out` (the ones being changed)."""
    overlap = Q(pk__in=[])
    for starts_at, ends_at in times:
        overlap |= Q(
            starts_at__lt=ends_at, starts_at__gt=starts_at - F("duration_minutes") * MINUTE
        )
    return (
        Appointment.objects.filter(workers__in=list(workers))
        .exclude(outcome=Appointment.Outcome.CANCELLED)
        .exclude(pk__in=list(leaving_out))
        .filter(overlap)
        .select_related("young_person")
        .distinct()
        .order_by("starts_at")
    )


def diary_page(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """What a diary shows of each appointment, read in a fixed number of queries."""
    return appointments.select_related("young_person", "contact").prefetch_related(
        Prefetch("workers", queryset=User.objects.order_by("first_name", "last_name"))
    )


def between(appointments: QuerySet[Appointment], first: date, last: date) -> QuerySet[Appointment]:
    """The appointments starting on the days from `first` to `last`, local time."""
    return appointments.filter(
        starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(last + timedelta(days=1))
    ).order_by("starts_at", "pk")


# "Tonight" on the team's diary runs to six the next morning.
NIGHT_ENDS = timedelta(hours=6)


def today_and_tonight(
    appointments: QuerySet[Appointment], team: Team, day: date
) -> QuerySet[Appointment]:
    """Of `appointments`, those the team's workers go to on `day`, and through that night."""
    return diary_page(
        appointments.filter(
            workers__team=team,
            starts_at__gte=local_midnight(day),
            starts_at__lt=local_midnight(day + timedelta(days=1)) + NIGHT_ENDS,
        )
        .distinct()
        .order_by("starts_at", "pk")
    )


def appointments_of(worker: User, appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Of `appointments`, those the worker goes to."""
    return appointments.filter(workers=worker)


def appointments_today(worker: User, appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Of `appointments`, the worker's today, as a diary shows them."""
    today = timezone.localdate()
    return diary_page(between(appointments_of(worker, appointments), today, today))


# How many of a young person's next appointments their record shows.
COMING_UP = 5


def coming_up(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """The next of `appointments` from today on, not cancelled, the soonest first."""
    return diary_page(
        appointments.exclude(outcome=Appointment.Outcome.CANCELLED)
        .filter(starts_at__gte=local_midnight(timezone.localdate()))
        .order_by("starts_at", "pk")
    )[:COMING_UP]


def series_from(appointment: Appointment) -> QuerySet[Appointment]:
    """This appointment and, if it repeats, the occurrences after it still to be given an
    outcome."""
    if appointment.series is None:
        return Appointment.objects.filter(pk=appointment.pk)
    return Appointment.objects.filter(
        Q(pk=appointment.pk)
        | Q(series=appointment.series, starts_at__gt=appointment.starts_at, outcome="")
    ).order_by("starts_at")


def feed_link_of(worker: User) -> FeedLink | None:
    return FeedLink.objects.filter(worker=worker, revoked_at__isnull=True).first()


def feed_link_for(token: str) -> FeedLink | None:
    """The calendar link in force whose token this is, if any."""
    return (
        FeedLink.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("worker")
        .first()
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_visits_of(plans: QuerySet[VisitPlan], team: Team) -> QuerySet[VisitPlan]:
    """Of `plans`, the team's workers' visits not checked in: who is due back when, the
    earliest first (so the overdue ones lead)."""
    return (
        with_overdue(plans.filter(worker__team=team, checked_in_at__isnull=True))
        .select_related("worker", "young_person")
        .order_by("back_by")
    )
