"""ICMS asks the register coordinator to confirm a listing, and takes nobody on without it: a
referral that says the young person is listed, and a record opened outside a referral."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clients.models import IntensityLevel, YoungPerson
from clients.rules import young_people_findable_after_hours, young_people_visible_to
from clients.services import allocate_primary
from notifications.models import Notification
from referrals.models import CaseManagementAgreement
from referrals.services import submit_referral, withdraw_referral
from register.models import ListingRequest, RegisterEntry
from register.services import (
    Discussed,
    confirm_listing,
    decline_listing,
    hold_meeting,
    list_young_person,
)
from tests.clients.test_record import new_young_person
from tests.factories import ReferralFactory, TeamFactory, UserFactory, YoungPersonFactory
from toolkit.formats import show_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(team, supervisor, practitioner, register_coordinator):
    """A referral that says the young person was listed on 20 October, just submitted."""
    draft = ReferralFactory(
        team=team,
        referred_by=practitioner,
        status="draft",
        given_name="Isla",
        family_name="Murphy",
        register_listed_on=timezone.localdate() - timedelta(days=40),
        risks=["absconding", "self_harm"],
        risk_details="Missing most weekends.",
    )
    return submit_referral(draft, by=practitioner)


def test_a_referral_that_says_listed_asks_the_coordinator_to_confirm(
    client, log_in, submitted, register_coordinator
):
    request = ListingRequest.objects.get(referral=submitted)
    told = Notification.objects.get(recipient=register_coordinator)
    assert told.url == reverse("register:listing", args=[request.pk])
    assert "Isla Murphy is on the North high-risk youth register" in told.message
    log_in(register_coordinator)

    home = client.get(reverse("home")).text
    page = client.get(told.url)

    assert "Listings to confirm" in home
    assert told.url in home
    assert "Referred to ICMS North" in home
    # The referral's listing and risks are filled in, for the coordinator to correct.
    assert f'value="{submitted.register_listed_on:%Y-%m-%d}"' in page.text
    assert page.context["form"].initial["risk_factors"] == ["absconding", "self_harm"]
    assert "Missing most weekends." in page.text


def test_a_referral_not_listed_asks_no_one(team, practitioner, register_coordinator):
    draft = ReferralFactory(
        team=team, referred_by=practitioner, status="draft", register_listed=False
    )
    draft.register_listed_on = None
    draft.save()

    submit_referral(draft, by=practitioner)

    assert not ListingRequest.objects.exists()
    assert not Notification.objects.filter(recipient=register_coordinator).exists()


def test_the_coordinator_lists_the_young_person_as_they_confirm_it(
    client, log_in, submitted, register_coordinator, supervisor, practitioner, other_team
):
    request = ListingRequest.objects.get(referral=submitted)
    confirmed_on = timezone.localdate() - timedelta(days=30)
    log_in(register_coordinator)

    response = client.post(
        reverse("register:listing", args=[request.pk]),
        {
            "listed_on": confirmed_on.isoformat(),
            "risk_factors": ["absconding"],
            "risk_details": "Missing most weekends; no self-harm known.",
        },
    )

    entry = RegisterEntry.objects.get()
    assert response.url == reverse("register:entry", args=[entry.pk])
    assert (entry.listed_by, entry.listed_on, entry.risk_factors, entry.division) == (
        register_coordinator,
        confirmed_on,
        ["absconding"],
        submitted.division,
    )
    assert entry.reviews.get().due_on == confirmed_on + timedelta(days=14)
    # The record made for the listing is referred, of the division, of no team yet.
    young_person = entry.young_person
    assert (young_person.status, young_person.team, young_person.child_protection_number) == (
        "referred",
        None,
        submitted.child_protection_number,
    )
    other_supervisor = UserFactory(role=Role.SUPERVISOR, team=other_team)
    for who in (supervisor, other_supervisor, practitioner):
        assert young_person not in young_people_visible_to(who)
    assert young_person not in young_people_findable_after_hours()
    request.refresh_from_db()
    assert (request.status, request.entry, request.answered_by) == (
        "listed",
        entry,
        register_coordinator,
    )
    for recipient in (supervisor, practitioner):
        told = Notification.objects.get(recipient=recipient, key__startswith="listing-request")
        assert told.message == (
            f"{register_coordinator} confirmed that Isla Murphy is on the North high-risk youth "
            f"register (listed {show_date(confirmed_on)})."
        )
        assert told.url == reverse("referrals:detail", args=[submitted.pk])
    assert not request_url_on_home(client, request)


def request_url_on_home(client, request) -> bool:
    return reverse("register:listing", args=[request.pk]) in client.get(reverse("home")).text


def test_the_coordinator_says_the_young_person_is_not_listed(
    client, log_in, submitted, register_coordinator, supervisor, practitioner, case_manager
):
    request = ListingRequest.objects.get(referral=submitted)
    url = reverse("register:listing-not-listed", args=[request.pk])
    log_in(register_coordinator)

    refused = client.post(url, {"reason": "  "})
    response = client.post(url, {"reason": "Discussed at the meeting; not listed."}, follow=True)

    assert refused.status_code == 200
    assert "This field is required" in refused.text
    assert "ICMS is told that Isla Murphy is not listed." in response.text
    assert not RegisterEntry.objects.exists()
    request.refresh_from_db()
    assert (request.status, request.reason) == (
        "not_listed",
        "Discussed at the meeting; not listed.",
    )
    for recipient in (supervisor, practitioner):
        told = Notification.objects.get(recipient=recipient, key__startswith="listing-request")
        assert "is not on the North high-risk youth register: Discussed at the meeting" in (
            told.message
        )
    assert not request_url_on_home(client, request)
    # The supervisor reads why the referral cannot be accepted.
    log_in(supervisor)
    client.post(reverse("referrals:move", args=[submitted.pk, "considering"]), {"note": ""})
    page = client.get(reverse("referrals:detail", args=[submitted.pk])).text
    assert (
        "The North register coordinator says Isla Murphy is not on the high-risk youth register: "
        "Discussed at the meeting; not listed. ICMS takes on only young people on it." in page
    )
    accept = client.get(reverse("referrals:accept", args=[submitted.pk])).text
    assert "disabled" in accept


def test_a_listing_is_answered_once(submitted, register_coordinator):
    request = ListingRequest.objects.get(referral=submitted)
    decline_listing(request, by=register_coordinator, reason="Not listed.")

    with pytest.raises(ValidationError, match=f"{register_coordinator} answered this request"):
        confirm_listing(
            request, by=register_coordinator, listed_on=timezone.localdate(), risk_factors=[]
        )
    assert not RegisterEntry.objects.exists()


def test_a_withdrawn_referral_asks_nothing_any_more(
    client, log_in, submitted, register_coordinator, practitioner
):
    request = ListingRequest.objects.get(referral=submitted)
    withdraw_referral(submitted, by=practitioner, note="Moved interstate")
    log_in(register_coordinator)

    assert not request_url_on_home(client, request)
    with pytest.raises(ValidationError, match="The referral is withdrawn"):
        confirm_listing(
            request, by=register_coordinator, listed_on=timezone.localdate(), risk_factors=[]
        )
    assert not YoungPerson.objects.exists()


def test_only_the_divisions_coordinator_lists(submitted, west, supervisor):
    request = ListingRequest.objects.get(referral=submitted)
    west_coordinator = UserFactory(role=Role.REGISTER_COORDINATOR, division=west)

    with pytest.raises(ValidationError, match="Only the division's register coordinator"):
        confirm_listing(
            request, by=west_coordinator, listed_on=timezone.localdate(), risk_factors=[]
        )
    assert not YoungPerson.objects.exists()


# --- A record opened outside a referral (a transfer from another service) ----------------------


def take_on(client, young_person, case_manager):
    return client.post(
        reverse("referrals:take-on", args=[young_person.pk]),
        {
            "case_manager": case_manager.pk,
            "intensity": IntensityLevel.objects.get(name="High").pk,
            "agreed_on": timezone.localdate().isoformat(),
            "parties": "Ruby Anderson\nCasey, case manager",
            "terms": "We meet weekly.",
        },
        follow=True,
    )


def test_a_transfer_waits_for_the_register_and_then_gets_an_agreement(
    client, log_in, supervisor, case_manager, register_coordinator
):
    log_in(supervisor)
    opened = client.post(reverse("clients:create"), new_young_person(), follow=True)
    young_person = YoungPerson.objects.get()
    request = ListingRequest.objects.get(young_person=young_person)
    assert "The North register coordinator is asked to confirm the listing" in opened.text
    assert "Not taken on yet" in opened.text
    assert Notification.objects.get(recipient=register_coordinator).url == reverse(
        "register:listing", args=[request.pk]
    )

    refused = take_on(client, young_person, case_manager)

    assert (
        "Ruby Anderson is not on the North high-risk youth register yet: waiting for the "
        "register coordinator to confirm the listing." in refused.text
    )
    young_person.refresh_from_db()
    assert (young_person.status, young_person.primary_case_manager) == ("referred", None)
    assert not CaseManagementAgreement.objects.exists()
    with pytest.raises(ValidationError, match="not taken on yet"):
        allocate_primary(young_person, worker=case_manager, by=supervisor)

    log_in(register_coordinator)
    client.post(
        reverse("register:listing", args=[request.pk]),
        {"listed_on": timezone.localdate().isoformat(), "risk_factors": ["offending"]},
    )
    assert young_person.register_entries.get().listed_by == register_coordinator
    log_in(supervisor)
    record = client.get(young_person.get_absolute_url()).text
    assert reverse("referrals:take-on", args=[young_person.pk]) in record

    response = take_on(client, young_person, case_manager)

    assert "Ruby Anderson is taken on by ICMS North." in response.text
    young_person.refresh_from_db()
    assert (young_person.status, young_person.primary_case_manager) == ("active", case_manager)
    agreement = CaseManagementAgreement.objects.get()
    assert (agreement.source, agreement.referral, agreement.young_person) == (
        "transfer",
        None,
        young_person,
    )
    printed = client.get(reverse("referrals:agreement-print", args=[agreement.pk]))
    assert "We meet weekly." in printed.text
    assert reverse("clients:detail", args=[young_person.pk]) in printed.text
    assert reverse("referrals:agreement-print", args=[agreement.pk]) in response.text


# --- Links on register pages answer for whoever they are shown to ------------------------------


def test_every_link_back_from_an_entry_answers_for_its_reader(
    client, log_in, own_young_person, case_manager, practitioner, register_coordinator, team
):
    referral = ReferralFactory(
        team=team, referred_by=practitioner, status="accepted", young_person=own_young_person
    )
    entry = list_young_person(
        own_young_person, by=register_coordinator, listed_on=timezone.localdate(), risk_factors=[]
    )
    for who, back in [
        (practitioner, reverse("referrals:detail", args=[referral.pk])),
        (case_manager, own_young_person.get_absolute_url()),
        (register_coordinator, reverse("register:list")),
    ]:
        log_in(who)
        page = client.get(reverse("register:entry", args=[entry.pk])).text
        assert f'href="{back}"' in page
        if who != register_coordinator:
            assert f'href="{reverse("register:list")}"' not in page
        assert client.get(back).status_code == 200


def test_a_listing_made_on_the_register_answers_what_icms_asked(
    client, log_in, supervisor, register_coordinator
):
    log_in(supervisor)
    client.post(reverse("clients:create"), new_young_person())
    young_person = YoungPerson.objects.get()
    log_in(register_coordinator)

    client.post(
        reverse("register:create"),
        {
            "young_person": young_person.pk,
            "listed_on": timezone.localdate().isoformat(),
            "risk_factors": ["offending"],
        },
    )

    request = ListingRequest.objects.get(young_person=young_person)
    assert (request.status, request.entry.listed_by) == ("listed", register_coordinator)
    assert not request_url_on_home(client, request)
    assert Notification.objects.filter(recipient=supervisor, url=young_person.get_absolute_url())


def test_a_record_not_listed_is_closed_and_asks_nothing_more(
    client, log_in, supervisor, register_coordinator
):
    log_in(supervisor)
    client.post(reverse("clients:create"), new_young_person())
    young_person = YoungPerson.objects.get()

    response = client.post(
        reverse("clients:status", args=[young_person.pk]),
        {"to": "closed", "reason": "Stays with the mental health service."},
        follow=True,
    )

    young_person.refresh_from_db()
    assert young_person.status == "closed"
    assert "is now closed" in response.text
    log_in(register_coordinator)
    request = ListingRequest.objects.get(young_person=young_person)
    assert not request_url_on_home(client, request)
    with pytest.raises(ValidationError, match="The record is closed"):
        confirm_listing(
            request, by=register_coordinator, listed_on=timezone.localdate(), risk_factors=[]
        )


def test_a_meeting_links_a_supervisor_only_to_the_entries_they_see(
    client, log_in, supervisor, register_coordinator, own_young_person, north
):
    neighbour = YoungPersonFactory(
        team=TeamFactory(division=north), given_name="Ruby", family_name="Neighbour"
    )
    listed_on = timezone.localdate() - timedelta(days=15)
    entries = [
        list_young_person(
            young_person, by=register_coordinator, listed_on=listed_on, risk_factors=[]
        )
        for young_person in (own_young_person, neighbour)
    ]
    meeting = hold_meeting(
        north,
        by=register_coordinator,
        held_on=timezone.localdate(),
        agencies=["icms"],
        outcomes={entry.reviews.get(): Discussed("remain") for entry in entries},
        actions=[],
    )
    log_in(supervisor)

    page = client.get(reverse("register:meeting", args=[meeting.pk])).text

    own, theirs = (reverse("register:entry", args=[entry.pk]) for entry in entries)
    assert f'href="{own}"' in page
    assert client.get(own).status_code == 200
    assert "Ruby Neighbour" in page
    assert f'href="{theirs}"' not in page


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_queue_shows_what_waits_for_the_register_in_the_same_queries(
    client, log_in, team, supervisor, practitioner, register_coordinator, item_count,
    django_assert_num_queries,
):  # fmt: skip
    for _ in range(item_count):
        for listed in (True, False):
            referral = ReferralFactory(team=team, referred_by=practitioner, status="draft")
            submit_referral(referral, by=practitioner)
            if listed:
                confirm_listing(
                    referral.listing_request,
                    by=register_coordinator,
                    listed_on=timezone.localdate(),
                    risk_factors=[],
                )
    log_in(supervisor)

    # user, OTP device, user's groups, the referrals waiting (whether each is on the register
    # and what the coordinator answered, in the same query), the last decided, the team's
    # workers, unread notifications, the teams' capacity (the teams' weighted load, the intensity
    # levels, the supervised teams' load); the list read, in the audit trail: savepoint, insert,
    # release
    with django_assert_num_queries(13):
        page = client.get(reverse("referrals:queue")).text

    assert page.count("Waiting for the register") == item_count
