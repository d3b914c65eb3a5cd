"""After hours, a missed check-in and a crisis go to the worker on call and the backup first;
the supervisor only when nobody acknowledges in time; acknowledged, never."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from crises.services import record_crisis
from notifications.models import Notification
from oncall.models import AfterHoursAlert
from oncall.tasks import unacknowledged_alerts
from tests.factories import CareTeamFactory, OnCallShiftFactory, UserFactory
from visits import services as visits
from visits.tasks import missed_check_ins

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
TUESDAY_EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=MELBOURNE)
TEN_PM = datetime(2026, 11, 24, 22, 0, tzinfo=MELBOURNE)


@pytest.fixture
def backup(team):
    return UserFactory(role="Case manager", team=team, first_name="Bailey")


@pytest.fixture
def on_call(team, supervisor, backup):
    worker = UserFactory(role="Case manager", team=team, first_name="Olive")
    return OnCallShiftFactory(
        worker=worker,
        backup=backup,
        starts_at=TUESDAY_EVENING,
        ends_at=TUESDAY_EVENING + timedelta(hours=16),
    )


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


@pytest.fixture
def missed_at_ten(case_manager, own_young_person, time_machine):
    """Casey went out at 20:30 expecting to be back by 21:40; at 22:00 the job runs."""
    time_machine.move_to(TEN_PM - timedelta(minutes=90), tick=False)
    plan = visits.start_visit(
        worker=case_manager,
        place="12 Station St, Preston",
        back_by=TEN_PM - timedelta(minutes=20),
        young_person=own_young_person,
    )
    time_machine.move_to(TEN_PM, tick=False)
    missed_check_ins()
    return plan


def test_a_missed_check_in_at_ten_pm_reaches_the_worker_on_call_and_the_backup_only(
    on_call, missed_at_ten, backup, supervisor, case_manager
):
    assert told(on_call.worker) == told(backup) != []
    assert "Casey" in told(backup)[0]
    assert "has not checked in" in told(backup)[0]
    assert told(supervisor) == []
    assert len(told(case_manager)) == 1  # the worker out is still asked to check in
    missed_at_ten.refresh_from_db()
    assert missed_at_ten.supervisor_told_at is None


def test_the_supervisor_is_told_when_nobody_acknowledges_in_time(
    on_call, missed_at_ten, supervisor, time_machine, settings
):
    settings.ON_CALL_ACKNOWLEDGE_MINUTES = 15
    time_machine.move_to(TEN_PM + timedelta(minutes=14), tick=False)
    missed_check_ins()
    unacknowledged_alerts()
    assert told(supervisor) == []

    time_machine.move_to(TEN_PM + timedelta(minutes=16), tick=False)
    missed_check_ins()
    unacknowledged_alerts()
    unacknowledged_alerts()

    assert len(told(supervisor)) == 1
    assert told(supervisor)[0].startswith("Not acknowledged by the worker on call")
    assert supervisor in AfterHoursAlert.objects.get().told.all()


def test_the_acknowledge_minutes_are_a_setting(
    on_call, missed_at_ten, supervisor, time_machine, settings
):
    settings.ON_CALL_ACKNOWLEDGE_MINUTES = 60
    time_machine.move_to(TEN_PM + timedelta(minutes=30), tick=False)

    unacknowledged_alerts()

    assert told(supervisor) == []


def test_an_acknowledged_alert_never_reaches_the_supervisor(
    on_call, missed_at_ten, supervisor, client, log_in, time_machine
):
    log_in(on_call.worker)
    home = client.get(reverse("home"))
    alert = AfterHoursAlert.objects.get()
    assert "I&#x27;m on it" in home.text or "I'm on it" in home.text

    client.post(reverse("oncall:acknowledge", args=[alert.pk]))
    for minutes in (20, 60, 300):
        time_machine.move_to(TEN_PM + timedelta(minutes=minutes), tick=False)
        missed_check_ins()
        unacknowledged_alerts()

    alert.refresh_from_db()
    assert alert.acknowledged_by == on_call.worker
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="oncall.afterhoursalert", actor=on_call.worker
    ).exists()
    assert told(supervisor) == []
    assert "I'm on it" not in client.get(reverse("home")).text


def test_checking_in_settles_the_alert_and_tells_those_told(
    on_call, missed_at_ten, backup, supervisor, case_manager, time_machine
):
    time_machine.move_to(TEN_PM + timedelta(minutes=5), tick=False)
    visits.check_in(missed_at_ten, by=case_manager)
    time_machine.move_to(TEN_PM + timedelta(minutes=30), tick=False)
    unacknowledged_alerts()

    assert "checked in" in told(backup)[-1]
    assert "checked in" in told(on_call.worker)[-1]
    assert told(supervisor) == []


def test_the_worker_on_call_opens_the_missed_visit_and_checks_the_colleague_in(
    on_call, missed_at_ten, backup, team, supervisor, client, log_in, time_machine
):
    not_on_call = UserFactory(role="Case manager", team=team, first_name="Nell")
    plan_page = AfterHoursAlert.objects.get().url
    log_in(not_on_call)
    assert client.get(plan_page).status_code == 404
    client.logout()

    log_in(on_call.worker)
    assert "12 Station St, Preston" in client.get(plan_page).text
    time_machine.move_to(TEN_PM + timedelta(minutes=10), tick=False)
    client.post(reverse("visits:check-in", args=[missed_at_ten.pk]), {"note": "Rang her: safe"})

    missed_at_ten.refresh_from_db()
    assert missed_at_ten.checked_in_at is not None
    assert "checked in" in told(backup)[-1]
    assert told(supervisor) == []


def test_once_the_shift_is_over_the_team_s_visits_are_out_of_sight_again(
    on_call, missed_at_ten, client, log_in, time_machine
):
    time_machine.move_to(on_call.ends_at + timedelta(minutes=1), tick=False)
    log_in(on_call.worker)

    assert client.get(AfterHoursAlert.objects.get().url).status_code == 404


def test_with_nobody_on_call_the_supervisor_is_told_at_once(supervisor, missed_at_ten):
    assert len(told(supervisor)) == 1
    assert AfterHoursAlert.objects.count() == 0


def crisis_at(young_person, by, moment):
    return record_crisis(
        young_person,
        by=by,
        client_reference=uuid.uuid4(),
        occurred_at=moment - timedelta(minutes=30),
        caller="Residential carer (Sam)",
        caller_relationship="residential",
        what_happened="Left the unit and was found by police.",
        actions=["police"],
        outcome="Back at the unit.",
        safe_at_end="yes",
    )


def test_a_crisis_recorded_at_eleven_pm_goes_to_the_worker_on_call_first(
    on_call, backup, supervisor, case_manager, own_young_person, time_machine, settings
):
    settings.ON_CALL_ACKNOWLEDGE_MINUTES = 15
    eleven = TEN_PM + timedelta(hours=1)
    time_machine.move_to(eleven, tick=False)

    crisis_at(own_young_person, case_manager, eleven)

    assert "Crisis recorded after hours" in told(on_call.worker)[0]
    assert told(backup) == told(on_call.worker)
    assert told(supervisor) == []
    time_machine.move_to(eleven + timedelta(minutes=16), tick=False)
    unacknowledged_alerts()
    assert len(told(supervisor)) == 1


def test_a_crisis_recorded_by_the_worker_on_call_is_theirs_already(
    on_call, backup, supervisor, own_young_person, time_machine
):
    eleven = TEN_PM + timedelta(hours=1)
    time_machine.move_to(eleven, tick=False)
    CareTeamFactory(young_person=own_young_person, worker=on_call.worker)

    crisis_at(own_young_person, on_call.worker, eleven)
    time_machine.move_to(eleven + timedelta(hours=1), tick=False)
    unacknowledged_alerts()

    assert told(on_call.worker) == []
    assert len(told(backup)) == 1
    assert told(supervisor) == []


def test_a_crisis_in_office_hours_raises_no_alert(case_manager, own_young_person, time_machine):
    noon = datetime(2026, 11, 24, 12, 0, tzinfo=MELBOURNE)
    time_machine.move_to(noon, tick=False)

    crisis_at(own_young_person, case_manager, noon)

    assert AfterHoursAlert.objects.count() == 0
