"""The service's hours: office hours (OFFICE_HOURS) on working days, and after hours, which is
evenings, nights, weekends and the state's public holidays (from the `holidays` package), in
the service's local time. The after-hours crisis count, break-glass access and the on-call
roster all ask here."""

from datetime import date, datetime
from functools import cache

import holidays
from django.conf import settings
from django.utils import timezone


@cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("AU", subdiv=settings.PUBLIC_HOLIDAYS_STATE, years=year)


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def is_after_hours(moment: datetime) -> bool:
    """Evenings, nights, weekends and public holidays, in the service's local time."""
    local = timezone.localtime(moment)
    opens, closes = settings.OFFICE_HOURS
    return not is_working_day(local.date()) or not opens <= local.time() < closes
