"""Going out alone: the visit plan, its check-in and extension, and who sees it."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from tests.factories import UserFactory, VisitPlanFactory, WorkerSafetyAlertFactory
from visits import services
from visits.models import VisitPlan

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
NOON = datetime(2026, 11, 3, 12, tzinfo=timezone.get_default_timezone())  # a Tuesday


def local(moment: datetime) -> str:
    """A moment as the browser's date-and-time picker sends it."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


@pytest.fixture
def at_noon(time_machine):
    time_machine.move_to(NOON, tick=False)


@pytest.fixture
def worker_client(client, log_in, case_manager, at_noon):
    log_in(case_manager)
    return client


def going_out(**fields) -> dict[str, str]:
    return {
        "place": "12 Station St, Preston",
        "purpose": "Home visit",
        "leaves_at": local(NOON),
        "back_by": local(NOON + timedelta(hours=1)),
        **fields,
    }


def test_going_out_from_the_young_persons_page_shows_their_alerts_on_the_plan(
    worker_client, case_manager, own_young_person
):
    WorkerSafetyAlertFactory(young_person=own_young_person, details="Older brother hostile.")
    record = worker_client.get(reverse("clients:detail", args=[own_young_person.pk])).text
    form_url = f"{reverse('visits:create')}?young_person={own_young_person.pk}"
    assert f'href="{form_url}"' in record

    form = worker_client.get(form_url)
    response = worker_client.post(form_url, going_out(young_person=own_young_person.pk))

    assert "Visit in pairs" in form.text
    plan = VisitPlan.objects.get()
    assert (plan.worker, plan.young_person, plan.back_by) == (
        case_manager,
        own_young_person,
        NOON + timedelta(hours=1),
    )
    assert response.url == reverse("visits:plan", args=[plan.pk])
    page = worker_client.get(response.url).text
    assert "<strong>Visit in pairs</strong>: Older brother hostile." in page
    assert "I'm back safe" in page
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("back_by", "message"),
    [
        (NOON - timedelta(minutes=30), "This is not after you leave"),
        (NOON + timedelta(hours=24, minutes=1), "A visit plan covers at most 24 hours"),
        ("", "This field is required."),
    ],
)
def test_a_time_back_not_after_leaving_or_over_a_day_later_is_refused(
    worker_client, back_by, message
):
    response = worker_client.post(
        reverse("visits:create"), going_out(back_by=back_by and local(back_by))
    )

    assert response.status_code == 200
    assert message in response.text
    assert not VisitPlan.objects.exists()


def test_a_young_person_not_on_the_workers_caseload_is_refused(worker_client, other_young_person):
    response = worker_client.post(
        reverse("visits:create"), going_out(young_person=other_young_person.pk)
    )

    assert "Choose one of the young people you work with." in response.text
    assert not VisitPlan.objects.exists()


def test_a_second_open_plan_is_refused_pointing_at_the_open_one(worker_client, case_manager):
    open_plan = VisitPlanFactory(worker=case_manager, place="Flat 3, 8 Gower St, Preston")

    response = worker_client.post(reverse("visits:create"), going_out())

    assert "You are still out on your visit to Flat 3, 8 Gower St, Preston" in response.text
    assert f'href="{reverse("visits:plan", args=[open_plan.pk])}"' in response.text
    assert list(VisitPlan.objects.all()) == [open_plan]


