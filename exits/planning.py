"""Exit planning ahead: the dates a young person's time in ICMS is likely to end (child
protection's legal order ending, the 18th birthday), the reminders sent ahead of each at the
administrator's lead times (ExitLeadTime), and the exits coming that the caseload and the
supervisor's home show."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.cover import covering_on
from caseplans.models import ExitPlan
from clients.models import YoungPerson
from clients.queries import OPEN_STATUSES
from exits.models import ExitLeadTime
from notifications.services import Notice, notify_many
from toolkit.formats import show_date

ORDER_ENDS = "order"
TURNS_18 = "turns18"
ADULT = relativedelta(years=18)
# Month arithmetic is not exact at the ends of months (31 Mar less a month is 28 Feb): the
# database fetches a little more than the window, and `lead_time_reached` decides.
SLACK = timedelta(days=4)


def lead_times() -> list[int]:
    """The administrator's lead times, in months, longest first."""
    return list(ExitLeadTime.objects.order_by("-months").values_list("months", flat=True))


def lead_time_reached(exit_on: date, today: date, months: list[int]) -> int | None:
    """The shortest lead time (months) already reached on `today` for an exit on `exit_on`:
    the reminder due now. None before the longest is reached, and once the exit has passed."""
    if today > exit_on:
        return None
    reached = [each for each in months if exit_on - relativedelta(months=each) <= today]
    return min(reached, default=None)


def how_far_off(today: date, day: date) -> str:
    """ "in 5 months", "in 3 weeks", "in 4 days", "tomorrow", "today"."""
    between = relativedelta(day, today)
    months = between.years * 12 + between.months
    if months >= 24:
        return f"in {months // 12} years"
    if months >= 1:
        months += between.days >= 15
        return f"in {months} month{'s' if months > 1 else ''}"
    days = (day - today).days
    if days >= 14:
        return f"in {days // 7} weeks"
    if days > 1:
        return f"in {days} days"
    return "tomorrow" if days == 1 else "today"


@dataclass(frozen=True)
class ExitComing:
    """A date a young person's time in ICMS is likely to end: their order ends, they turn 18,
    or both on the same day (one exit, one reminder)."""

    young_person: YoungPerson
    on: date
    kinds: tuple[str, ...]
    ahead: str  # how far off, in words

    @property
    def what(self) -> str:
        if self.kinds == (ORDER_ENDS, TURNS_18):
            return "Order ends, turns 18"
        return "Order ends" if self.kinds == (ORDER_ENDS,) else "Turns 18"

    @property
    def exit_plan(self) -> ExitPlan | None:
        return getattr(self.young_person, "exit_plan", None)

    @property
    def in_place(self) -> int:
        plan = self.exit_plan
        return 0 if plan is None else len(ExitPlan.AREAS) - len(plan.not_yet_in_place)

    @property
    def area_count(self) -> int:
        return len(ExitPlan.AREAS)

    def in_words(self) -> str:
        """ "Jayden Own's order ends on 3 Jun 2027", "Jayden Own turns 18 on 3 Jun 2027"."""
        name = self.young_person.display_name
        if self.kinds == (ORDER_ENDS, TURNS_18):
            return f"{name}'s order ends on {show_date(self.on)}, as they turn 18"
        if self.kinds == (ORDER_ENDS,):
            return f"{name}'s order ends on {show_date(self.on)}"
        return f"{name} turns 18 on {show_date(self.on)}"

    def plan_in_words(self) -> str:
        """What the exit plan still lacks."""
        plan = self.exit_plan
        if plan is None:
            return "No exit plan yet."
        if not plan.not_yet_in_place:
            return "Exit plan: everything is in place."
        return f"Exit plan: not yet in place: {', '.join(plan.not_yet_in_place)}."


def exit_dates(young_person: YoungPerson) -> list[tuple[date, tuple[str, ...]]]:
    """The young person's exit dates, each with what happens then; an order that ends on the
    18th birthday is one exit."""
    dates: dict[date, tuple[str, ...]] = {}
    if young_person.legal_order_ends_on is not None:
        dates[young_person.legal_order_ends_on] = (ORDER_ENDS,)
    adult_on = young_person.date_of_birth + ADULT
    dates[adult_on] = (*dates.get(adult_on, ()), TURNS_18)
    return sorted(dates.items())


def exits_ahead(young_person: YoungPerson, *, today: date) -> list[ExitComing]:
    """The young person's exit dates still ahead, however far (no query)."""
    return [
        ExitComing(young_person, on, kinds, how_far_off(today, on))
        for on, kinds in exit_dates(young_person)
        if on >= today
    ]


def exits_coming(
    young_people: QuerySet[YoungPerson], *, today: date, months: list[int] | None = None
) -> list[ExitComing]:
    """The exits of the open `young_people` (active or exiting) whose longest lead time is
    reached (`months`: the lead times; by default the administrator's), soonest first, each
    young person with their exit plan and team read along (one query, or two to read the lead
    times)."""
    months = lead_times() if months is None else months
    if not months:
        return []
    until = today + relativedelta(months=max(months)) + SLACK
    near = Q(legal_order_ends_on__range=(today, until)) | Q(
        date_of_birth__range=(today - ADULT - SLACK, until - ADULT)
    )
    coming = []
    for young_person in (
        young_people.filter(near, status__in=OPEN_STATUSES)
        .select_related("exit_plan", "team")
        .order_by()
    ):
        for on, kinds in exit_dates(young_person):
            if lead_time_reached(on, today, months) is not None:
                coming.append(ExitComing(young_person, on, kinds, how_far_off(today, on)))
    return sorted(coming, key=lambda each: (each.on, each.young_person.display_name))


def exits_coming_panel(young_people: QuerySet[YoungPerson], *, today: date) -> dict[str, object]:
    """What the "Exits coming" panel (exits/_exits_coming.html) shows of `young_people`: their
    exits within the longest lead time, and that time (two queries)."""
    months = lead_times()
    return {
        "exits_coming": exits_coming(young_people, today=today, months=months),
        "exits_coming_months": max(months, default=0),
    }


def remind_of_exits_coming(today: date) -> int:
    """Each exit coming reminds the young person's primary case manager and their team's
    supervisor (and the colleagues covering either) once at each lead time: on or after the day
    the lead time is reached, the reminder of the shortest one reached goes, once (a job that
    first runs late sends one, not one for every lead time it missed). A changed date is a new
    exit, reminded afresh. Returns how many notifications were new."""
    months = lead_times()
    covering = covering_on(today)
    notices = []
    for coming in exits_coming(YoungPerson.objects.all(), today=today, months=months):
        young_person = coming.young_person
        lead_time = lead_time_reached(coming.on, today, months)
        what = "-".join(coming.kinds)
        key = f"exit-coming-{young_person.pk}-{what}-{coming.on:%Y%m%d}-{lead_time}"
        recipients = covering.worker_and_cover(young_person.primary_case_manager_id)
        if young_person.team is not None:
            recipients += covering.supervisor_and_cover(
                young_person.team.supervisor_id, young_person.team_id
            )
        message = f"Exit coming: {coming.in_words()} ({coming.ahead}). {coming.plan_in_words()}"
        url = reverse("caseplans:exit", args=[young_person.pk])
        notices += [Notice(recipient, key, message, url) for recipient in recipients]
    return notify_many(notices)
