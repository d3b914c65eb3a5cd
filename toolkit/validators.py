"""Bounds on what can be true of an input, shared by forms, filters, the API and the models."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from toolkit.formats import show_date

# The largest value of a PostgreSQL bigint: ids (BigAutoField) and version numbers.
MAX_ID = 2**63 - 1
# The largest value of a PostgreSQL integer (Django's IntegerField, PositiveIntegerField).
MAX_INT = 2**31 - 1

# A version number that no record has: the page was not ICMS's, or was changed on the way.
VERSION_ERRORS = {
    "required": "This form does not match the record: reload the page and try again.",
    "invalid": "This form does not match the record: reload the page and try again.",
    "min_value": "This form does not match the record: reload the page and try again.",
    "max_value": "This form does not match the record: reload the page and try again.",
}


# --- Dates that can be true -------------------------------------------------------------------
# One rule per kind of date, set on the model fields (so forms, the API and services' full_clean
# all apply it) and on the forms' own date fields. ICMS works with young people under OLDEST,
# and nothing in a young person's record is older than they are; nothing is planned further
# ahead than AHEAD years.

OLDEST = 26
AHEAD = 10


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _earliest() -> date:
    return _years_from(timezone.localdate(), -OLDEST)


def _check_not_before_earliest(day: date, message: str) -> None:
    earliest = _earliest()
    if day < earliest:
        raise ValidationError(message, code="too_early", params={"earliest": show_date(earliest)})


def validate_date_of_birth(day: date) -> None:
    """A young person's: not in the future, and under OLDEST years ago."""
    if day > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.", code="future")
    if day <= _earliest():
        raise ValidationError(
            "ICMS works with young people; check the year of birth.", code="too_early"
        )


def validate_past_day(day: date) -> None:
    """A day something happened (a listing, a decision, a review, a meeting): not in the
    future, and not before anyone ICMS works with was born."""
    if day > timezone.localdate():
        raise ValidationError("This date is in the future.", code="future")
    _check_not_before_earliest(day, "This date is before %(earliest)s: check the year.")


def validate_plausible_day(day: date) -> None:
    """A day planned (a review, a due date, an exit, the end of an order) or searched: at most
    AHEAD years ahead, and not before anyone ICMS works with was born."""
    latest = _years_from(timezone.localdate(), AHEAD)
    if day > latest:
        raise ValidationError(
            f"This date is more than {AHEAD} years ahead: check the year.",
            code="too_late",
            params={"latest": show_date(latest)},
        )
    _check_not_before_earliest(day, "This date is before %(earliest)s: check the year.")
