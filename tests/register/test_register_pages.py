"""The register as the coordinator and the supervisor use it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from register import services
from register.models import RegisterEntry
from tests.factories import UserFactory, YoungPersonFactory
from toolkit.formats import show_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, log_in, register_coordinator):
    log_in(register_coordinator)
    return client


def listed(young_person, by, days_ago: int) -> RegisterEntry:
    return services.list_young_person(
        young_person,
        by=by,
        listed_on=timezone.localdate() - timedelta(days=days_ago),
        risk_factors=["absconding", "substance_use"],
    )


def test_the_coordinator_lists_a_young_person_and_the_first_review_is_due_in_14_days(
    coordinator_client, own_young_person
):
    response = coordinator_client.post(
        reverse("register:create"),
        {
            "young_person": own_young_person.pk,
            "listed_on": timezone.localdate().isoformat(),
            "risk_factors": ["absconding"],
            "risk_details": "Missing three nights last week.",
        },
    )

    entry = RegisterEntry.objects.get(young_person=own_young_person)
    assert response.url == reverse("register:entry", args=[entry.pk])
    page = coordinator_client.get(response.url).text
    due = timezone.localdate() + timedelta(days=14)
    assert f"Due {show_date(due)}" in page
    assert "Absconding" in page


def test_the_register_shows_overdue_reviews_first_and_filters_them(
    coordinator_client, register_coordinator, own_young_person, team
):
    late = listed(own_young_person, register_coordinator, days_ago=20)
    recent = listed(
        YoungPersonFactory(team=team, given_name="Ruby", family_name="Recent"),
        register_coordinator,
        days_ago=2,
    )

    page = coordinator_client.get(reverse("register:list"))
    overdue = coordinator_client.get(reverse("register:list"), {"review": "overdue"})

    assert [entry.pk for entry in page.context["entries"]] == [late.pk, recent.pk]
    assert 'class="badge text-bg-warning">overdue' in page.text
    assert [entry.pk for entry in overdue.context["entries"]] == [late.pk]


def test_a_review_is_recorded_and_a_removal_needs_a_reason(
    coordinator_client, register_coordinator, own_young_person
):
    entry = listed(own_young_person, register_coordinator, days_ago=15)
    url = reverse("register:review", args=[entry.pk])
    today = timezone.localdate().isoformat()

    refused = coordinator_client.post(url, {"reviewed_on": today, "outcome": "remove"})
    assert "Say why the young person comes off the register." in refused.text
    assert entry.reviews.filter(reviewed_on__isnull=False).count() == 0

    coordinator_client.post(
        url,
        {
            "reviewed_on": today,
            "outcome": "remain",
            "participants": ["child_protection", "icms", "mental_health"],
            "notes": "Still going missing at weekends.",
        },
    )
    page = coordinator_client.get(reverse("register:entry", args=[entry.pk])).text
    assert "Remain listed" in page
    assert "Child protection, ICMS, Mental health" in page
    next_due = timezone.localdate() + timedelta(days=14)
    assert f"Due {show_date(next_due)}" in page


def test_a_review_dated_before_the_listing_is_refused_on_the_page(
    coordinator_client, register_coordinator, own_young_person
):
    entry = listed(own_young_person, register_coordinator, days_ago=3)

    response = coordinator_client.post(
        reverse("register:review", args=[entry.pk]),
        {"reviewed_on": date(2020, 1, 1).isoformat(), "outcome": "remain"},
    )

    assert "This is before the listing" in response.text


def test_the_supervisor_sees_their_teams_entries_only(
    client, log_in, supervisor, register_coordinator, own_young_person, other_young_person
):
    listed(own_young_person, register_coordinator, days_ago=1)
    west_coordinator = UserFactory(
        role=Role.REGISTER_COORDINATOR, division=other_young_person.division
    )
    listed(other_young_person, west_coordinator, days_ago=1)
    log_in(supervisor)

    page = client.get(reverse("register:list")).text

    assert own_young_person.display_name in page
    assert other_young_person.display_name not in page


def test_an_overdue_register_review_stands_out_for_the_case_manager_and_the_supervisor(
    client, log_in, case_manager, supervisor, register_coordinator, own_young_person,
    care_team_young_person,
):  # fmt: skip
    entry = listed(own_young_person, register_coordinator, days_ago=20)
    listed(care_team_young_person, register_coordinator, days_ago=2)
    log_in(case_manager)

    caseload = client.get(reverse("clients:caseload"))
    only_overdue = client.get(reverse("clients:caseload"), {"register_overdue": "on"})
    record = client.get(reverse("clients:detail", args=[own_young_person.pk])).text
    home = client.get(reverse("home")).text

    due = entry.reviews.get().due_on
    assert f"Register review {show_date(due)} <span" in caseload.text
    assert [yp.pk for yp in only_overdue.context["young_people"]] == [own_young_person.pk]
    assert f"review due {show_date(due)} (overdue)" in record
    assert f"Register review was due {show_date(due)}" in home
    log_in(supervisor)
    assert "Register reviews overdue" in client.get(reverse("home")).text


@pytest.mark.parametrize("count", [1, 4])
def test_the_register_and_the_meeting_form_run_the_same_queries_however_long(
    coordinator_client, register_coordinator, team, count, django_assert_num_queries
):
    for n in range(count):
        listed(YoungPersonFactory(team=team, family_name=f"Listed{n}"), register_coordinator, n)

    # session user, OTP device, groups; unread notifications; the entries (with their next
    # review); the divisions to filter by; the coordinator's division (its interval); the list
    # read recorded in the audit trail (savepoint, insert, release)
    with django_assert_num_queries(10):
        coordinator_client.get(reverse("register:list"))
    # as above, with the division's open reviews in place of the entries and the divisions
    with django_assert_num_queries(9):
        coordinator_client.get(reverse("register:meeting-create"))