def test_the_database_holds_one_open_plan_per_worker_and_a_day_at_most(case_manager):
    VisitPlanFactory(worker=case_manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitPlanFactory(worker=case_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitPlanFactory(leaves_at=NOON, back_by=NOON + timedelta(hours=25))


def test_checking_in_closes_the_plan_and_a_second_check_in_changes_nothing(
    worker_client, case_manager
):
    plan = VisitPlanFactory(worker=case_manager)
    url = reverse("visits:check-in", args=[plan.pk])

    worker_client.post(url, {"note": "All fine."})
    again = worker_client.post(url, {"note": "Second try."}, follow=True)

    plan.refresh_from_db()
    assert (plan.checked_in_at, plan.checked_in_by, plan.check_in_note) == (
        NOON,
        case_manager,
        "All fine.",
    )
    assert "This visit was checked in at 3 Nov 2026, 12:00; nothing was changed." in again.text
    assert "Back safe" in again.text
    assert "I'm back safe" not in again.text


def test_extending_puts_the_time_back_later_and_refuses_an_earlier_one(worker_client, case_manager):
    ten_minutes_late = NOON - timedelta(minutes=10)
    plan = VisitPlanFactory(
        worker=case_manager, leaves_at=NOON - timedelta(hours=1), back_by=ten_minutes_late
    )
    url = reverse("visits:extend", args=[plan.pk])

    earlier = worker_client.post(url, {"back_by": local(NOON - timedelta(minutes=20))})
    passed = worker_client.post(url, {"back_by": local(NOON - timedelta(minutes=5))})
    worker_client.post(url, {"back_by": local(NOON + timedelta(hours=1))})

    assert "Give a time later than the one given now (3 Nov 2026, 11:50)." in earlier.text
    assert "This time has passed" in passed.text
    plan.refresh_from_db()
    assert (plan.back_by, plan.extended_at) == (NOON + timedelta(hours=1), NOON)
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(plan.pk))
    assert datetime.fromisoformat(change.detail["back_by"]["from"]) == ten_minutes_late


def test_a_checked_in_visit_cannot_be_extended(worker_client, case_manager):
    plan = VisitPlanFactory(worker=case_manager)
    services.check_in(plan, by=case_manager)

    response = worker_client.post(
        reverse("visits:extend", args=[plan.pk]),
        {"back_by": local(NOON + timedelta(hours=3))},
        follow=True,
    )

    assert "This visit was checked in at 3 Nov 2026, 12:00; nothing was changed." in response.text
    plan.refresh_from_db()
    assert (plan.back_by, plan.extended_at) == (NOON + timedelta(hours=1), None)


def test_the_supervisor_sees_the_teams_open_visits_first_then_todays_closed_ones(
    client, log_in, supervisor, team, case_manager, other_team_case_manager, at_noon
):
    colleague, earlier_worker = (UserFactory(role=Role.CASE_MANAGER, team=team) for _ in "12")
    VisitPlanFactory(  # checked in yesterday
        worker=colleague,
        leaves_at=NOON - timedelta(days=1),
        checked_in_at=NOON - timedelta(hours=23),
        checked_in_by=colleague,
    )
    late = VisitPlanFactory(
        worker=case_manager, leaves_at=NOON - timedelta(hours=2), back_by=NOON - timedelta(hours=1)
    )
    out = VisitPlanFactory(worker=colleague)
    back = VisitPlanFactory(worker=earlier_worker, leaves_at=NOON - timedelta(hours=3))
    services.check_in(back, by=earlier_worker)
    VisitPlanFactory(worker=other_team_case_manager)
    log_in(supervisor)

    response = client.get(reverse("visits:list"))

    assert [plan.pk for plan in response.context["plans"]] == [late.pk, out.pk, back.pk]
    assert "not checked in</span>" in response.text
    assert "1\xa0hour late" in response.text


def test_a_case_manager_sees_their_own_visits_only(client, log_in, case_manager, team, at_noon):
    own = VisitPlanFactory(worker=case_manager)
    colleagues = VisitPlanFactory(worker=UserFactory(role=Role.CASE_MANAGER, team=team))
    log_in(case_manager)

    listed = client.get(reverse("visits:list")).context["plans"]

    assert [plan.pk for plan in listed] == [own.pk]
    assert client.get(reverse("visits:plan", args=[colleagues.pk])).status_code == 404


def test_the_supervisor_checks_in_a_worker_they_have_heard_from(
    client, log_in, supervisor, case_manager, own_young_person, at_noon
):
    plan = VisitPlanFactory(worker=case_manager, young_person=own_young_person)
    log_in(supervisor)

    page = client.get(reverse("visits:plan", args=[plan.pk])).text
    client.post(reverse("visits:check-in", args=[plan.pk]), {"note": "Rang Casey: safe."})

    assert f"{case_manager} is back safe" in page
    plan.refresh_from_db()
    assert (plan.checked_in_by, plan.check_in_note) == (supervisor, "Rang Casey: safe.")


def test_the_plan_names_no_young_person_the_viewer_does_not_see(
    client, log_in, supervisor, case_manager, other_young_person, at_noon
):
    """A care-team worker may visit a young person of another team; their supervisor sees the
    visit but not that young person's record."""
    WorkerSafetyAlertFactory(young_person=other_young_person)
    plan = VisitPlanFactory(worker=case_manager, young_person=other_young_person)
    log_in(supervisor)

    page = client.get(reverse("visits:plan", args=[plan.pk])).text

    assert plan.place in page
    assert other_young_person.display_name not in page
    assert "Visit in pairs" not in page


@pytest.mark.parametrize("count", [1, 3])
def test_the_visit_list_runs_the_same_queries_however_many_visits(
    client, log_in, supervisor, team, count, at_noon, django_assert_num_queries
):
    for _ in range(count):
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        services.check_in(VisitPlanFactory(worker=worker, leaves_at=NOON), by=worker)
        VisitPlanFactory(worker=worker, leaves_at=NOON - timedelta(hours=2), back_by=NOON)
    log_in(supervisor)

    # session user, OTP device, groups; the visits (with their workers); unread notifications;
    # the list read recorded in the audit trail: savepoint, insert, release
    with django_assert_num_queries(8):
        client.get(reverse("visits:list"))


def test_the_supervisors_home_lists_the_visits_not_checked_in(
    client, log_in, supervisor, case_manager, other_team_case_manager, at_noon
):
    late = VisitPlanFactory(
        worker=case_manager,
        place="Flat 3, 8 Gower St, Preston",
        leaves_at=NOON - timedelta(hours=2),
        back_by=NOON - timedelta(minutes=40),
    )
    VisitPlanFactory(worker=UserFactory(role=Role.CASE_MANAGER, team=supervisor.team))  # not due
    VisitPlanFactory(
        worker=other_team_case_manager, leaves_at=NOON - timedelta(hours=1), back_by=NOON - MINUTE
    )
    log_in(supervisor)

    response = client.get(reverse("home"))

    assert list(response.context["overdue_visits"]) == [late]
    assert "Outreach visits not checked in" in response.text
    assert f"{case_manager}</a>: Flat 3, 8 Gower St, Preston" in response.text
    assert "Expected back by 3 Nov 2026, 11:20, 40\xa0minutes late" in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_the_home_section_runs_the_same_queries_however_many_visits_are_late(
    client, log_in, supervisor, team, count, at_noon, django_assert_num_queries
):
    for _ in range(count):
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        VisitPlanFactory(worker=worker, leaves_at=NOON - timedelta(hours=2), back_by=NOON - MINUTE)
    log_in(supervisor)

    # As tests/test_home.py counts the supervisor's home, one of them the late visits
    with django_assert_num_queries(25):
        response = client.get(reverse("home"))
    assert len(response.context["overdue_visits"]) == count
