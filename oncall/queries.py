"""Reading the roster: who is on call now, a team's weeks of shifts with their gaps, and the
gaps of the coming days."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Team, User
from oncall.models import AfterHoursAlert, OnCallShift, Period, periods_between

WEEKS_SHOWN = 4
GAP_DAYS = 7


def shifts_with_people(shifts: QuerySet[OnCallShift]) -> QuerySet[OnCallShift]:
    return shifts.select_related("team", "worker", "backup")


def on_call_at(moment: datetime, teams: QuerySet[Team] | None = None) -> QuerySet[OnCallShift]:
    """The shifts under way at `moment` (of `teams`, or of every team)."""
    shifts = OnCallShift.objects.at(moment)
    if teams is not None:
        shifts = shifts.filter(team__in=teams)
    return shifts_with_people(shifts).order_by("team__name")


def is_on_call(user: User, moment: datetime) -> bool:
    """Whether the user is the worker or the backup of a shift of any team under way."""
    return OnCallShift.objects.at(moment).of_worker(user.pk).exists()


def teams_on_call_for(user: User, moment: datetime) -> QuerySet[Team]:
    """The teams the user is on call for (as the worker or the backup) at `moment`."""
    shifts = OnCallShift.objects.at(moment).of_worker(user.pk)
    return Team.objects.filter(pk__in=shifts.values("team"))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Slot:
    """A period of the roster, with its shift or None (a gap)."""

    period: Period
    shift: OnCallShift | None
    team: Team | None = None

    @property
    def gap(self) -> bool:
        return self.shift is None


def slots(
    team_ids: list[int], first: date, last: date, shifts: QuerySet[OnCallShift]
) -> list[Slot]:
    """Every period from `first` to `last` for each team, with the shift set for it (one
    query). A shift is matched to its period by its start."""
    periods = periods_between(first, last)
    if not periods or not team_ids:
        return []
    found = {
        (shift.team_id, shift.starts_at): shift
        for shift in shifts_with_people(shifts).filter(
            team_id__in=team_ids,
            starts_at__gte=periods[0].starts_at,
            starts_at__lt=periods[-1].ends_at,
        )
    }
    return [
        Slot(period, found.get((team_id, period.starts_at)))
        for team_id in team_ids
        for period in periods
    ]


def roster_weeks(
    team: Team, first_week: date, weeks: int = WEEKS_SHOWN
) -> list[tuple[date, list[Slot]]]:
    """The team's roster week by week (weeks start on Mondays), each period with its shift."""
    last = first_week + timedelta(weeks=weeks, days=-1)
    shown = slots([team.pk], first_week, last, OnCallShift.objects.all())
    return [
        (
            first_week + timedelta(weeks=number),
            [
                slot
                for slot in shown
                if monday_of(timezone.localtime(slot.period.starts_at).date())
                == first_week + timedelta(weeks=number)
            ],
        )
        for number in range(weeks)
    ]


@dataclass(frozen=True)
class Gap:
    team: Team
    period: Period


@dataclass(frozen=True)
class Outlook:
    """For the teams: who is on call tonight (the shift under way, or else the next to begin
    today, or a gap), and the periods of the coming days with nobody on call."""

    tonight: list[Slot]
    gaps: list[Gap]


def outlook(teams: QuerySet[Team], days: int = GAP_DAYS) -> Outlook:
    """Tonight and the gaps of the next `days` days (from today, leaving out periods over) for
    each team: two queries, whatever the number of teams and shifts."""
    teams = list(teams.order_by("name"))
    now = timezone.now()
    today = timezone.localdate()
    found = slots(
        [team.pk for team in teams],
        today - timedelta(days=1),
        today + timedelta(days=days - 1),
        OnCallShift.objects.all(),
    )
    per_team = len(found) // len(teams) if teams else 0
    tonight, gaps = [], []
    for number, team in enumerate(teams):
        own = found[number * per_team : (number + 1) * per_team]
        current = [slot for slot in own if slot.period.starts_at <= now < slot.period.ends_at]
        coming = [slot for slot in own if slot.period.starts_at > now and _day(slot) == today]
        chosen = (current or coming or [None])[0]
        if chosen is not None:
            tonight.append(Slot(chosen.period, chosen.shift, team))
        gaps += [
            Gap(team, slot.period)
            for slot in own
            if slot.gap and slot.period.ends_at > now and _day(slot) >= today
        ]
    return Outlook(tonight, gaps)


def _day(slot: Slot) -> date:
    return timezone.localtime(slot.period.starts_at).date()


def alerts_waiting(alerts: QuerySet[AfterHoursAlert]) -> QuerySet[AfterHoursAlert]:
    """The alerts not yet acknowledged, oldest first."""
    return alerts.filter(acknowledged_at__isnull=True).select_related("team").order_by("raised_at")


def shifts_of_now_for(user: User, shifts: QuerySet[OnCallShift]) -> QuerySet[OnCallShift]:
    """The user's shifts under way now or ended within the last 12 hours: those whose handover
    note they may still write."""
    now = timezone.now()
    return (
        shifts.of_worker(user.pk)
        .filter(starts_at__lte=now, ends_at__gt=now - timedelta(hours=12))
        .select_related("team")
    )


def alerts_told_to(user: User, alerts: QuerySet[AfterHoursAlert]) -> QuerySet[AfterHoursAlert]:
    """The alerts waiting that the user was told of: what their home page asks them to take."""
    return alerts_waiting(alerts.filter(told=user))
