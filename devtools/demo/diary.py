"""The demo's diaries: for each demo case manager a week of appointments with their young
people, the past few days' and the coming week's, some repeating; one past one marked not
attended, and one past one still waiting for its outcome (the morning reminder's)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from clients.models import YoungPerson
from diary.models import Appointment
from diary.services import Repeat, book_appointment, record_not_attended

# days from today, time, what, kind, place, transport, repeats weekly for how many weeks
PLAN = [
    (-3, time(10), "School meeting: year coordinator", "school", "Northside High", False, 0),
    (-1, time(16, 30), "Home visit", "home_visit", "At the placement", False, 0),
    (0, time(14), "GP appointment", "health", "Northside Medical Centre", True, 0),
    (1, time(9, 30), "Court: bail hearing", "court", "Children's Court", True, 0),
    (2, time(17), "Thursday outreach", "home_visit", "Youth centre", False, 4),
    (4, time(11), "Family meeting", "family", "ICMS office", False, 0),
]  # fmt: skip


def _at(day_offset: int, at: time) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=day_offset), at)
    )


def seed_demo_appointments() -> int:
    """Return how many appointments were made."""
    made = 0
    case_managers = User.objects.filter(groups__name=Role.CASE_MANAGER, team__isnull=False)
    for worker in case_managers.order_by("username"):
        young_people = list(
            YoungPerson.objects.filter(primary_case_manager=worker).open().order_by("pk")
        )
        if not young_people:
            continue
        for index, (day, at, what, kind, place, transport, weeks) in enumerate(PLAN):
            appointments = book_appointment(
                young_people[index % len(young_people)],
                by=worker,
                starts_at=_at(day, at),
                what=what,
                kind=kind,
                place=place,
                show_place_in_feed=kind == Appointment.Kind.HEALTH,
                transport_needed=transport,
                duration_minutes=60,
                repeat=Repeat.WEEKLY if weeks else Repeat.NEVER,
                repeat_until=timezone.localdate() + timedelta(days=day + 7 * (weeks - 1))
                if weeks
                else None,
            )
            made += len(appointments)
            if day == -1:
                record_not_attended(appointments[0], by=worker)
    return made
