"""Likely duplicates are found as people misspell them (similar names, the same date of birth,
or the same child protection number), and only among what the user may see: another team's
record is at most said to exist, never named."""

from datetime import date

import pytest
from django.urls import reverse

from clients.models import YoungPerson
from clients.queries import possible_duplicates
from tests.factories import ReferralFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

BORN = date(2011, 4, 2)


def new_record(**changes) -> dict:
    return {
        "given_name": "Jaden",
        "family_name": "Smith",
        "preferred_name": "",
        "date_of_birth": BORN.isoformat(),
        "gender": "male",
        "indigenous_status": "neither",
        "child_protection_number": "",
        "legal_order": "cbso",
        "placement": "kinship",
        "permanency_objective": "not_decided",
        "information_sharing": "given",
    } | changes


def test_jaden_finds_jayden_when_a_record_is_opened(client, log_in, supervisor, team):
    jayden = YoungPersonFactory(
        given_name="Jayden", family_name="Smith", date_of_birth=BORN, team=team
    )
    log_in(supervisor)

    response = client.post(reverse("clients:create"), new_record())

    assert "This may be a young person ICMS already knows" in response.text
    assert reverse("clients:detail", args=[jayden.pk]) in response.text
    assert YoungPerson.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "preferred", "family"),
    [
        ("Jayden", "", "Smyth"),  # the family name misspelt
        ("Jaden", "", "Smith"),
        ("Tom", "Jaden", "Smith"),  # what the referrer knew them by is the given name here
    ],
)
def test_names_alike_on_the_same_birthday_are_likely_duplicates(
    supervisor, team, given, preferred, family
):
    existing = YoungPersonFactory(
        given_name="Jayden", preferred_name="", family_name="Smith", date_of_birth=BORN, team=team
    )
    if given == "Tom":
        existing.given_name, existing.preferred_name = "Thomas", "Jayden"
        existing.save()

    found, hidden = possible_duplicates(
        supervisor, given_name=given, preferred_name=preferred, family_name=family,
        date_of_birth=BORN, child_protection_number="",
    )  # fmt: skip

    assert (found, hidden) == ([existing], 0)


def test_only_names_alike_on_the_same_birthday_or_the_same_number_are_duplicates(supervisor, team):
    jayden = YoungPersonFactory(
        given_name="Jayden", family_name="Smith", date_of_birth=BORN, team=team
    )
    numbered = YoungPersonFactory(
        given_name="Someone", family_name="Else", child_protection_number="CP-123456", team=team
    )
    YoungPersonFactory(given_name="Maria", family_name="Smith", date_of_birth=BORN, team=team)
    YoungPersonFactory(given_name="Jayden", family_name="Smith", date_of_birth=date(2011, 4, 3),
                       team=team)  # fmt: skip

    found, hidden = possible_duplicates(
        supervisor, given_name="Jaden", family_name="Smith", date_of_birth=BORN,
        child_protection_number="CP-123456",
    )  # fmt: skip

    assert (set(found), hidden) == ({jayden, numbered}, 0)


def test_another_teams_jayden_is_counted_but_never_named(client, log_in, supervisor, other_team):
    jayden = YoungPersonFactory(
        given_name="Jayden", family_name="Quarrington", date_of_birth=BORN, team=other_team
    )
    log_in(supervisor)

    response = client.post(reverse("clients:create"), new_record(family_name="Quarington"))

    assert "Another team holds 1 record" in response.text
    assert "Quarrington" not in response.text
    assert reverse("clients:detail", args=[jayden.pk]) not in response.text


def _referral_of_jaden(team, **fields):
    return ReferralFactory(
        team=team, status="considering", given_name="Jaden", family_name="Quarington",
        date_of_birth=BORN, **fields,
    )  # fmt: skip


def test_the_supervisor_deciding_a_referral_is_shown_their_teams_likely_duplicate(
    client, log_in, supervisor, team
):
    jayden = YoungPersonFactory(
        given_name="Jayden", family_name="Quarrington", date_of_birth=BORN, team=team
    )
    referral = _referral_of_jaden(team)
    log_in(supervisor)

    for page in ("referrals:detail", "referrals:accept"):
        response = client.get(reverse(page, args=[referral.pk]))

        assert "ICMS may already hold a record of this young person" in response.text
        assert reverse("clients:detail", args=[jayden.pk]) in response.text


def test_a_referrals_likely_duplicate_in_another_team_is_not_named(
    client, log_in, supervisor, practitioner, team, other_team
):
    jayden = YoungPersonFactory(
        given_name="Jayden", family_name="Quarrington", date_of_birth=BORN, team=other_team,
        child_protection_number="CP-424242",
    )  # fmt: skip
    referral = _referral_of_jaden(team, referred_by=practitioner)
    log_in(supervisor)

    response = client.get(reverse("referrals:detail", args=[referral.pk]))

    assert "ICMS may already hold a record of this young person" in response.text
    assert "ask the system administrator" in response.text
    for what in ("Quarrington", "CP-424242", reverse("clients:detail", args=[jayden.pk])):
        assert what not in response.text
    log_in(practitioner)
    response = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert "ICMS may already hold a record" not in response.text
