"""The demo's on-call roster: both teams, this week and the next three, their case managers in
turn (so cm.demo is on call some nights), the next in turn as the backup. The night six days
from now (next week, unless today is a Monday) is left with nobody on call in ICMS North, so
that sup.demo's home, which shows the gaps of the coming seven days, shows it."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Team, User
from oncall.models import OnCallShift, periods_between

WEEKS = 4


def seed_demo_roster() -> int:
    """Return how many shifts were made."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    periods = periods_between(monday, monday + timedelta(weeks=WEEKS, days=-1))
    gap = next(
        period
        for period in periods
        if period.starts_at.date() == today + timedelta(days=6) and period.kind == "night"
    )
    shifts = []
    for team in Team.objects.filter(name__in=["ICMS North", "ICMS West"]).order_by("name"):
        workers = list(
            User.objects.filter(team=team, groups__name="Case manager").order_by("username")
        )
        for number, period in enumerate(periods):
            if team.name == "ICMS North" and period == gap:
                continue
            shifts.append(
                OnCallShift(
                    team=team,
                    kind=period.kind,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                    worker=workers[number % len(workers)],
                    backup=workers[(number + 1) % len(workers)],
                    set_by=team.supervisor or workers[0],
                )
            )
    OnCallShift.objects.bulk_create(shifts)
    return len(shifts)
