"""Cover when away: a colleague covering a worker's caseload or a team sees, does and is reminded
of what the worker or the team's supervisor would, from the first day to the last and no longer."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cover, Role
from accounts.services import arrange_cover, end_cover
from audit.models import AuditAction, AuditEvent
from clients.rules import young_people_visible_to
from clients.services import remind_of_overdue_contacts
from crises.services import send_morning_summaries
from notifications.models import Notification
from referrals.queries import waiting_for
from tests.factories import (
    CaseManagerFactory,
    CasePlanFactory,
    CoverFactory,
    CrisisEventFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    YoungPersonFactory,
)
from toolkit.formats import show_date

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
MONDAY = date(2026, 11, 23)


def on(time_machine, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 9, tzinfo=MELBOURNE), tick=False)


@pytest.fixture
def colleague(other_team_case_manager):
    """The worker who covers: of the other team, so nothing of the first team is theirs."""
    return other_team_case_manager


@pytest.fixture
def other_supervisor(other_team):
    user = UserFactory(username="other_supervisor", role=Role.SUPERVISOR, team=other_team)
    other_team.supervisor = user
    other_team.save(update_fields=["supervisor"])
    return user


def sees(user, young_person) -> bool:
    return young_people_visible_to(user).filter(pk=young_person.pk).exists()


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_a_caseload_cover_gives_sight_from_the_first_day_to_the_last_and_no_longer(
    time_machine, supervisor, case_manager, colleague, own_young_person, care_team_young_person
):
    on(time_machine, MONDAY)
    arrange_cover(
        by=supervisor,
        worker=case_manager,
        covered_by=colleague,
        starts_on=MONDAY + timedelta(1),
        ends_on=MONDAY + timedelta(3),
        reason="Annual leave",
    )

    seen = {}
    for day in range(5):
        on(time_machine, MONDAY + timedelta(day))
        seen[day] = [sees(colleague, own_young_person), sees(colleague, care_team_young_person)]

    assert seen == {
        0: [False, False],
        1: [True, True],
        2: [True, True],
        3: [True, True],
        4: [False, False],
    }
    assert sees(case_manager, own_young_person)  # the covered worker keeps their own sight


def test_ending_a_cover_early_ends_it_at_once_and_both_are_audited(
    supervisor, case_manager, colleague, own_young_person
):
    cover = arrange_cover(
        by=supervisor,
        worker=case_manager,
        covered_by=colleague,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(7),
        reason="Sick leave",
    )
    assert sees(colleague, own_young_person)

    end_cover(cover, by=supervisor)

    assert not sees(colleague, own_young_person)
    audited = AuditEvent.objects.filter(object_type="accounts.cover", object_id=str(cover.pk))
    assert sorted(audited.values_list("action", flat=True)) == [
        AuditAction.CHANGE,
        AuditAction.CREATE,
    ]


def test_a_team_cover_gives_the_supervisors_sight_and_actions_and_nothing_of_other_teams(
    client, log_in, supervisor, other_supervisor, team, own_young_person, other_young_person
):
    third_team_young_person = YoungPersonFactory(team=TeamFactory())
    plan = CasePlanFactory(young_person=own_young_person, status="submitted")
    referral = ReferralFactory(team=team)
    CoverFactory(worker=None, team=team, covered_by=other_supervisor, arranged_by=supervisor)

    assert sees(other_supervisor, own_young_person)
    assert sees(other_supervisor, other_young_person)  # their own team still
    assert not sees(other_supervisor, third_team_young_person)
    assert other_supervisor.has_perm("caseplans.approve_caseplan", plan)
    assert other_supervisor.has_perm("clients.add_allocation", own_young_person)
    assert list(waiting_for(other_supervisor)) == [referral]
    assert supervisor.has_perm("caseplans.approve_caseplan", plan)  # who is away keeps it
    log_in(other_supervisor)
    assert client.get(reverse("supervision:review", args=[team.pk])).status_code == 200
    assert (
        client.get(reverse("clients:detail", args=[third_team_young_person.pk])).status_code == 404
    )


def test_a_team_cover_over_is_no_cover(
    time_machine, supervisor, other_supervisor, team, own_young_person
):
    on(time_machine, MONDAY)
    plan = CasePlanFactory(young_person=own_young_person, status="submitted")
    CoverFactory(worker=None, team=team, covered_by=other_supervisor, arranged_by=supervisor)

    on(time_machine, MONDAY + timedelta(7))

    assert not sees(other_supervisor, own_young_person)
    assert not other_supervisor.has_perm("caseplans.approve_caseplan", plan)


def test_contact_reminders_follow_the_cover_while_it_lasts(
    time_machine, supervisor, other_supervisor, case_manager, colleague, team, own_young_person
):
    on(time_machine, MONDAY)  # own_young_person was never reached: long overdue
    CoverFactory(worker=case_manager, covered_by=colleague, ends_on=MONDAY)
    CoverFactory(worker=None, team=team, covered_by=other_supervisor, ends_on=MONDAY)

    remind_of_overdue_contacts(MONDAY)
    remind_of_overdue_contacts(MONDAY + timedelta(1))

    reminder = "No contact has reached Jayden Own yet: there has been none (expected every 4 days)."
    assert told(colleague) == [reminder]
    assert told(other_supervisor) == [reminder]
    assert told(case_manager) == [reminder, reminder]
    assert told(supervisor) == [reminder, reminder]


def test_the_crisis_summary_of_a_covered_team_goes_to_the_colleague_too(
    time_machine, supervisor, other_supervisor, team, own_young_person, case_manager
):
    on(time_machine, MONDAY)
    CrisisEventFactory(young_person=own_young_person, recorded_by=case_manager)
    CoverFactory(worker=None, team=team, covered_by=other_supervisor)

    send_morning_summaries(datetime(2026, 11, 23, 9, tzinfo=MELBOURNE))

    assert len(told(supervisor)) == 1
    assert told(other_supervisor) == told(supervisor)


# --- the page ---------------------------------------------------------------------------------


def form_data(whose: str, colleague, **changes) -> dict:
    return {
        "whose": whose,
        "covered_by": colleague.pk,
        "starts_on": "2026-11-23",
        "ends_on": "2026-11-27",
        "reason": "Annual leave",
    } | changes


@pytest.fixture
def supervisor_client(client, log_in, supervisor, time_machine):
    on(time_machine, MONDAY)
    return log_in(supervisor)


def test_a_supervisor_arranges_a_cover_and_ends_it(
    supervisor_client, case_manager, team, own_young_person
):
    colleague = CaseManagerFactory(team=team, first_name="Robin", last_name="Lee")

    response = supervisor_client.post(
        reverse("accounts:cover"), form_data(f"worker-{case_manager.pk}", colleague), follow=True
    )

    cover = Cover.objects.get()
    assert (cover.worker, cover.covered_by, cover.ends_on) == (
        case_manager,
        colleague,
        date(2026, 11, 27),
    )
    assert f"Robin Lee</strong> covers {case_manager}'s caseload" in response.text
    supervisor_client.post(reverse("accounts:cover-end", args=[cover.pk]))
    cover.refresh_from_db()
    assert cover.ended_early_at is not None
    assert "No cover is arranged." in supervisor_client.get(reverse("accounts:cover")).text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2026-11-20"}, "The cover cannot end before it starts."),
        ({"ends_on": "2027-03-01"}, "A cover lasts at most 12 weeks"),
        ({"covered_by": "self"}, "cannot cover their own caseload."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    supervisor_client, case_manager, team, changes, message
):
    colleague = CaseManagerFactory(team=team)
    if changes.get("covered_by") == "self":
        changes = {"covered_by": case_manager.pk}

    response = supervisor_client.post(
        reverse("accounts:cover"), form_data(f"worker-{case_manager.pk}", colleague, **changes)
    )

    assert response.status_code == 200
    assert message in response.text
    assert not Cover.objects.exists()


def test_a_worker_of_another_team_cannot_be_chosen(
    supervisor_client, other_team_case_manager, team
):
    response = supervisor_client.post(
        reverse("accounts:cover"),
        form_data(f"worker-{other_team_case_manager.pk}", CaseManagerFactory(team=team)),
    )

    assert "Select a valid choice" in response.text
    assert not Cover.objects.exists()


def test_an_overlapping_cover_is_refused_naming_the_one_in_place(
    supervisor_client, supervisor, case_manager, team
):
    first = CaseManagerFactory(team=team, first_name="Robin", last_name="Lee")
    CoverFactory(worker=case_manager, covered_by=first, starts_on=date(2026, 11, 25))

    response = supervisor_client.post(
        reverse("accounts:cover"),
        form_data(f"worker-{case_manager.pk}", CaseManagerFactory(team=team)),
    )

    assert f"Robin Lee already covers {case_manager} from 25 Nov 2026 to 1 Dec 2026." in (
        response.text.replace("&#x27;", "'")
    )
    assert Cover.objects.count() == 1


def test_the_colleague_covering_is_told_on_their_home_and_sees_the_caseload_marked(
    client, log_in, case_manager, colleague, own_young_person, other_young_person
):
    until = timezone.localdate() + timedelta(3)
    CoverFactory(worker=case_manager, covered_by=colleague, ends_on=until)
    log_in(colleague)

    home = client.get(reverse("home")).text
    caseload = client.get(reverse("clients:caseload"))

    assert f"You are covering {case_manager}'s caseload until {show_date(until)}" in home
    rows = {yp.pk: yp.covering for yp in caseload.context["young_people"]}
    assert rows == {own_young_person.pk: True, other_young_person.pk: False}


@pytest.mark.parametrize("count", [1, 3])
def test_the_cover_page_runs_the_same_queries_however_many_covers(
    supervisor_client, supervisor, team, count, django_assert_num_queries
):
    for _ in range(count):
        CoverFactory(worker=CaseManagerFactory(team=team), arranged_by=supervisor)

    # session user, OTP device, groups; the teams led, the team's case managers, the colleagues
    # (the form's choices); the covers; unread notifications
    with django_assert_num_queries(8):
        supervisor_client.get(reverse("accounts:cover"))
