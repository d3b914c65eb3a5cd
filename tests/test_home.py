from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from clients.queries import local_midnight
from register.services import list_young_person, record_review, request_listing
from tests.factories import (
    AppointmentFactory,
    CareTeamFactory,
    CasePlanFactory,
    ReferralFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def test_case_manager_home_lists_own_and_care_team_young_people_only(
    client, case_manager, own_young_person, care_team_young_person, other_young_person, log_in
):
    log_in(case_manager)

    response = client.get(reverse("home"))

    assert [yp.pk for yp in response.context["caseload"]] == [
        own_young_person.pk,
        care_team_young_person.pk,
    ]
    assert "Jayden Own" in response.text
    assert "Noah Shared" in response.text
    assert "Zara Other" not in response.text


def test_case_manager_home_marks_primary_and_care_team_roles(
    client, case_manager, own_young_person, care_team_young_person, log_in
):
    log_in(case_manager)

    caseload = list(client.get(reverse("home")).context["caseload"])

    assert [yp.is_primary for yp in caseload] == [True, False]


def test_case_manager_home_leaves_out_closed_cases(client, case_manager, team, log_in):
    YoungPersonFactory(
        family_name="Closedcase", team=team, primary_case_manager=case_manager, status="closed"
    )
    log_in(case_manager)

    response = client.get(reverse("home"))

    assert "Closedcase" not in response.text
    assert "No young people are allocated to you" in response.text


def test_supervisor_home_shows_each_worker_load_raw_and_weighted(
    client, supervisor, case_manager, team, other_young_person, log_in
):
    high = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    high.intensity.caseload_weight = 1.5
    high.intensity.save()
    YoungPersonFactory(team=team, primary_case_manager=case_manager, intensity=high.intensity)
    log_in(supervisor)

    response = client.get(reverse("home"))

    workers = {worker.username: worker for worker in response.context["team_workers"]}
    assert set(workers) == {"case_manager"}
    assert workers["case_manager"].caseload == 2
    assert workers["case_manager"].weighted_caseload == 3
    assert '<td class="text-end">3.0</td>' in response.text


def test_supervisor_home_lists_the_team_cases_waiting_for_allocation(
    client, supervisor, team, other_team, log_in
):
    YoungPersonFactory(given_name="Kai", family_name="Waiting", team=team)
    YoungPersonFactory(given_name="Lee", family_name="Elsewhere", team=other_team)
    log_in(supervisor)

    response = client.get(reverse("home"))

    assert "Kai Waiting" in response.text
    assert "Lee Elsewhere" not in response.text


def test_practitioner_home_names_the_teams_serving_their_division(
    client, practitioner, supervisor, other_team, log_in
):
    log_in(practitioner)

    response = client.get(reverse("home"))

    assert list(response.context["division_teams"]) == [supervisor.team]
    assert str(supervisor) in response.text
    assert "ICMS West" not in response.text


def test_practitioner_home_shows_no_young_person(client, practitioner, own_young_person, log_in):
    log_in(practitioner)

    response = client.get(reverse("home"))

    assert "caseload" not in response.context
    assert "Jayden" not in response.text


def test_administrator_home_shows_configuration_and_no_client_record(
    client, administrator, case_manager, own_young_person, log_in
):
    log_in(administrator)

    response = client.get(reverse("home"))

    summary = dict(response.context["configuration"]["people_per_role"])
    assert summary["Case manager"] == 1
    assert summary["Child protection practitioner"] == 0
    assert summary["Administrator"] == 1
    assert "Jayden" not in response.text
    assert reverse("admin:index") in response.text


def test_a_user_without_a_role_is_told_to_ask_for_one(client, db, log_in):
    log_in(UserFactory())

    response = client.get(reverse("home"))

    assert "Your account has no role yet" in response.text


def test_navigation_offers_administration_only_to_administrators(
    client, administrator, case_manager, log_in
):
    log_in(case_manager)
    assert reverse("admin:index") not in client.get(reverse("home")).text

    log_in(administrator)
    assert reverse("admin:index") in client.get(reverse("home")).text


@pytest.mark.parametrize("item_count", [1, 3])
def test_case_manager_home_query_count_is_constant(
    client, case_manager, team, django_assert_num_queries, item_count, log_in
):
    ten_today = local_midnight(timezone.localdate()) + timedelta(hours=10)
    for _ in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        CareTeamFactory(young_person=young_person)
        AppointmentFactory(young_person=young_person, booked_by=case_manager, starts_at=ten_today)
    log_in(case_manager)

    # user, OTP device, user's groups, what they cover, after-hours alerts told to them, their
    # on-call shifts now, caseload, today's appointments and who goes to them, unread
    # notifications; the page read, in the audit trail: savepoint, insert, release
    with django_assert_num_queries(13):
        client.get(reverse("home"))


@pytest.mark.parametrize("item_count", [1, 3])
def test_supervisor_home_query_count_is_constant(
    client, supervisor, team, register_coordinator, django_assert_num_queries, item_count, log_in
):
    for _ in range(item_count):
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        allocated = YoungPersonFactory(team=team, primary_case_manager=worker)
        entry = list_young_person(
            allocated, by=register_coordinator, listed_on=date(2026, 1, 5), risk_factors=[]
        )
        record_review(
            entry.reviews.get(), by=register_coordinator, reviewed_on=date(2026, 1, 19),
            outcome="escalate", participants=["icms"], escalation="Missing for a week.",
        )  # fmt: skip
        CasePlanFactory(
            young_person=allocated,
            status="current",
            starts_on=date(2026, 1, 5),
            review_on=date(2026, 4, 1),
            submitted_at=timezone.now(),
        )
        CasePlanFactory(young_person=allocated, status="submitted", submitted_at=timezone.now())
        YoungPersonFactory(team=team)
    log_in(supervisor)

    # user, OTP device, user's groups, what they cover, after-hours alerts told to them, their
    # on-call shifts now, outreach visits not checked in, teams (led or covered), the on-call
    # teams and their shifts (tonight and the gaps), workers with caseloads, unallocated
    # cases, crises since yesterday morning, after-hours accesses to review, plans to approve,
    # plan reviews overdue, escalations open, register reviews overdue, referrals waiting, the
    # exit lead times, the exits coming, unread notifications; the page read, in the audit
    # trail: savepoint, insert, release
    with django_assert_num_queries(25):
        client.get(reverse("home"))


def coordinator_world(team, practitioner, register_coordinator, *, count: int = 1) -> None:
    """For each of `count`: a review overdue, one due in four days, one due in a fortnight and a
    listing to confirm, on the coordinator's division's register."""
    today = timezone.localdate()
    for index in range(count):
        for family_name, days_ago in [("Late", 20), ("Soon", 10), ("Later", 1)]:
            list_young_person(
                YoungPersonFactory(team=team, family_name=f"{family_name}{index}"),
                by=register_coordinator,
                listed_on=today - timedelta(days=days_ago),
                risk_factors=[],
            )
        referral = ReferralFactory(team=team, referred_by=practitioner, family_name=f"Asked{index}")
        request_listing(division=team.division, by=practitioner, referral=referral)


def test_register_coordinator_home_lists_reviews_due_and_listings_to_confirm(
    client, team, practitioner, register_coordinator, other_young_person, log_in
):
    coordinator_world(team, practitioner, register_coordinator)
    west_coordinator = UserFactory(
        role=Role.REGISTER_COORDINATOR, division=other_young_person.division
    )
    list_young_person(
        other_young_person,
        by=west_coordinator,
        listed_on=timezone.localdate() - timedelta(days=20),
        risk_factors=[],
    )
    log_in(register_coordinator)

    response = client.get(reverse("home"))

    reviews = response.context["register_reviews"]
    assert [review.entry.young_person.family_name for review in reviews["overdue"]] == ["Late0"]
    assert [review.entry.young_person.family_name for review in reviews["this_week"]] == ["Soon0"]
    assert [listing.referral.family_name for listing in response.context["listings_waiting"]] == [
        "Asked0"
    ]
    assert "Later0" not in response.text
    assert other_young_person.family_name not in response.text
    assert AuditEvent.objects.filter(actor=register_coordinator, detail__list="home").exists()


@pytest.mark.parametrize("item_count", [1, 3])
def test_register_coordinator_home_query_count_is_constant(
    client, team, practitioner, register_coordinator, django_assert_num_queries, item_count, log_in
):
    coordinator_world(team, practitioner, register_coordinator, count=item_count)
    log_in(register_coordinator)

    # user, OTP device, user's groups, their division, listings to confirm, reviews overdue or
    # due this week, the teams serving the division, unread notifications; the page read, in
    # the audit trail: savepoint, insert, release
    with django_assert_num_queries(11):
        client.get(reverse("home"))
