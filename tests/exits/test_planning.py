"""Exit planning starts ahead: an order ending or an 18th birthday reminds the case manager and
the supervisor once at each of the administrator's lead times; the exit plan says what is in
place and what is not yet; the caseload and the supervisor's home show the exits coming."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from caseplans.models import ExitPlan
from exits.models import ExitLeadTime
from exits.planning import how_far_off
from exits.tasks import exit_planning_reminders
from notifications.models import Notification
from tests.factories import CoverFactory, UserFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
TODAY = date(2026, 12, 1)
IN_SIX_MONTHS = date(2027, 6, 1)
AREAS = {
    "accommodation": "Back home with Mum; the lease is in her name.",
    "income": "Youth Allowance claim lodged.",
    "education_or_work": "Year 11 at Preston High.",
    "health": "Dr Rao at the Preston clinic.",
    "supportive_adults": "Mum; his aunt Rose.",
    "supports": "Youth worker at the drop-in centre.",
    "post_statutory_support": "Leaving care support program.",
}


def on(time_machine, day: date) -> None:
    """The morning of `day`, when the job runs."""
    time_machine.move_to(datetime.combine(day, time(7, 5), tzinfo=MELBOURNE), tick=False)


def every_day(time_machine, first: date, last: date) -> None:
    """Run the job each morning from `first` to `last`."""
    day = first
    while day <= last:
        on(time_machine, day)
        exit_planning_reminders()
        day += timedelta(days=1)


def told(user) -> list[tuple[date, str]]:
    """(the day it came, the message) of each notification of `user`, oldest first."""
    return [
        (timezone.localdate(created_at), message)
        for created_at, message in Notification.objects.filter(recipient=user)
        .order_by("created_at", "pk")
        .values_list("created_at", "message")
    ]


@pytest.fixture(autouse=True)
def _first_of_december(time_machine):
    on(time_machine, TODAY)


@pytest.fixture
def leaving(own_young_person):
    """Jayden Own, whose order ends in six months (he turns 18 in May 2028)."""
    own_young_person.legal_order = "cbso"
    own_young_person.legal_order_ends_on = IN_SIX_MONTHS
    own_young_person.save()
    return own_young_person


# --- Reminders --------------------------------------------------------------------------------


def test_an_order_ending_in_six_months_reminds_once_at_each_lead_time(
    time_machine, leaving, case_manager, supervisor
):
    every_day(time_machine, TODAY - timedelta(days=10), date(2027, 2, 27))
    ExitPlan.objects.create(
        young_person=leaving, accommodation=AREAS["accommodation"], accommodation_in_place=True,
        education_or_work=AREAS["education_or_work"], education_or_work_in_place=True,
    )  # fmt: skip
    every_day(time_machine, date(2027, 2, 28), IN_SIX_MONTHS + timedelta(days=10))

    expected = [
        (date(2026, 12, 1), "Exit coming: Jayden Own's order ends on 1 Jun 2027 (in 6 months). "
         "No exit plan yet."),
        (date(2027, 3, 1), "Exit coming: Jayden Own's order ends on 1 Jun 2027 (in 3 months). "
         "Exit plan: not yet in place: income, health, supportive adults who will remain, "
         "support services, post-statutory supports."),
        (date(2027, 5, 1), "Exit coming: Jayden Own's order ends on 1 Jun 2027 (in 1 month). "
         "Exit plan: not yet in place: income, health, supportive adults who will remain, "
         "support services, post-statutory supports."),
    ]  # fmt: skip
    assert told(case_manager) == expected
    assert told(supervisor) == expected
    link = Notification.objects.filter(recipient=case_manager).values_list("url", flat=True)
    assert set(link) == {reverse("caseplans:exit", args=[leaving.pk])}


def test_the_reminder_opens_the_exit_plan_form_for_each_person_told(
    client, log_in, leaving, case_manager, supervisor
):
    exit_planning_reminders()

    for person in (case_manager, supervisor):
        log_in(person)
        notification = Notification.objects.get(recipient=person)
        assert "Planned exit date" in client.get(notification.url).text


def test_the_administrators_lead_times_decide_when_reminders_come(
    time_machine, leaving, case_manager
):
    ExitLeadTime.objects.all().delete()
    ExitLeadTime.objects.create(months=4)
    ExitLeadTime.objects.create(months=2)

    every_day(time_machine, TODAY, IN_SIX_MONTHS)

    assert [day for day, _message in told(case_manager)] == [date(2027, 2, 1), date(2027, 4, 1)]
    assert "(in 4 months)" in told(case_manager)[0][1]


def test_without_lead_times_nobody_is_reminded(time_machine, leaving, case_manager):
    ExitLeadTime.objects.all().delete()

    every_day(time_machine, TODAY, TODAY + timedelta(days=3))

    assert told(case_manager) == []


def test_a_job_that_first_runs_late_sends_one_reminder_not_one_per_lead_time_missed(
    time_machine, leaving, case_manager
):
    on(time_machine, date(2027, 5, 15))

    exit_planning_reminders()
    exit_planning_reminders()

    assert told(case_manager) == [
        (date(2027, 5, 15), "Exit coming: Jayden Own's order ends on 1 Jun 2027 (in 2 weeks). "
         "No exit plan yet."),
    ]  # fmt: skip


@pytest.mark.parametrize("status", ["closed", "referred"])
def test_a_young_person_not_open_in_icms_is_not_reminded(leaving, case_manager, supervisor, status):
    leaving.status = status
    leaving.save()

    exit_planning_reminders()

    assert told(case_manager) == told(supervisor) == []


def test_the_18th_birthday_reminds_too(time_machine, case_manager, supervisor, team):
    turning = YoungPersonFactory(
        given_name="Mia", family_name="Reed", date_of_birth=date(2009, 7, 10), team=team,
        primary_case_manager=case_manager,
    )  # fmt: skip

    every_day(time_machine, TODAY, date(2027, 7, 10))

    assert told(case_manager) == [
        (date(2027, 1, 10), "Exit coming: Mia Reed turns 18 on 10 Jul 2027 (in 6 months). "
         "No exit plan yet."),
        (date(2027, 4, 10), "Exit coming: Mia Reed turns 18 on 10 Jul 2027 (in 3 months). "
         "No exit plan yet."),
        (date(2027, 6, 10), "Exit coming: Mia Reed turns 18 on 10 Jul 2027 (in 1 month). "
         "No exit plan yet."),
    ]  # fmt: skip
    assert len(told(supervisor)) == 3
    assert turning.legal_order_ends_on is None


def test_an_order_that_ends_on_the_18th_birthday_is_one_exit(case_manager, team):
    YoungPersonFactory(
        given_name="Mia", family_name="Reed", date_of_birth=date(2009, 3, 10), team=team,
        primary_case_manager=case_manager, legal_order_ends_on=date(2027, 3, 10),
    )  # fmt: skip

    exit_planning_reminders()

    assert told(case_manager) == [
        (TODAY, "Exit coming: Mia Reed's order ends on 10 Mar 2027, as they turn 18 "
         "(in 3 months). No exit plan yet."),
    ]  # fmt: skip


def test_a_changed_end_date_reminds_afresh(time_machine, leaving, case_manager):
    exit_planning_reminders()
    on(time_machine, TODAY + timedelta(days=20))
    leaving.legal_order_ends_on = date(2027, 6, 20)  # child protection extended the order
    leaving.save()

    exit_planning_reminders()
    exit_planning_reminders()

    assert [message for _day, message in told(case_manager)] == [
        "Exit coming: Jayden Own's order ends on 1 Jun 2027 (in 6 months). No exit plan yet.",
        "Exit coming: Jayden Own's order ends on 20 Jun 2027 (in 6 months). No exit plan yet.",
    ]


def test_the_colleagues_covering_the_case_manager_and_the_team_are_told_too(
    leaving, case_manager, supervisor, team
):
    covering_worker = UserFactory(role=Role.CASE_MANAGER, team=team)
    covering_team = UserFactory(role=Role.SUPERVISOR, team=team)
    CoverFactory(worker=case_manager, covered_by=covering_worker)
    CoverFactory(worker=None, team=team, covered_by=covering_team)
    someone_else = UserFactory(role=Role.CASE_MANAGER, team=team)

    exit_planning_reminders()

    for person in (case_manager, supervisor, covering_worker, covering_team):
        assert len(told(person)) == 1, person
    assert told(someone_else) == []


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 12, 1), "today"),
        (date(2026, 12, 2), "tomorrow"),
        (date(2026, 12, 9), "in 8 days"),
        (date(2026, 12, 22), "in 3 weeks"),
        (date(2027, 1, 10), "in 1 month"),
        (date(2027, 1, 20), "in 2 months"),
        (date(2027, 11, 30), "in 12 months"),
        (date(2029, 1, 1), "in 2 years"),
    ],
)
def test_how_far_off_an_exit_is_in_words(day, words):
    assert how_far_off(TODAY, day) == words


# --- The exit plan ----------------------------------------------------------------------------


def exit_plan_form(**changes: str) -> dict[str, str]:
    """The exit plan form as a worker fills it in: every area written, income and health not
    yet in place."""
    in_place = {f"{name}_in_place": "on" for name in AREAS if name not in {"income", "health"}}
    return (
        {"exit_on": "2027-06-01", "post_statutory_referrer": "Casey, by March"}
        | AREAS
        | (in_place | changes)
    )


def test_the_exit_plan_form_saves_every_area_and_whether_it_is_in_place(
    client, log_in, case_manager, leaving
):
    log_in(case_manager)

    response = client.post(reverse("caseplans:exit", args=[leaving.pk]), exit_plan_form())

    assert response.status_code == 302
    plan = ExitPlan.objects.get(young_person=leaving)
    for name, flag in ExitPlan.AREAS:
        assert getattr(plan, name) == AREAS[name]
        assert getattr(plan, flag) is (name not in {"income", "health"}), flag
    assert plan.exit_on == IN_SIX_MONTHS
    assert plan.post_statutory_referrer == "Casey, by March"
    assert plan.updated_by == case_manager


def test_the_exit_plan_form_keeps_each_area_with_its_check_box(
    client, log_in, case_manager, leaving
):
    log_in(case_manager)

    page = client.get(reverse("caseplans:exit", args=[leaving.pk])).text

    assert "Order ends</strong> 1 Jun 2027 (in 6 months)" in page
    for name, flag in ExitPlan.AREAS:
        text, box = page.index(f'name="{name}"'), page.index(f'name="{flag}"')
        assert text < box
        assert all(
            not text < page.index(f'name="{other}"') < box
            for other, _ in ExitPlan.AREAS
            if other != name
        )
    assert page.count('class="border rounded p-2 pb-0 mb-3 exit-plan-area"') == 7


def test_the_plans_page_shows_each_area_in_place_or_not_yet(client, log_in, case_manager, leaving):
    log_in(case_manager)
    client.post(reverse("caseplans:exit", args=[leaving.pk]), exit_plan_form())

    page = client.get(reverse("caseplans:young-person", args=[leaving.pk])).text

    assert page.count(">In place</span>") == 5
    assert page.count(">Not yet</span>") == 2
    assert "<strong>Not yet in place:</strong> income, health" in page
    assert "Casey, by March" in page
    assert "Order ends</strong> 1 Jun 2027 (in 6 months)" in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"income": "  "}, "Say what is arranged for income before marking it in place."),
        ({"health": "x" * 2001}, "Ensure this value has at most 2000 characters"),
        ({"exit_on": "next June"}, "Enter a valid date."),
        ({"exit_on": "2010-01-01"}, "This is before the young person was born."),
        ({"post_statutory_referrer": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_on_the_exit_plan_is_refused_with_a_message_and_nothing_saved(
    client, log_in, case_manager, leaving, changes, error
):
    log_in(case_manager)

    response = client.post(
        reverse("caseplans:exit", args=[leaving.pk]),
        exit_plan_form(income_in_place="on", health_in_place="on") | changes,
    )

    assert response.status_code == 200
    assert error in response.text
    assert not ExitPlan.objects.exists()


# --- Exits coming, on the caseload and the supervisor's home ----------------------------------


@pytest.fixture
def exits(leaving, care_team_young_person, other_young_person, team):
    """Jayden's order ends in six months (no exit plan); Noah (care team) turns 18 in two
    months, with half of his exit plan in place; Zara, of the other team, turns 18 next month;
    Ada's order ends in seven months, beyond the longest lead time."""
    care_team_young_person.date_of_birth = date(2009, 2, 1)
    care_team_young_person.save()
    ExitPlan.objects.create(
        young_person=care_team_young_person, accommodation="Lead tenant", income="Wages",
        health="GP", accommodation_in_place=True, income_in_place=True, health_in_place=True,
    )  # fmt: skip
    other_young_person.date_of_birth = date(2009, 1, 5)
    other_young_person.save()
    YoungPersonFactory(
        given_name="Ada", family_name="Later", team=team, legal_order_ends_on=date(2027, 7, 2),
        primary_case_manager=leaving.primary_case_manager,
    )  # fmt: skip


