"""Dates and times put into words by Python (messages, notifications, validation errors, the
names of records), written as the pages write them (icms/settings.py DATE_FORMAT and friends),
in the agency's time zone."""

from datetime import date, datetime, time

from django.utils import formats, timezone


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def show_date(day: date | datetime) -> str:
    """Like 4 Dec 2026; a moment, on its local day."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return formats.date_format(day, "DATE_FORMAT")


def show_datetime(moment: datetime) -> str:
    """Like 4 Dec 2026, 14:30, in local time."""
    return formats.date_format(_local(moment), "DATETIME_FORMAT")


def show_time(moment: datetime | time) -> str:
    """Like 14:30, in local time."""
    return formats.time_format(_local(moment) if isinstance(moment, datetime) else moment)


def show_month(month: date) -> str:
    """Like Dec 2026."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")
