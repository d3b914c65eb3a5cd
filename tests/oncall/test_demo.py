import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from oncall.models import OnCallShift

pytestmark = pytest.mark.django_db


def test_the_demo_rosters_both_teams_with_cm_demo_on_call_and_one_gap_next_week(
    settings, client, log_in
):
    settings.DEBUG = True
    call_command("seed_demo")

    assert set(OnCallShift.objects.values_list("team__name", flat=True)) == {
        "ICMS North",
        "ICMS West",
    }
    assert OnCallShift.objects.filter(worker__username="cm.demo", kind="night").count() >= 5
    supervisor = User.objects.get(username="sup.demo")
    log_in(supervisor)
    home = client.get(reverse("home"))
    assert [gap.team.name for gap in home.context["on_call"].gaps] == ["ICMS North"]
    roster = client.get(reverse("oncall:roster", args=[supervisor.team_id]))
    assert roster.text.count("Nobody on call") == 1