def exits_shown(response) -> list[str]:
    return [
        f"{coming.young_person.display_name}: {coming.what} {coming.on:%Y-%m-%d}"
        for coming in response.context["exits_coming"]
    ]


@pytest.mark.parametrize(
    ("who", "page"), [("case_manager", "clients:caseload"), ("supervisor", "home")]
)
def test_the_caseload_and_the_supervisors_home_show_the_exits_coming_soonest_first(
    request, client, log_in, exits, leaving, who, page
):
    log_in(request.getfixturevalue(who))

    response = client.get(reverse(page))

    assert exits_shown(response) == [
        "Noah Shared: Turns 18 2027-02-01",
        "Jayden Own: Order ends 2027-06-01",
    ]
    html = response.text
    assert "Orders ending and 18th birthdays within the next 6 months" in html
    assert 'Turns 18 1 Feb 2027 <span class="text-body-secondary">(in 2 months)</span>' in html
    assert ">3 of 7 in place</a> · not yet: education or work, supportive adults" in html
    assert ">none yet</a>" in html
    plans = reverse("caseplans:young-person", args=[leaving.pk])
    assert f'href="{plans}#exit-heading"' in html


def test_the_other_teams_people_see_only_their_own_exits_coming(
    client, log_in, other_team_case_manager, exits
):
    log_in(other_team_case_manager)

    response = client.get(reverse("clients:caseload"))

    assert exits_shown(response) == ["Zara Other: Turns 18 2027-01-05"]


