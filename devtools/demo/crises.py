"""The demo crisis: Jay (cm.demo's) left his placement late two nights ago; the after-hours
child protection emergency service was consulted."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from clients.models import YoungPerson
from crises.models import CrisisEvent
from toolkit.hours import is_after_hours


def seed_demo_crises() -> int:
    """Record the demo crisis; return how many were recorded."""
    case_manager = User.objects.get(username="cm.demo")
    young_person = YoungPerson.objects.get(primary_case_manager=case_manager, family_name="Smith")
    occurred_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=2), time(23, 20))
    )
    CrisisEvent.objects.create(
        young_person=young_person,
        occurred_at=occurred_at,
        caller="Residential carer (Sam)",
        caller_relationship=CrisisEvent.Caller.RESIDENTIAL,
        what_happened="Jay left the unit at 11 pm after an argument with another resident, "
        "saying he was going to his father's. Not answering his phone.",
        actions=[
            CrisisEvent.Action.AFTER_HOURS_SERVICE,
            CrisisEvent.Action.CRISIS_PLAN,
            CrisisEvent.Action.PHONE_SUPPORT,
        ],
        action_details="Consulted the after-hours child protection emergency service, as his "
        "crisis plan says when he goes towards his father's. Texted him every half hour.",
        outcome="Jay answered at 12:40 am and was brought back to the unit by a youth worker. "
        "Slept there. Case manager to follow up in the morning.",
        safe_at_end=CrisisEvent.Safe.YES,
        after_hours=is_after_hours(occurred_at),
        recorded_by=case_manager,
        recorded_at=occurred_at + timedelta(minutes=90),
    )
    return 1
