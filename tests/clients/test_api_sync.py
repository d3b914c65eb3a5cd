"""An external system synchronises the young people its scope allows through the API: every one
of its team with `updated_since`, page by page, and nothing outside it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import issue_token, register_external_system
from caseplans.models import CasePlan
from clients.models import YoungPerson
from clients.rules import young_people_visible_to
from tests.factories import (
    CareTeamFactory,
    CasePlanFactory,
    ContactFactory,
    TeamFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

YOUNG_PEOPLE = "/api/young-people/"


def system_token(administrator, **scope) -> str:
    system = register_external_system(by=administrator, **scope)
    _, secret = issue_token(
        system,
        name="Warehouse",
        expires_on=timezone.localdate() + timedelta(days=90),
        by=administrator,
    )
    return secret


@pytest.fixture
def warehouse(administrator, team):
    """The team's data warehouse: reads the team's young people as its supervisor would."""
    return system_token(
        administrator, name="Data warehouse", roles=[Role.SUPERVISOR], team=team, division=None
    )


def everything(client, token, url) -> tuple[list[dict], dict]:
    """Every page of `url`, following `next`: the rows, and the last page."""
    rows = []
    while url:
        page = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
        assert page.status_code == 200, page.content
        body = page.json()
        rows += body["results"]
        url = body["next"]
    return rows, body


def test_a_team_system_synchronises_every_young_person_of_its_team_page_by_page(
    client, warehouse, team, own_young_person, care_team_young_person, other_young_person
):
    more = YoungPersonFactory.create_batch(3, team=team)

    rows, _ = everything(client, warehouse, f"{YOUNG_PEOPLE}?page_size=2")

    team_ids = {own_young_person.pk, care_team_young_person.pk, *(p.pk for p in more)}
    assert [row["id"] for row in rows] == sorted(team_ids)
    assert other_young_person.pk not in {row["id"] for row in rows}
    shown = next(row for row in rows if row["id"] == own_young_person.pk)
    assert (shown["family_name"], shown["team"]) == ("Own", "ICMS North")
    assert shown["primary_case_manager_id"] == own_young_person.primary_case_manager_id
    shared = next(row for row in rows if row["id"] == care_team_young_person.pk)
    assert [a["role"] for a in shared["allocations"]] == ["care_team"]


@pytest.mark.django_db(transaction=True)
def test_updated_since_brings_only_what_changed_and_misses_nothing(
    client, warehouse, team, own_young_person, care_team_young_person, case_manager
):
    """Committed one by one, as in use: the history's moments are the database's own."""
    untouched = YoungPersonFactory(team=team)
    _, first = everything(client, warehouse, YOUNG_PEOPLE)
    since = first["synchronised_to"]

    own_young_person.placement = YoungPerson.Placement.KINSHIP
    own_young_person.save(update_fields=["placement"])
    CareTeamFactory(young_person=untouched, worker=case_manager)  # an allocation only
    rows, second = everything(client, warehouse, f"{YOUNG_PEOPLE}?updated_since={since}")

    assert sorted(row["id"] for row in rows) == sorted([own_young_person.pk, untouched.pk])
    assert second["synchronised_to"] > since
    rows, _ = everything(
        client, warehouse, f"{YOUNG_PEOPLE}?updated_since={second['synchronised_to']}"
    )
    assert rows == []


def test_outside_its_scope_a_system_gets_404_and_empty_lists(client, warehouse, other_young_person):
    plan = CasePlanFactory(young_person=other_young_person, status=CasePlan.Status.CURRENT)
    headers = {"HTTP_AUTHORIZATION": f"Token {warehouse}"}

    assert client.get(f"{YOUNG_PEOPLE}{other_young_person.pk}/", **headers).status_code == 404
    assert client.get(f"/api/case-plans/{plan.pk}/", **headers).status_code == 404
    listed = client.get(f"/api/case-plans/?young_person={other_young_person.pk}", **headers)
    assert (listed.status_code, listed.json()["results"]) == (200, [])
    contacts = client.get(f"{YOUNG_PEOPLE}{other_young_person.pk}/contacts/", **headers)
    assert contacts.status_code == 404


def test_a_division_system_reads_every_team_of_its_division_and_no_other(
    client, administrator, north, team, own_young_person, other_young_person
):
    second_team = TeamFactory(name="ICMS North East", division=north)
    second = YoungPersonFactory(team=second_team)
    token = system_token(
        administrator, name="North reporting", roles=[Role.SUPERVISOR], team=None, division=north
    )

    rows, _ = everything(client, token, YOUNG_PEOPLE)

    assert {row["id"] for row in rows} == {own_young_person.pk, second.pk}


def test_the_scope_is_the_access_policys_own_for_the_systems_account(
    client, administrator, team, own_young_person, care_team_young_person, other_young_person
):
    """What the list gives is exactly what clients.rules gives the system's account."""
    token = system_token(
        administrator, name="Warehouse", roles=[Role.SUPERVISOR], team=team, division=None
    )
    account = User.objects.get(external_system__name="Warehouse")

    rows, _ = everything(client, token, YOUNG_PEOPLE)

    assert {row["id"] for row in rows} == set(
        young_people_visible_to(account).values_list("pk", flat=True)
    )


