"""A worker's appointments as an iCalendar feed, for the calendar on their phone. The feed
leaves the secure system, so it names nobody: each event shows the kind and the young person's
initials, no notes, and the place only where the worker chose to show it."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from clients.models import YoungPerson
from diary.models import Appointment

# What the feed holds: a month back (the week's record) and a quarter ahead.
FEED_FROM = timedelta(days=31)
FEED_UNTIL = timedelta(days=92)


def initials(young_person: YoungPerson) -> str:
    return f"{young_person.given_name[:1]}{young_person.family_name[:1]}".upper()


def feed_appointments(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    now = timezone.now()
    return (
        appointments.exclude(outcome=Appointment.Outcome.CANCELLED)
        .filter(starts_at__gte=now - FEED_FROM, starts_at__lt=now + FEED_UNTIL)
        .select_related("young_person")
        .order_by("starts_at", "pk")
    )


def calendar_of(appointments: QuerySet[Appointment]) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ICMS//Diary//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ICMS diary")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for appointment in feed_appointments(appointments):
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@icms")
        event.add("dtstamp", appointment.updated_at or appointment.booked_at)
        event.add("dtstart", appointment.starts_at.astimezone(zone))
        event.add("dtend", appointment.ends_at.astimezone(zone))
        event.add(
            "summary", f"{appointment.get_kind_display()}: {initials(appointment.young_person)}"
        )
        if appointment.show_place_in_feed and appointment.place:
            event.add("location", appointment.place)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
