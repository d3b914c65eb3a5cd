"""The timeline as a registry (clients.timeline): each app's kinds, their ranks stated once, what
each user may see of them, and a page's constant number of queries whatever is registered."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseplans.models import CasePlan, PlanReview
from clients.models import YoungPerson
from clients.timeline import TIMELINE_PAGE, Moment, TimelineKind, register, timeline_kinds
from exits.models import Reopening
from register.models import RegisterEntry, RegisterReview
from tests.factories import (
    BreakGlassAccessFactory,
    CaseManagerFactory,
    CasePlanFactory,
    ClosureFactory,
    ContactFactory,
    CrisisEventFactory,
    DisclosureFactory,
    DocumentFactory,
    DocumentVersionFactory,
    FollowUpFactory,
    ReferralFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def timeline(client, young_person, **query):
    return client.get(reverse("clients:timeline", args=[young_person.pk]), query)


def test_every_app_registers_its_kinds(db):
    assert [kind.name for kind in timeline_kinds()] == [
        "contact",
        "alert",
        "allocation",
        "disclosure",
        "break_glass",
        "crisis",
        "status",
        "case_plan",
        "plan_review",
        "referral",
        "register_review",
        "document",
        "leaving",
    ]


def _kind(name: str, *ranks: int) -> TimelineKind:
    return TimelineKind(
        name,
        name.title(),
        "clients/timeline/contact.html",
        tuple(
            Moment(rank, "made", lambda young_person, user: None, "at", lambda ids: {})
            for rank in ranks
        ),
    )


def test_a_rank_another_kind_has_is_refused_and_nothing_registers(db):
    before = [kind.name for kind in timeline_kinds()]

    with pytest.raises(ValueError, match=r"rank\(s\) \[8\], taken by crisis"):
        register(_kind("visit", 99, 8))
    with pytest.raises(ValueError, match="needs moments of distinct ranks"):
        register(_kind("visit", 98, 98))
    with pytest.raises(ValueError, match="already has a kind named 'contact'"):
        register(_kind("contact", 97))

    assert [kind.name for kind in timeline_kinds()] == before


def test_the_status_changes_show_who_moved_the_episode_on(
    client, log_in, supervisor, own_young_person
):
    log_in(supervisor)
    client.post(
        reverse("clients:status", args=[own_young_person.pk]),
        {"to": YoungPerson.Status.EXITING, "reason": "Moving to independent living"},
    )

    response = timeline(client, own_young_person, kind="status")

    entries = response.context["entries"]
    assert [(entry.item.before, entry.item.after, entry.item.by) for entry in entries] == [
        ("active", "exiting", str(supervisor)),
        ("", "active", ""),  # the factory made the record, outside any request
    ]
    assert f"Status changed</a> from active to exiting ({supervisor})" in response.text
    assert "Record opened</a> as active" in response.text
    assert reverse("clients:detail", args=[own_young_person.pk]) in response.text


def test_an_after_hours_access_shows_to_who_made_it_and_the_supervisor_only(
    client, log_in, case_manager, supervisor, own_young_person
):
    on_call = CaseManagerFactory(team=supervisor.team, first_name="Ollie")
    BreakGlassAccessFactory(worker=on_call, young_person=own_young_person, reason="Police call")

    log_in(supervisor)
    seen_by_supervisor = timeline(client, own_young_person, kind="break_glass")
    log_in(case_manager)
    seen_by_case_manager = timeline(client, own_young_person, kind="break_glass")

    assert [entry.item.worker for entry in seen_by_supervisor.context["entries"]] == [on_call]
    assert f"After-hours access</span> by {on_call}: Police call" in seen_by_supervisor.text
    assert seen_by_case_manager.context["entries"] == []
    assert "Police call" not in seen_by_case_manager.text


def _one_of_every_kind(young_person, entry, *, by, days_ago):
    """A record of every kind registered but alerts and allocations, all `days_ago` or older."""
    now = timezone.now() - timedelta(days=days_ago)
    ContactFactory(young_person=young_person, recorded_by=by, started_at=now - timedelta(days=1))
    DisclosureFactory(young_person=young_person, recorded_at=now - timedelta(days=2))
    BreakGlassAccessFactory(young_person=young_person, granted_at=now - timedelta(days=3))
    CrisisEventFactory(young_person=young_person, occurred_at=now - timedelta(days=4))
    six_days = now - timedelta(days=6)
    reviewed, next_plan = (
        CasePlanFactory(young_person=young_person, created_by=by, created_at=six_days,
                        status=CasePlan.Status.SUPERSEDED, approved_by=by, approved_at=six_days)
        for _ in range(2)
    )  # fmt: skip
    PlanReview.objects.create(reviewed_plan=reviewed, next_plan=next_plan, reviewed_by=by,
                              reviewed_on=timezone.localdate(now), summary="Housing goal met.",
                              recorded_at=now - timedelta(days=5))  # fmt: skip
    referral = ReferralFactory(team=young_person.team, young_person=young_person)
    referral.moves.create(from_status="draft", to_status="submitted", by=referral.referred_by,
                          at=now - timedelta(days=7))  # fmt: skip
    RegisterReview.objects.create(entry=entry, due_on=timezone.localdate(now), outcome="remain",
                                  reviewed_on=timezone.localdate(now) - timedelta(days=8),
                                  reviewed_by=entry.listed_by)  # fmt: skip
    if days_ago == 0:  # one, so that the page of two rounds still holds an entry of each kind
        document = DocumentFactory(young_person=young_person, added_at=now - timedelta(days=9))
        DocumentVersionFactory(document=document, number=2, uploaded_at=now - timedelta(days=9))
        # An episode closed, followed up and reopened.
        closure = ClosureFactory(young_person=young_person, closed_on=timezone.localdate(now),
                                 recorded_at=now - timedelta(hours=3))  # fmt: skip
        FollowUpFactory(closure=closure, made_on=timezone.localdate(now), holding="holding",
                        reached=True, mode="phone", made_by=by,
                        recorded_at=now - timedelta(hours=2))  # fmt: skip
        Reopening.objects.create(
            young_person=young_person, closure=closure, referred_by="young_person",
            reopened_on=timezone.localdate(now), why="Asked again.", case_manager=by,
            intensity=young_person.intensity, reopened_by=by, recorded_at=now - timedelta(hours=1),
        )  # fmt: skip


@pytest.mark.parametrize("item_count", [1, 2])
def test_a_timeline_of_every_kind_runs_a_constant_number_of_queries(
    client, log_in, supervisor, register_coordinator, django_assert_num_queries, item_count
):
    # Opened after the second round's records: the page of two rounds, full, still shows it.
    opened = timezone.now() - timedelta(days=10, hours=12)
    young_person = YoungPersonFactory(team=supervisor.team, created_at=opened)
    entry = RegisterEntry.objects.create(
        young_person=young_person,
        division=young_person.division,
        listed_on=date(2025, 1, 6),
        listed_by=register_coordinator,
    )
    for round_ in range(item_count):
        _one_of_every_kind(young_person, entry, by=supervisor, days_ago=10 * round_)
    log_in(supervisor)

    # user, OTP device, groups; the young person with active alerts (2); the view recorded
    # (savepoint, insert, release); the page of entries (one UNION of every kind); one fetch
    # per kind on the page: contacts and their workers (2), disclosures, after-hours accesses,
    # crises, status changes (with who made them), case plans, plan reviews, referral moves,
    # register reviews, documents, document versions, closures, follow-ups, reopenings; may the
    # user add a contact (visible?); unread notifications
    with django_assert_num_queries(26):
        response = timeline(client, young_person)

    kinds = [entry.kind for entry in response.context["entries"]]
    assert len(kinds) == min(11 * item_count + 6, TIMELINE_PAGE)
    assert set(kinds) == {kind.name for kind in timeline_kinds()} - {"alert", "allocation"}
