"""The demo supervision session: sup.demo with cm.demo a fortnight ago, about Jay after his
night out, with one action still open."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from clients.models import YoungPerson
from clients.rules import young_people_visible_to
from supervision.queries import snapshot_of, worker_load
from supervision.services import hold_session


def seed_demo_sessions() -> int:
    """Record the demo session; return how many were recorded."""
    supervisor = User.objects.get(username="sup.demo")
    worker = User.objects.select_related("team").get(username="cm.demo")
    jay = YoungPerson.objects.get(primary_case_manager=worker, family_name="Smith")
    today = timezone.localdate()
    hold_session(
        supervisor=supervisor,
        worker=worker,
        held_on=today - timedelta(days=14),
        figures=snapshot_of(worker_load(worker, visible=young_people_visible_to(supervisor))),
        young_people=[jay],
        debriefing="Talked through the late call about Jay leaving the unit: Casey stayed on "
        "the phone past midnight and found it hard to switch off the next day.",
        safety_matters="Jay's father's address: visits in pairs only, as the alert says.",
        actions=[
            {
                "description": "Book a session with the employee assistance counsellor",
                "owner": "worker",
                "due_on": today + timedelta(days=7),
            }
        ],
        done=[],
    )
    return 1
