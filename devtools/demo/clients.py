"""The demo's restricted note: Priya Sharma (cm3.demo, mental health), Noah's primary case
manager, writes a health note only she, the supervisor (sup.demo) and the people she names read.
Casey Morgan (cm.demo), in Noah's care team, sees on his timeline that it exists, not what it
says."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from clients.models import Contact, ContactWorker, RestrictionReason, YoungPerson
from toolkit.hours import is_after_hours


def seed_demo_restricted_contacts() -> int:
    """Record the demo's restricted note; return how many were recorded."""
    clinician = User.objects.get(username="cm3.demo")
    young_person = YoungPerson.objects.get(primary_case_manager=clinician, family_name="Martin")
    started = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=1), time(14, 0))
    )
    contact = Contact.objects.create(
        young_person=young_person,
        started_at=started,
        duration_minutes=50,
        mode=Contact.Mode.FACE_TO_FACE,
        location=Contact.Location.OFFICE,
        kind=Contact.Kind.ASSESSMENT,
        notes="Mental health review with Noah. He described low mood for three weeks and "
        "poor sleep; no thoughts of self-harm today. Agreed to see the GP about a referral to "
        "headspace; he asked that his family not be told yet.",
        follow_up="Book the GP appointment with him on Friday.",
        after_hours=is_after_hours(started),
        recorded_by=clinician,
        recorded_at=started + timedelta(hours=1),
        restricted_because=RestrictionReason.HEALTH,
    )
    ContactWorker.objects.create(contact=contact, worker=clinician)
    return 1
