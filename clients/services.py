"""Every change to young people's records, and the derived facts about them."""

from datetime import date, datetime, timedelta
from functools import cache

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import BreakGlassAccess, Disclosure, YoungPerson
from clients.rules import young_people_visible_to


@cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("AU", subdiv=settings.PUBLIC_HOLIDAYS_STATE, years=year)


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def is_after_hours(moment: datetime) -> bool:
    """Evenings, weekends and the state's public holidays (from the `holidays` package), in the
    service's local time; the office hours are set by OFFICE_HOURS."""
    local = timezone.localtime(moment)
    opens, closes = settings.OFFICE_HOURS
    return (
        local.weekday() >= 5
        or is_public_holiday(local.date())
        or not opens <= local.time() < closes
    )


@transaction.atomic
def record_disclosure(
    young_person: YoungPerson,
    *,
    by: User,
    disclosed_on: date,
    information: str,
    recipient_organisation: str,
    recipient_person: str = "",
    authority: str,
    authority_detail: str = "",
) -> Disclosure:
    """Record information shared outside the agency. It cannot be dated in the future or before
    the young person was born, and consent or a legal provision must be named unless the
    threat to safety was serious."""
    if disclosed_on > timezone.localdate():
        raise ValidationError({"disclosed_on": "A disclosure cannot be dated in the future."})
    if disclosed_on < young_person.date_of_birth:
        raise ValidationError(
            {"disclosed_on": "A disclosure cannot be dated before the young person was born."}
        )
    if authority != Disclosure.Authority.SERIOUS_THREAT and not authority_detail.strip():
        raise ValidationError(
            {"authority_detail": "Name whose consent was given, or which provision or order."}
        )
    disclosure = Disclosure(
        young_person=young_person,
        disclosed_on=disclosed_on,
        information=information,
        recipient_organisation=recipient_organisation,
        recipient_person=recipient_person,
        authority=authority,
        authority_detail=authority_detail,
        disclosed_by=by,
    )
    disclosure.full_clean()
    disclosure.save()
    record(AuditAction.CREATE, actor=by, obj=disclosure)
    return disclosure


@transaction.atomic
def grant_break_glass(
    young_person: YoungPerson,
    *,
    worker: User,
    reason: str,
) -> BreakGlassAccess:
    """Open a young person's safety information to an on-call worker for BREAK_GLASS_MINUTES.

    Only after hours, only with a reason, and only for a young person not already on the
    worker's caseload (they have the full record for those). Audited; the young person's team
    supervisor sees it the next day.
    """
    now = timezone.now()
    if not is_after_hours(now):
        raise ValidationError(
            "After-hours access is for evenings, weekends and public holidays. During office "
            "hours, ask the young person's case manager or their team supervisor."
        )
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why you need this young person's safety plan."})
    if young_people_visible_to(worker).filter(pk=young_person.pk).exists():
        raise ValidationError("This young person is on your caseload: open their record instead.")
    access = BreakGlassAccess(
        worker=worker,
        young_person=young_person,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    access.full_clean()
    access.save()
    record(
        AuditAction.BREAK_GLASS,
        actor=worker,
        obj=access,
        detail={"reason": access.reason, "expires_at": access.expires_at.isoformat()},
    )
    return access


@transaction.atomic
def review_break_glass(access: BreakGlassAccess, *, by: User) -> BreakGlassAccess:
    """The supervisor has seen the after-hours access (idempotent)."""
    if access.reviewed_at is None:
        access.reviewed_by = by
        access.reviewed_at = timezone.now()
        access.save(update_fields=["reviewed_by", "reviewed_at"])
        record(AuditAction.CHANGE, actor=by, obj=access, detail={"reviewed": True})
    return access