def test_with_no_exit_coming_there_is_no_panel(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    response = client.get(reverse("clients:caseload"))

    assert response.context["exits_coming"] == []
    assert "Exits coming" not in response.text


def test_a_case_manager_home_has_no_team_panel(client, log_in, case_manager, exits):
    log_in(case_manager)

    assert "exits_coming" not in client.get(reverse("home")).context


def with_exits(team, case_manager, count: int) -> None:
    for n in range(count):
        young_person = YoungPersonFactory(
            team=team, primary_case_manager=case_manager,
            legal_order_ends_on=TODAY + timedelta(days=30 * (n + 1)),
        )  # fmt: skip
        if n % 2:
            ExitPlan.objects.create(young_person=young_person, income="Wages", income_in_place=True)


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_caseload_with_exits_coming_runs_a_constant_number_of_queries(
    client, log_in, case_manager, team, django_assert_num_queries, item_count
):
    with_exits(team, case_manager, item_count)
    log_in(case_manager)

    # user, OTP device, groups; unread notifications; the intensity levels of the filter; the
    # caseload with its contact figures; the lead times, the exits coming with their exit
    # plans; the list read recorded in the audit trail (savepoint, insert, release)
    with django_assert_num_queries(11):
        response = client.get(reverse("clients:caseload"))
    assert len(response.context["exits_coming"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_supervisors_home_with_exits_coming_runs_a_constant_number_of_queries(
    client, log_in, supervisor, case_manager, team, django_assert_num_queries, item_count
):
    with_exits(team, case_manager, item_count)
    log_in(supervisor)
    client.get(reverse("home"))

    # as in tests/test_home.py (25), of which two are the lead times and the exits coming
    with django_assert_num_queries(25):
        response = client.get(reverse("home"))
    assert len(response.context["exits_coming"]) == item_count


# --- The administrator's lead times -----------------------------------------------------------


def test_the_administrator_sets_the_lead_times_and_after_care_points(client, log_in, administrator):
    log_in(administrator)

    response = client.post(reverse("admin:exits_exitleadtime_add"), {"months": "12"})
    refused = client.post(reverse("admin:exits_exitleadtime_add"), {"months": "30"})
    after_care = client.get(reverse("admin:exits_aftercarepoint_changelist"))

    assert response.status_code == 302
    assert list(ExitLeadTime.objects.values_list("months", flat=True)) == [12, 6, 3, 1]
    assert refused.status_code == 200
    assert after_care.status_code == 200
    assert "1 month after exit" in after_care.text


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_shows_casey_and_sam_an_exit_coming_and_reminds_them(settings, client, log_in):
    settings.DEBUG = True
    call_command("seed_demo")
    casey = User.objects.get(username="cm.demo")
    sam = User.objects.get(username="sup.demo")

    exit_planning_reminders()
    log_in(casey)
    caseload = client.get(reverse("clients:caseload"))
    log_in(sam)
    home = client.get(reverse("home"))

    mia = "Mia Thompson: Order ends " + f"{TODAY + timedelta(days=150):%Y-%m-%d}"
    assert mia in exits_shown(caseload)
    assert mia in exits_shown(home)
    assert ">3 of 7 in place</a> · not yet: accommodation, income, support services" in home.text
    for person in (casey, sam):
        assert [message for _day, message in told(person) if "Mia" in message] == [
            "Exit coming: Mia Thompson's order ends on 30 Apr 2027 (in 5 months). Exit plan: "
            "not yet in place: accommodation, income, support services, post-statutory supports."
        ]
