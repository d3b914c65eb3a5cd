"""After-care: the follow-ups due after exit (the list, the reminders, recording one), what the
worker needs to make one, supports not holding, and reopening a closed file as a new episode
without keying anything again."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from clients.models import KeyPerson, YoungPerson
from clients.services import merge_preview
from exits.models import Closure, FollowUp, Reopening
from exits.services import record_follow_up, reopen_episode
from exits.tasks import after_care_reminders
from notifications.models import Notification
from tests.exits.conftest import close
from tests.factories import (
    CoverFactory,
    IntensityLevelFactory,
    KeyPersonFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

MELBOURNE = ZoneInfo("Australia/Melbourne")
CLOSED_ON = date(2027, 3, 1)


def on(time_machine, day: date, hour: int = 7) -> None:
    time_machine.move_to(datetime.combine(day, time(hour, 10), tzinfo=MELBOURNE), tick=False)


def reminders(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, key__startswith="follow-up-")
        .order_by("pk")
        .values_list("message", flat=True)
    )


@pytest.fixture
def left(leaving, supervisor, time_machine) -> Closure:
    """Jayden left ICMS on 1 March 2027: follow-ups due on 1 April, 1 June and 1 September."""
    on(time_machine, CLOSED_ON, hour=15)
    return close(leaving, supervisor)


def made(follow_up: FollowUp, by, **overrides) -> FollowUp:
    fields = {
        "made_on": timezone.localdate(),
        "mode": "phone",
        "reached": True,
        "holding": "holding",
        "notes": "Settled; going to TAFE three days a week.",
    }
    return record_follow_up(follow_up, by=by, **(fields | overrides))


# --- Reminders --------------------------------------------------------------------------------


def test_a_follow_up_is_due_and_reminded_a_month_after_exit_once(
    left, case_manager, supervisor, time_machine
):
    on(time_machine, date(2027, 3, 31))
    after_care_reminders()
    assert reminders(case_manager) == []

    on(time_machine, date(2027, 4, 1))
    after_care_reminders()
    after_care_reminders()

    assert reminders(case_manager) == [
        "The after-care follow-up of Jayden Own (1 month after exit) is due today: 1 Apr 2027."
    ]
    assert reminders(supervisor) == []
    notification = Notification.objects.get(recipient=case_manager, key__endswith="-due")
    assert notification.url == reverse("exits:follow-up", args=[left.follow_ups.get(months=1).pk])


def test_two_weeks_overdue_reminds_the_worker_and_the_supervisor_once_more(
    left, case_manager, supervisor, time_machine
):
    on(time_machine, date(2027, 4, 1))
    after_care_reminders()
    on(time_machine, date(2027, 4, 15))
    after_care_reminders()
    on(time_machine, date(2027, 4, 16))
    after_care_reminders()

    overdue = "The after-care follow-up of Jayden Own (1 month after exit) was due on 1 Apr 2027 "
    assert reminders(case_manager) == [
        "The after-care follow-up of Jayden Own (1 month after exit) is due today: 1 Apr 2027.",
        f"{overdue}and is not yet made.",
    ]
    assert reminders(supervisor) == [f"{overdue}and is not yet made."]


def test_a_colleague_covering_the_worker_is_reminded_too(left, case_manager, time_machine):
    on(time_machine, date(2027, 4, 1))
    colleague = UserFactory(role=Role.CASE_MANAGER, team=case_manager.team)
    CoverFactory(worker=case_manager, covered_by=colleague)

    after_care_reminders()

    assert len(reminders(colleague)) == 1


def test_a_made_follow_up_stops_the_reminders(left, case_manager, supervisor, time_machine):
    on(time_machine, date(2027, 3, 28))
    made(left.follow_ups.get(months=1), case_manager)

    for day in (date(2027, 4, 1), date(2027, 4, 15)):
        on(time_machine, day)
        after_care_reminders()

    assert reminders(case_manager) == reminders(supervisor) == []


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_the_follow_ups_due_this_week_to_the_worker_and_the_team_supervisor(
    client, log_in, left, case_manager, supervisor, other_team_case_manager, time_machine
):
    url = reverse("exits:follow-ups")
    on(time_machine, date(2027, 3, 24))
    log_in(case_manager)
    assert list(client.get(url).context["follow_ups"]) == []  # due in eight days

    on(time_machine, date(2027, 3, 25))  # a day later: signed in again
    log_in(case_manager)
    mine = client.get(url)
    log_in(supervisor)
    teams = client.get(url)
    log_in(other_team_case_manager)
    theirs = client.get(url)

    first = left.follow_ups.get(months=1)
    assert list(mine.context["follow_ups"]) == list(teams.context["follow_ups"]) == [first]
    assert "Jayden Own" in mine.text
    assert "Due 1 Apr 2027" in mine.text
    assert list(theirs.context["follow_ups"]) == []
    event = AuditEvent.objects.filter(actor=case_manager, action=AuditAction.VIEW).latest("id")
    assert event.in_words == "Viewed the after-care follow-ups"


def test_the_worker_reaches_the_list_from_home_the_caseload_and_the_menu(
    client, log_in, case_manager
):
    log_in(case_manager)
    url = reverse("exits:follow-ups")

    home = client.get(reverse("home"))

    assert ("After-care", "exits:follow-ups") in home.context["nav_items"]
    assert url in home.text
    assert url in client.get(reverse("clients:caseload")).text


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_list_runs_the_same_queries_whatever_the_follow_ups(
    client, log_in, supervisor, case_manager, team, item_count, django_assert_num_queries
):
    for _ in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        close(
            young_person, supervisor, closed_on=timezone.localdate() - timedelta(days=35),
            no_exit_plan_because="absconded", reason="absconded", destination="unknown",
        )  # fmt: skip
    log_in(case_manager)

    # user, OTP device, groups; the follow-ups due (with the young people, workers and
    # closures); unread notifications; the read of the list in the audit trail (savepoint,
    # insert, release)
    with django_assert_num_queries(8):
        response = client.get(reverse("exits:follow-ups"))
    assert len(response.context["follow_ups"]) == item_count


# --- A follow-up ------------------------------------------------------------------------------


def test_the_follow_up_page_shows_how_to_reach_them_and_what_was_in_place(
    case_manager_client, leaving, supervisor
):
    follow_up = close(leaving, supervisor).follow_ups.get(months=1)

    page = case_manager_client.get(reverse("exits:follow-up", args=[follow_up.pk])).text

    assert 'href="tel:0400 123 456"' in page  # theirs, as given on leaving
    assert "Rosa Own (aunt or uncle)" in page
    assert 'href="tel:0400 555 010"' in page
    assert "Lead tenant flat through the youth housing program." in page
    assert "Record the follow-up" in page
    assert reverse("exits:closure", args=[follow_up.closure_id]) in page
    assert reverse("clients:detail", args=[leaving.pk]) not in page  # not theirs to open


def test_recording_a_follow_up_with_bad_input_says_what_is_wrong_and_saves_nothing(
    case_manager_client, leaving, supervisor
):
    follow_up = close(leaving, supervisor).follow_ups.get(months=1)
    url = reverse("exits:follow-up", args=[follow_up.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    empty = case_manager_client.post(url, {})
    not_reached = case_manager_client.post(
        url, {"made_on": timezone.localdate().isoformat(), "mode": "phone", "reached": "no",
              "holding": "holding"},
    )  # fmt: skip
    future = case_manager_client.post(
        url, {"made_on": tomorrow, "mode": "phone", "reached": "yes", "holding": "holding"}
    )

    assert empty.status_code == not_reached.status_code == future.status_code == 200
    assert "This field is required." in empty.text
    assert "say who told you how things are" in not_reached.text
    assert "This date is in the future." in future.text
    follow_up.refresh_from_db()
    assert follow_up.made_on is None


def test_a_follow_up_is_recorded_once_and_supports_not_holding_tell_the_supervisor(
    case_manager_client, leaving, case_manager, supervisor
):
    follow_up = close(leaving, supervisor).follow_ups.get(months=1)
    url = reverse("exits:follow-up", args=[follow_up.pk])
    data = {
        "made_on": timezone.localdate().isoformat(),
        "mode": "phone",
        "reached": "no",
        "spoke_with": "Rosa, his aunt",
        "holding": "not_holding",
        "notes": "Lost the flat; sleeping at a friend's.",
    }

    response = case_manager_client.post(url, data)
    again = case_manager_client.post(url, data, follow=True)

    follow_up.refresh_from_db()
    assert response.url == url
    assert (follow_up.made_on, follow_up.made_by, follow_up.reached) == (
        timezone.localdate(), case_manager, False,
    )  # fmt: skip
    assert (follow_up.spoke_with, follow_up.holding) == ("Rosa, his aunt", "not_holding")
    assert "This follow-up is no longer due: nothing was recorded." in again.text
    assert list(
        Notification.objects.filter(recipient=supervisor).values_list("message", "url")
    ) == [
        (
            "After-care follow-up of Jayden Own: the supports are not holding. Consider a "
            "re-referral.",
            url,
        )
    ]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="exits.followup")
    assert event.detail == {"made": True, "holding": "not_holding"}


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_follow_up_page_runs_the_same_queries_whatever_the_people(
    case_manager_client, leaving, supervisor, item_count, django_assert_num_queries
):
    for number in range(item_count):
        KeyPersonFactory(young_person=leaving, name=f"Support {number}", phone="0400 000 000")
    follow_up = close(leaving, supervisor).follow_ups.get(months=1)

    # user, OTP device, groups; the follow-up (worker, closure, last case manager), its young
    # person (team), their alerts, their supporting key people, the closure's follow-ups; may
    # the user record it; is it still due; unread notifications; the read in the audit trail
    # (savepoint, insert, release)
    with django_assert_num_queries(14):
        case_manager_client.get(reverse("exits:follow-up", args=[follow_up.pk]))


# --- Reopening --------------------------------------------------------------------------------


def test_reopening_makes_a_new_episode_with_nothing_keyed_again(
    supervisor_client, leaving, supervisor, case_manager, time_machine
):
    closure = close(leaving, supervisor, closed_on=timezone.localdate() - timedelta(days=40))
    YoungPerson.objects.filter(pk=leaving.pk).update(archived_on=timezone.localdate())
    high = IntensityLevelFactory(name="High")

    response = supervisor_client.post(
        reverse("exits:reopen", args=[leaving.pk]),
        {
            "referred_by": "supportive_adult",
            "referrer": "Rosa Own, his aunt",
            "why": "Lost the flat; sleeping at friends' places.",
            "case_manager": case_manager.pk,
            "intensity": high.pk,
        },
    )

    leaving.refresh_from_db()
    reopening = Reopening.objects.get()
    assert response.url == reverse("clients:detail", args=[leaving.pk])
    assert (leaving.status, leaving.intensity, leaving.archived_on) == ("active", high, None)
    assert leaving.primary_case_manager == case_manager
    assert leaving.key_people.get().name == "Rosa Own"  # nothing keyed again
    assert leaving.exit_plan.accommodation.startswith("Lead tenant flat")
    assert (reopening.closure, reopening.referrer) == (closure, "Rosa Own, his aunt")
    assert Closure.objects.get() == closure  # the earlier closure stays
    assert case_manager.notifications.filter(
        message=f"{leaving}'s file is reopened and allocated to you: a new episode."
    ).exists()
    # The follow-ups of the earlier episode are no longer due: not listed, not reminded.
    first = closure.follow_ups.get(months=1)
    page = supervisor_client.get(reverse("exits:follow-up", args=[first.pk]))
    assert "This follow-up is no longer due: the file was reopened." in page.text
    assert list(supervisor_client.get(reverse("exits:follow-ups")).context["follow_ups"]) == []
    on(time_machine, first.due_on + timedelta(days=20))
    after_care_reminders()
    assert reminders(case_manager) == []


def test_a_reopened_file_closes_again_as_a_new_episode(leaving, supervisor, case_manager):
    first = close(leaving, supervisor, closed_on=timezone.localdate() - timedelta(days=40))

    reopen_episode(leaving, by=supervisor, referred_by="young_person", why="Asked for help.",
                   case_manager=case_manager, intensity=leaving.intensity)  # fmt: skip

    second = close(leaving, supervisor, reason="stepped_down", destination="lead_tenant")

    assert second.began_on == timezone.localdate()
    assert Closure.objects.filter(young_person=leaving).count() == 2
    assert first.follow_ups.count() == second.follow_ups.count() == 3


def test_reopening_needs_who_and_why_and_a_closed_file(
    supervisor_client, leaving, supervisor, case_manager
):
    url = reverse("exits:reopen", args=[leaving.pk])
    assert supervisor_client.get(url, follow=True).redirect_chain  # open: back to the record
    close(leaving, supervisor)

    response = supervisor_client.post(url, {"referred_by": "child_protection", "why": " "})

    assert response.status_code == 200
    assert "This field is required." in response.text  # the why, the case manager, intensity
    no_name = supervisor_client.post(
        url,
        {
            "referred_by": "child_protection",
            "why": "Placement broke down.",
            "case_manager": case_manager.pk,
            "intensity": leaving.intensity_id,
        },
    )
    assert "Name the adult or the practitioner who asked." in no_name.text
    leaving.refresh_from_db()
    assert leaving.status == "closed"


# --- The timeline and merges ------------------------------------------------------------------


def test_the_timeline_shows_the_closing_the_follow_ups_and_the_reopening(
    supervisor_client, leaving, supervisor, case_manager
):
    closure = close(leaving, supervisor)
    made(closure.follow_ups.get(months=1), case_manager)

    reopen_episode(leaving, by=supervisor, referred_by="young_person", why="Asked for help.",
                   case_manager=case_manager, intensity=leaving.intensity)  # fmt: skip

    page = supervisor_client.get(
        reverse("clients:timeline", args=[leaving.pk]), {"kind": "leaving"}
    )

    assert [entry.event for entry in page.context["entries"]] == [
        "reopened", "followed_up", "closed",
    ]  # fmt: skip
    assert "Left ICMS</a> on" in page.text
    assert "The supports are holding".lower() in page.text
    assert "File reopened</span> on a re-referral by the young person" in page.text


def test_a_merge_says_what_becomes_of_the_follow_ups(supervisor, leaving, team):
    close(leaving, supervisor)
    open_record = YoungPersonFactory(team=team)

    _moves, settled = merge_preview(open_record, leaving, by=supervisor)

    assert (
        "3 after-care follow-ups not yet made will no longer be due: the record kept is an open "
        "episode."
    ) in settled
    assert KeyPerson.objects.filter(young_person=leaving).exists()


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_gives_casey_a_follow_up_due_this_week_of_sienna_who_left(
    client, log_in, settings
):
    settings.DEBUG = True
    call_command("seed_demo")
    sienna = YoungPerson.objects.get(family_name="Walsh")
    log_in(User.objects.get(username="cm.demo"))

    due = client.get(reverse("exits:follow-ups"))
    closure = sienna.closures.get()
    summary = client.get(reverse("exits:closure", args=[closure.pk]))

    assert sienna.status == "closed"
    assert [follow_up.young_person for follow_up in due.context["follow_ups"]] == [sienna]
    assert "Back with her nan in Coburg" in summary.text
    assert summary.context["summary"]["contacts"]["total"] == 5  # before she left
    log_in(User.objects.get(username="sup.demo"))
    assert reverse("exits:reopen", args=[sienna.pk]) in client.get(sienna.get_absolute_url()).text
