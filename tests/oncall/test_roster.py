"""The roster: its periods, setting a week, swapping, the handover in the morning summary, the
gaps, break-glass for the rostered only, and the pages' query counts."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from clients.models import BreakGlassAccess
from crises.services import send_morning_summaries
from notifications.models import Notification
from oncall.models import OnCallShift, ShiftSwap, periods_of
from oncall.tasks import roster_gaps
from tests.factories import OnCallShiftFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=MELBOURNE)


def test_a_working_day_has_its_evening_and_night_a_weekend_day_its_day_too():
    (night,) = periods_of(MONDAY)
    day, saturday_night = periods_of(SATURDAY)

    assert (night.kind, night.starts_at, night.ends_at) == (
        "night",
        at(MONDAY, 17),
        at(MONDAY + timedelta(days=1), 9),
    )
    assert (day.kind, day.starts_at, day.ends_at) == ("day", at(SATURDAY, 9), at(SATURDAY, 17))
    assert saturday_night.ends_at == at(SATURDAY + timedelta(days=1), 9)
    assert [p.kind for p in periods_of(date(2026, 11, 3))] == ["day", "night"]  # Melbourne Cup


@pytest.fixture
def monday_morning(time_machine):
    time_machine.move_to(at(MONDAY, 10), tick=False)


def week_data(worker, backup=None, *, periods=9):
    data = {f"worker_{n}": "" for n in range(periods)} | {f"backup_{n}": "" for n in range(periods)}
    data["worker_0"] = str(worker.pk)
    if backup:
        data["backup_0"] = str(backup.pk)
    return data


@pytest.mark.parametrize("week", ["2026-11-24", "23-11-2026", "0001-01-01", "9999-12-27"])
def test_a_week_that_is_no_monday_or_no_plausible_one_is_not_found(
    client, log_in, supervisor, team, monday_morning, week
):
    log_in(supervisor)

    for asked in ("", "?copy=last"):
        response = client.get(reverse("oncall:week", args=[team.pk, week]) + asked)

        assert response.status_code == 404


def test_the_supervisor_sets_a_week_and_copies_it_the_next(
    client, log_in, supervisor, case_manager, team, monday_morning
):
    colleague = UserFactory(role=Role.CASE_MANAGER, team=team)
    log_in(supervisor)
    url = reverse("oncall:week", args=[team.pk, "2026-11-23"])

    response = client.post(url, week_data(case_manager, colleague))

    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert (shift.worker, shift.backup, shift.starts_at) == (
        case_manager,
        colleague,
        at(MONDAY, 17),
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="oncall.oncallshift"
    ).exists()
    roster = client.get(reverse("oncall:roster", args=[team.pk]))
    assert "Nobody on call" in roster.text
    copied = client.get(reverse("oncall:week", args=[team.pk, "2026-11-30"]) + "?copy=last")
    assert copied.context["form"].initial["worker_0"] == str(case_manager.pk)
    assert copied.context["form"].initial["backup_0"] == str(colleague.pk)


def test_only_team_members_are_rostered(
    client, log_in, supervisor, team, other_team_case_manager, monday_morning
):
    log_in(supervisor)

    response = client.post(
        reverse("oncall:week", args=[team.pk, "2026-11-23"]),
        week_data(other_team_case_manager) | {"worker_0": str(other_team_case_manager.pk)},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert OnCallShift.objects.count() == 0


def test_a_backup_without_a_worker_is_refused_and_nothing_saved(
    client, log_in, supervisor, case_manager, team, monday_morning
):
    log_in(supervisor)
    data = week_data(case_manager) | {"worker_0": "", "backup_0": str(case_manager.pk)}
    data["worker_1"] = str(case_manager.pk)

    response = client.post(reverse("oncall:week", args=[team.pk, "2026-11-23"]), data)

    assert "Choose who is on call before a backup." in response.text
    assert OnCallShift.objects.count() == 0


def test_the_rostered_worker_hands_the_shift_on_and_both_are_told(
    client, log_in, case_manager, team, monday_morning
):
    colleague = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Robin")
    shift = OnCallShiftFactory(
        worker=case_manager, starts_at=at(MONDAY, 17), ends_at=at(MONDAY, 17) + timedelta(hours=16)
    )
    log_in(case_manager)

    response = client.post(
        reverse("oncall:swap", args=[shift.pk]), {"to_worker": colleague.pk, "reason": "Sick child"}
    )

    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.worker == colleague
    swap = ShiftSwap.objects.get()
    assert (swap.from_worker, swap.to_worker, swap.reason) == (
        case_manager,
        colleague,
        "Sick child",
    )
    assert "You are now on call" in Notification.objects.get(recipient=colleague).message
    assert "in your place" in Notification.objects.get(recipient=case_manager).message
    assert shift.pgh_event_model.objects.filter(pgh_obj=shift).count() == 2  # history kept


def test_a_swap_without_a_reason_is_refused(client, log_in, case_manager, team, monday_morning):
    colleague = UserFactory(role=Role.CASE_MANAGER, team=team)
    shift = OnCallShiftFactory(
        worker=case_manager, starts_at=at(MONDAY, 17), ends_at=at(MONDAY, 17) + timedelta(hours=16)
    )
    log_in(case_manager)

    response = client.post(reverse("oncall:swap", args=[shift.pk]), {"to_worker": colleague.pk})

    assert response.status_code == 200
    shift.refresh_from_db()
    assert shift.worker == case_manager


def test_the_handover_reaches_the_morning_summary_and_no_young_person_is_e_mailed(
    client, log_in, case_manager, supervisor, team, time_machine, mailoutbox
):
    shift = OnCallShiftFactory(
        worker=case_manager, starts_at=at(MONDAY, 17), ends_at=at(MONDAY, 17) + timedelta(hours=16)
    )
    time_machine.move_to(at(MONDAY, 23), tick=False)
    log_in(case_manager)
    client.post(
        reverse("oncall:handover", args=[shift.pk]),
        {"note": "Rang Jayden's carer at 22:10; all calm."},
    )

    time_machine.move_to(at(MONDAY + timedelta(days=1), 7), tick=False)
    send_morning_summaries(at(MONDAY + timedelta(days=1), 7))

    (notice,) = Notification.objects.filter(recipient=supervisor, key__startswith="oncall-handover")
    assert "Rang Jayden's carer" in notice.message
    assert all("Jayden" not in mail.body for mail in mailoutbox)


def test_the_gaps_of_the_coming_week_are_told_to_the_supervisor_once(
    supervisor, team, time_machine
):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    for day in range(7):
        for period in periods_of(MONDAY + timedelta(days=day)):
            if (day, period.kind) != (3, "night"):
                OnCallShiftFactory(
                    team=team,
                    worker=UserFactory(role=Role.CASE_MANAGER, team=team),
                    kind=period.kind,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                )

    roster_gaps()
    roster_gaps()

    (notice,) = Notification.objects.filter(recipient=supervisor)
    assert notice.message.startswith(
        "Nobody is on call for ICMS North, evening and night from 26 Nov 2026"
    )


def test_the_supervisors_home_shows_tonight_and_the_gaps(
    client, log_in, supervisor, case_manager, team, monday_morning
):
    OnCallShiftFactory(
        worker=case_manager, starts_at=at(MONDAY, 17), ends_at=at(MONDAY, 17) + timedelta(hours=16)
    )
    log_in(supervisor)

    response = client.get(reverse("home"))

    assert "On call tonight" in response.text
    assert f"On call: <strong>{case_manager}</strong>" in response.text
    assert "Nobody on call" in response.text
    assert len(response.context["on_call"].gaps) == 8  # Tuesday to Sunday


def test_break_glass_by_a_worker_not_on_call_names_who_is(
    client, log_in, case_manager, other_young_person, other_team_case_manager, time_machine
):
    saturday_night = at(SATURDAY, 23)
    time_machine.move_to(saturday_night, tick=False)
    OnCallShiftFactory(
        worker=other_team_case_manager,
        starts_at=at(SATURDAY, 17),
        ends_at=at(SATURDAY, 17) + timedelta(hours=16),
    )
    other_young_person.child_protection_number = "CP-555001"
    other_young_person.save()
    log_in(case_manager)

    response = client.post(
        reverse("clients:break-glass"),
        {"child_protection_number": "CP-555001", "reason": "Police called: missing since 9 pm."},
    )

    assert response.status_code == 200
    assert "access is for the worker on call" in response.text
    assert f"On call for ICMS West now: {other_team_case_manager}" in response.text
    assert BreakGlassAccess.objects.count() == 0


def shifts_for(teams, count):
    for team in teams:
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        for period in [p for day in range(28) for p in periods_of(MONDAY + timedelta(days=day))][
            :count
        ]:
            OnCallShiftFactory(
                team=team,
                worker=worker,
                kind=period.kind,
                starts_at=period.starts_at,
                ends_at=period.ends_at,
            )


@pytest.mark.parametrize("item_count", [1, 20])
def test_the_roster_page_runs_a_constant_number_of_queries(
    client, log_in, case_manager, team, monday_morning, django_assert_num_queries, item_count
):
    shifts_for([team], item_count)
    log_in(case_manager)

    # the same whatever the number of shifts: the shifts are read once, with their workers
    with django_assert_num_queries(10):
        response = client.get(reverse("oncall:roster", args=[team.pk]))
    assert (
        sum(not slot.gap for _, slots in response.context["weeks"] for slot in slots) == item_count
    )


@pytest.mark.parametrize("team_count", [1, 4])
def test_the_supervisors_home_runs_a_constant_number_of_queries_in_teams_and_shifts(
    client, log_in, supervisor, team, monday_morning, django_assert_num_queries, team_count
):
    from tests.factories import CoverFactory

    teams = [team, *[TeamFactory() for _ in range(team_count - 1)]]
    for other in teams[1:]:
        CoverFactory(team=other, worker=None, covered_by=supervisor)
    shifts_for(teams, 3 * team_count)
    log_in(supervisor)

    # as tests/test_home.py counts it, and tonight, the gaps, the alerts and own shifts
    with django_assert_num_queries(25):
        response = client.get(reverse("home"))
    assert len(response.context["on_call"].tonight) == team_count


def test_a_colleague_covering_the_team_sets_its_roster(
    client, log_in, case_manager, team, other_team, monday_morning
):
    from tests.factories import CoverFactory

    covering = UserFactory(role=Role.SUPERVISOR, team=other_team)
    CoverFactory(team=team, worker=None, covered_by=covering, starts_on=MONDAY)
    log_in(covering)

    response = client.post(
        reverse("oncall:week", args=[team.pk, "2026-11-23"]), week_data(case_manager)
    )

    assert response.status_code == 302
    assert OnCallShift.objects.get().set_by == covering


def test_the_service_refuses_a_worker_of_another_team(
    supervisor, team, other_team_case_manager, monday_morning
):
    from django.core.exceptions import ValidationError

    from oncall.services import Rostered, set_week

    with pytest.raises(ValidationError, match="is not a worker of ICMS North"):
        set_week(
            team,
            week_of=MONDAY,
            rostered=[Rostered(at(MONDAY, 17), other_team_case_manager)],
            by=supervisor,
        )
    assert OnCallShift.objects.count() == 0


def test_the_on_call_page_shows_tonight_and_the_workers_own_shift(
    client, log_in, case_manager, team, time_machine
):
    time_machine.move_to(at(MONDAY, 21), tick=False)
    shift = OnCallShiftFactory(
        worker=case_manager, starts_at=at(MONDAY, 17), ends_at=at(MONDAY, 17) + timedelta(hours=16)
    )
    log_in(case_manager)

    response = client.get(reverse("oncall:now"))

    assert f"On call: <strong>{case_manager}</strong>" in response.text
    assert reverse("oncall:handover", args=[shift.pk]) in response.text
    assert "Leave a handover" in client.get(reverse("home")).text