def test_a_system_reads_no_restricted_content(client, warehouse, own_young_person):
    restricted = ContactFactory(young_person=own_young_person, restricted_because="health")

    answer = client.get(
        f"{YOUNG_PEOPLE}{own_young_person.pk}/contacts/{restricted.pk}/",
        HTTP_AUTHORIZATION=f"Token {warehouse}",
    )

    assert answer.status_code == 200
    assert answer.json()["restricted"] is True
    assert answer.json()["notes"] is None


def test_a_system_does_not_supervise_its_team(warehouse, team, supervisor):
    """Reading as a supervisor is not being one: the team's decisions stay with its supervisor."""
    account = User.objects.get(external_system__name="Data warehouse")
    young_person = YoungPersonFactory(team=team)

    assert account.has_perm("clients.view_youngperson", young_person)
    assert not account.has_perm("clients.add_allocation", young_person)
    assert not account.has_perm("clients.view_access_log", young_person)


@pytest.mark.parametrize(
    "query",
    [
        "updated_since=yesterday",
        "updated_since=2026-13-01",
        "updated_since=0001-01-01T00:00:00%2B14:00",
        "status=asleep",
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, warehouse, query):
    answer = client.get(f"{YOUNG_PEOPLE}?{query}", HTTP_AUTHORIZATION=f"Token {warehouse}")

    assert answer.status_code == 400
    assert query.split("=")[0] in answer.json()


@pytest.mark.parametrize("value", ["\u00b2", "-1", "1.0", "99999999999999999999"])
def test_a_young_person_filter_that_is_no_id_is_a_400(client, warehouse, value):
    answer = client.get(
        "/api/case-plans/", {"young_person": value}, HTTP_AUTHORIZATION=f"Token {warehouse}"
    )

    assert answer.status_code == 400
    assert "young_person" in answer.json()


def test_the_list_runs_the_same_queries_whatever_its_size(
    client, warehouse, team, django_assert_num_queries
):
    def listed() -> int:
        with django_assert_num_queries(QUERIES) as captured:
            client.get(YOUNG_PEOPLE, HTTP_AUTHORIZATION=f"Token {warehouse}")
        return len(captured)

    client.get(YOUNG_PEOPLE, HTTP_AUTHORIZATION=f"Token {warehouse}")  # its first use
    for young_person in YoungPersonFactory.create_batch(2, team=team):
        CareTeamFactory(young_person=young_person, worker=UserFactory(team=team))
    listed()
    for young_person in YoungPersonFactory.create_batch(20, team=team):
        CareTeamFactory(young_person=young_person, worker=UserFactory(team=team))
    listed()


# After its first use (which writes its last use, and compiles the account's rules for the
# day): the token with its account, the account's roles, where the oldest open transaction
# began, the page of young people, their current allocations with their workers, and the
# audit trail's row (in a savepoint).
QUERIES = 8
