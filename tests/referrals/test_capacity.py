"""A team's capacity at every decision: the team's open cases weighted by intensity against its
limit, and the headroom after the young person's expected intensity; one definition
(referrals.queries.capacities) on every page of a decision, and kept with the decision."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from clients.models import IntensityLevel
from referrals.models import ReferralMove
from referrals.services import waitlist_referral
from tests.factories import ReferralFactory, UserFactory, YoungPersonFactory, listed_by_coordinator

pytestmark = pytest.mark.django_db


def level(name: str) -> IntensityLevel:
    return IntensityLevel.objects.get(name=name)  # High 1.5, Medium 1.0, Low 0.5


@pytest.fixture
def busy_team(team, case_manager, other_team):
    """Two case managers at 8.0 each: a limit of 16.0. Open cases weigh 3 x 1.5 + 2 x 1.0 =
    6.5; a closed case and another team's case do not count."""
    UserFactory(role=Role.CASE_MANAGER, team=team)
    UserFactory(role=Role.CASE_MANAGER, team=team, is_active=False)  # has left: no capacity
    for intensity in ["High", "High", "High", "Medium", "Medium"]:
        YoungPersonFactory(team=team, intensity=level(intensity))
    YoungPersonFactory(team=team, intensity=level("High"), status="closed")
    YoungPersonFactory(team=other_team, intensity=level("High"))
    return team


@pytest.fixture
def considering(busy_team, register_coordinator):
    referral = ReferralFactory(
        team=busy_team, status="considering", given_name="Tyler", family_name="Jones"
    )
    listed_by_coordinator(referral, register_coordinator)
    return referral


def test_every_page_of_a_decision_shows_the_same_capacity(client, log_in, supervisor, considering):
    log_in(supervisor)
    pages = {
        "queue": reverse("referrals:queue"),
        "referral (and its waitlist form)": reverse("referrals:detail", args=[considering.pk]),
        "accept": reverse("referrals:accept", args=[considering.pk]),
        "decline": reverse("referrals:decline", args=[considering.pk]),
    }

    for name, url in pages.items():
        page = client.get(url).text
        # A new young person is expected at the highest intensity: 16.0 - 6.5 - 1.5 = 8.0.
        assert "ICMS North's weighted caseload" in page, name
        assert ">6.5</dd>" in page, name
        assert ">16.0</dd>" in page, name
        assert "8.0 to spare" in page, name
    accept = client.get(pages["accept"])
    assert "(expected high intensity, 1.5)" in accept.text
    assert accept.context["form"]["intensity"].initial == level("High")


def test_a_young_person_icms_knew_is_expected_at_the_intensity_they_had(
    client, log_in, supervisor, busy_team
):
    known = YoungPersonFactory(team=busy_team, status="closed", intensity=level("Low"))
    referral = ReferralFactory(team=busy_team, status="considering", young_person=known)
    log_in(supervisor)

    page = client.get(reverse("referrals:detail", args=[referral.pk]))

    assert "(expected low intensity, 0.5)" in page.text
    assert "9.0 to spare" in page.text  # 16.0 - 6.5 - 0.5


def test_a_decline_for_capacity_keeps_the_figures_of_the_day(
    client, log_in, supervisor, considering, busy_team, practitioner
):
    considering.referred_by = practitioner
    considering.save()
    for _ in range(6):  # 6.5 + 6 x 1.5 = 15.5: Tyler at 1.5 would be 1.0 over the limit
        YoungPersonFactory(team=busy_team, intensity=level("High"))
    log_in(supervisor)
    before = client.get(reverse("referrals:decline", args=[considering.pk]))
    assert "1.0 over the limit" in before.text

    client.post(
        reverse("referrals:decline", args=[considering.pk]),
        {"reason": "capacity", "notes": "The team is full until February."},
    )
    YoungPersonFactory.create_batch(2, team=busy_team, intensity=level("High"))  # fuller now
    UserFactory(role=Role.CASE_MANAGER, team=busy_team)  # and bigger

    decision = ReferralMove.objects.get(referral=considering, to_status="declined")
    assert (decision.weighted_caseload, decision.caseload_limit, decision.headroom) == (
        Decimal("15.5"),
        Decimal("16.0"),
        Decimal("-1.0"),
    )
    for reader in [supervisor, practitioner]:
        log_in(reader)
        page = client.get(reverse("referrals:detail", args=[considering.pk])).text
        assert "Team capacity at the decision" in page
        assert ">15.5</dd>" in page
        assert ">16.0</dd>" in page
        assert "1.0 over the limit" in page


def test_waitlisting_and_accepting_keep_the_figures_too(
    client, log_in, supervisor, case_manager, considering
):
    waitlist_referral(considering, by=supervisor, note="A place is likely in March.")
    waitlisted = ReferralMove.objects.get(referral=considering, to_status="waitlisted")
    assert (waitlisted.weighted_caseload, waitlisted.headroom) == (Decimal("6.5"), Decimal("8.0"))
    log_in(considering.referred_by)  # the team's figures are ICMS's, but for a capacity decline
    referrers_page = client.get(reverse("referrals:detail", args=[considering.pk])).text
    assert "On the waiting list" in referrers_page
    assert "Team capacity" not in referrers_page

    log_in(supervisor)
    assert "Team capacity" in client.get(reverse("referrals:detail", args=[considering.pk])).text
    client.post(reverse("referrals:move", args=[considering.pk, "considering"]), {"note": ""})
    client.post(
        reverse("referrals:accept", args=[considering.pk]),
        {
            "case_manager": case_manager.pk,
            "intensity": level("Medium").pk,  # the supervisor's choice, not the expected High
            "agreed_on": "2026-11-20",
            "parties": "Tyler Jones\nCasey",
            "terms": "We agree to meet weekly.",
        },
    )

    accepted = ReferralMove.objects.get(referral=considering, to_status="accepted")
    assert (accepted.weighted_caseload, accepted.caseload_limit, accepted.headroom) == (
        Decimal("6.5"),
        Decimal("16.0"),
        Decimal("8.5"),
    )


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_queue_runs_the_same_queries_whatever_it_holds(
    client, log_in, supervisor, busy_team, other_team, django_assert_num_queries, item_count
):
    other_team.supervisor = supervisor
    other_team.save()
    for team in [busy_team, other_team]:
        for _ in range(item_count):
            known = YoungPersonFactory(team=team, status="closed")
            ReferralFactory(team=team, young_person=known)
            ReferralFactory(team=team, status="declined", decline_reason="capacity")
    log_in(supervisor)
    client.get(reverse("referrals:queue"))

    # The user, their authenticator and roles; the waiting referrals, their teams' loads and
    # the intensity levels; the supervised teams' loads; the unread notifications; the decided
    # referrals; the case managers' caseloads; the audit row (savepoint, insert, release).
    with django_assert_num_queries(13):
        page = client.get(reverse("referrals:queue"))

    assert len(page.context["waiting"]) == 2 * item_count
    assert len(page.context["team_capacities"]) == 2
