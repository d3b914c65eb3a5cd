from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crises.models import CrisisEvent
from crises.services import send_morning_summaries
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_after_hours_crisis_for_cm_demo_two_nights_ago(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    crisis = CrisisEvent.objects.select_related("young_person__team__supervisor").get()
    assert crisis.young_person.primary_case_manager.username == "cm.demo"
    assert crisis.after_hours is True
    assert CrisisEvent.Action.AFTER_HOURS_SERVICE in crisis.actions
    assert timezone.localtime(crisis.occurred_at).date() == timezone.localdate() - timedelta(2)
    send_morning_summaries(crisis.recorded_at + timedelta(days=1))
    summary = Notification.objects.get(recipient=crisis.young_person.team.supervisor)
    assert summary.message.startswith("1 crisis logged for your team")
