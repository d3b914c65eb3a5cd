"""The administrator registers external systems, issues each named tokens that expire, sees when
each was last used, and revokes them; a token is kept only hashed."""

from datetime import timedelta

import pytest
import time_machine
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import ApiToken, ExternalSystem, Role
from audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/young-people/"


def register(client, **fields):
    return client.post(
        reverse("accounts:system-create"),
        {"name": "Data warehouse", "roles": [Role.SUPERVISOR], "team": "", "division": ""} | fields,
    )


def issue(client, system, **fields):
    expires_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    return client.post(
        reverse("accounts:system", args=[system.pk]),
        {"name": "Nightly load", "expires_on": expires_on} | fields,
    )


def secret_on(page) -> str:
    marker = 'data-testid="new-token">'
    return page.text.split(marker, 1)[1].split("<", 1)[0]


@pytest.fixture
def signed_in(client, log_in, administrator):
    log_in(administrator)
    return client


@pytest.fixture
def system(signed_in, team):
    register(signed_in, team=team.pk)
    return ExternalSystem.objects.get()


def test_a_registered_system_acts_through_an_account_that_cannot_sign_in(signed_in, team):
    answer = register(signed_in, team=team.pk)

    system = ExternalSystem.objects.get()
    assert answer.url == reverse("accounts:system", args=[system.pk])
    account = system.account
    assert (account.roles, account.team) == ({Role.SUPERVISOR}, team)
    assert not account.has_usable_password()
    access = AuditEvent.objects.get(action=AuditAction.ACCESS, object_id=str(account.pk))
    assert access.detail["access"]["roles"]["to"] == Role.SUPERVISOR


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"roles": []}, "This field is required"),
        ({"roles": [Role.PRACTITIONER]}, "acts for a division: choose one"),
        ({"roles": [Role.SUPERVISOR]}, "Choose whose young people it reads"),
        ({"roles": [Role.ADMINISTRATOR]}, "Select a valid choice"),
    ],
)
def test_a_scope_that_does_not_hold_is_refused_saying_why(signed_in, fields, message):
    answer = register(signed_in, **fields)

    assert answer.status_code == 200
    assert message in answer.text
    assert not ExternalSystem.objects.exists()


def test_a_team_outside_the_division_chosen_is_refused(signed_in, team, west):
    answer = register(signed_in, team=team.pk, division=west.pk)

    assert "is not a team of West" in answer.text
    assert not ExternalSystem.objects.exists()


def test_two_systems_of_one_name_are_refused(signed_in, system, team):
    answer = register(signed_in, name="data WAREHOUSE", team=team.pk)

    assert "already registered" in answer.text
    assert ExternalSystem.objects.count() == 1


def test_a_token_is_shown_once_kept_hashed_and_works(client, signed_in, system):
    page = issue(signed_in, system)

    secret = secret_on(page)
    assert "no-store" in page["Cache-Control"]
    assert secret not in signed_in.get(reverse("accounts:system", args=[system.pk])).text
    token = ApiToken.objects.get()
    assert secret not in {token.prefix, AuthToken.objects.get().digest}
    assert secret.startswith(token.prefix)
    client.logout()
    assert client.get(API, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_the_administrator_sees_when_each_token_was_last_used(client, signed_in, system):
    secret = secret_on(issue(signed_in, system))
    assert "never used" in signed_in.get(reverse("accounts:systems")).text

    client.get(API, HTTP_AUTHORIZATION=f"Token {secret}")

    used = ApiToken.objects.get().last_used_at
    assert timezone.now() - used < timedelta(seconds=30)
    assert "last used" in signed_in.get(reverse("accounts:system", args=[system.pk])).text


def test_a_revoked_token_stops_working_at_once_and_stays_listed(client, signed_in, system):
    secret = secret_on(issue(signed_in, system))
    token = ApiToken.objects.get()

    answer = signed_in.post(reverse("accounts:token-revoke", args=[token.pk]))

    assert answer.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in signed_in.get(reverse("accounts:system", args=[system.pk])).text
    assert client.get(API, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


def test_a_token_stops_working_after_its_last_day(client, signed_in, system):
    page = issue(signed_in, system)
    secret, last_day = secret_on(page), timezone.localdate() + timedelta(days=30)
    assert f"works until {date_format(last_day)}" in page.text
    header = {"HTTP_AUTHORIZATION": f"Token {secret}"}

    with time_machine.travel(timezone.now() + timedelta(days=30, hours=1)):
        assert client.get(API, **header).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31, hours=1)):
        assert client.get(API, **header).status_code == 401


@pytest.mark.parametrize(("days", "allowed"), [(0, False), (1, True), (366, True), (367, False)])
def test_a_token_expires_after_today_and_within_a_year(signed_in, system, days, allowed):
    expires_on = (timezone.localdate() + timedelta(days=days)).isoformat()

    answer = issue(signed_in, system, expires_on=expires_on)

    assert ApiToken.objects.exists() is allowed
    if not allowed:
        assert "A token expires after today and within a year" in answer.text


@pytest.mark.parametrize("header", ["Token nothing-like-a-token", "Token \u00e9t\u00e9", "Token "])
def test_a_malformed_token_is_a_401(client, db, header):
    assert client.get(API, HTTP_AUTHORIZATION=header).status_code == 401
