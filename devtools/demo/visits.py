"""The demo's outreach visits: one lone visit by cm.demo yesterday, checked in. No open plan:
it would soon be overdue and alarm the supervisor on every demo start."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from clients.models import YoungPerson
from visits.models import VisitPlan


def seed_demo_visits() -> int:
    """Return how many visit plans were made."""
    worker = User.objects.get(username="cm.demo")
    yesterday = timezone.localdate() - timedelta(days=1)
    leaves_at = timezone.make_aware(datetime.combine(yesterday, time(14)))
    VisitPlan.objects.create(
        worker=worker,
        young_person=YoungPerson.objects.get(family_name="Brown", primary_case_manager=worker),
        place="Kinship carer's house, 14 Elm Rd, Preston",
        purpose="Home visit: school enrolment forms",
        contact="Priya knows; work mobile 0400 000 999",
        leaves_at=leaves_at,
        back_by=leaves_at + timedelta(hours=1, minutes=30),
        checked_in_at=leaves_at + timedelta(hours=1, minutes=20),
        checked_in_by=worker,
        check_in_note="All fine. The dog was tied up as asked.",
        created_at=leaves_at - timedelta(minutes=5),
    )
    return 1
