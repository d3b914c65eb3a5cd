"""Closing an episode: refused without an exit plan or the reason there is none, the closure and
the summary written then (every section, restricted entries counted and never quoted), the
closing page and the summary's page and PDF, and the status form that no longer closes an open
episode."""

import io
import json
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditAction, AuditEvent
from caseplans.models import CasePlan, ExitPlan, Goal
from clients.models import YoungPerson
from exits.models import AfterCarePoint, Closure, FollowUp
from exits.queries import episode_began_on
from exits.services import reopen_episode
from outcomes.models import Instrument
from outcomes.queries import instrument_parts
from tests.exits.conftest import close, take_on
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    CrisisEventFactory,
    GoalFactory,
    IntensityLevelFactory,
    YoungPersonFactory,
)
from tests.outcomes.conftest import review

pytestmark = pytest.mark.django_db

RESTRICTED_NOTE = "Methadone dose reviewed with the clinic"


def form(**overrides) -> dict:
    return {
        "closed_on": timezone.localdate().isoformat(),
        "reason": "goals_achieved",
        "destination": "lead_tenant",
        "no_exit_plan_because": "",
        "phone": "0400 123 456",
        "notes": "Settled in the flat; TAFE started.",
    } | overrides


# --- Refused without an exit plan or a reason -------------------------------------------------


def test_closing_without_an_exit_plan_or_a_reason_is_refused_with_a_message(
    supervisor_client, own_young_person, case_manager
):
    take_on(own_young_person, case_manager)
    ExitPlan.objects.create(young_person=own_young_person)  # started, nothing written

    response = supervisor_client.post(reverse("exits:close", args=[own_young_person.pk]), form())

    own_young_person.refresh_from_db()
    assert response.status_code == 200
    assert "There is no exit plan: write it first, or say why there is none" in response.text
    assert own_young_person.status == "active"
    assert own_young_person.primary_case_manager == case_manager
    assert not Closure.objects.exists()
    assert not FollowUp.objects.exists()


def test_closing_without_an_exit_plan_is_accepted_with_the_reason_there_is_none(
    supervisor_client, supervisor, own_young_person, case_manager
):
    take_on(own_young_person, case_manager)

    response = supervisor_client.post(
        reverse("exits:close", args=[own_young_person.pk]),
        form(reason="moved_interstate", destination="interstate", notes="",
             no_exit_plan_because="moved_interstate"),
    )  # fmt: skip

    closure = Closure.objects.get()
    own_young_person.refresh_from_db()
    assert response.url == reverse("exits:closure", args=[closure.pk])
    assert (closure.reason, closure.no_exit_plan_because) == (
        "moved_interstate",
        "moved_interstate",
    )
    assert closure.summary["exit_plan"] is None
    assert (closure.accommodation_in_place, closure.supports_in_place) == (False, False)
    assert own_young_person.status == "closed"
    page = supervisor_client.get(response.url).text
    assert "There was no exit plan: moved interstate." in page


def test_a_closing_needs_a_coded_reason_and_destination_and_a_day_in_the_episode(
    leaving, supervisor
):
    began = timezone.localdate() - timedelta(days=100)
    cases = [
        ({"reason": "bored"}, "reason", "Choose why the young person is leaving ICMS."),
        ({"destination": ""}, "destination", "Choose where the young person is going."),
        ({"reason": "other", "notes": " "}, "notes", "Say what the reason is."),
        ({"destination": "not_applicable"}, "destination", "“Not applicable” is only for"),
        ({"closed_on": timezone.localdate() + timedelta(days=1)}, "closed_on", "still to come"),
        ({"closed_on": began - timedelta(days=1)}, "closed_on", "it cannot close before"),
        ({"no_exit_plan_because": "absconded"}, "no_exit_plan_because", "There is an exit plan"),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            close(leaving, supervisor, **overrides)
        assert message in " ".join(refused.value.message_dict[field]), overrides
    assert not Closure.objects.exists()
    leaving.refresh_from_db()
    assert leaving.status == "active"


def test_only_an_open_episode_is_closed(leaving, supervisor):
    close(leaving, supervisor)

    with pytest.raises(ValidationError, match="only an open episode"):
        close(leaving, supervisor)
    assert Closure.objects.count() == 1


# --- The closure and its summary --------------------------------------------------------------


def test_closing_writes_the_closure_and_the_summary_with_every_section(
    leaving, supervisor, case_manager
):
    today = timezone.localdate()
    began = today - timedelta(days=100)
    now = timezone.now()
    leaving.intensity = IntensityLevelFactory(name="High")
    leaving.save()  # the intensity changes today: the record's history keeps it
    ContactFactory(
        young_person=leaving, recorded_by=case_manager, started_at=now - timedelta(days=9)
    )
    ContactFactory(young_person=leaving, recorded_by=case_manager, reached_young_person=False,
                   after_hours=True, started_at=now - timedelta(days=8))  # fmt: skip
    restricted = {"notes": RESTRICTED_NOTE, "restricted_because": "aod_treatment"}
    ContactFactory(young_person=leaving, recorded_by=case_manager,
                   started_at=now - timedelta(days=7), **restricted)  # fmt: skip
    ContactFactory(young_person=leaving, started_at=now - timedelta(days=200))  # an earlier episode
    CrisisEventFactory(young_person=leaving, recorded_by=case_manager,
                       what_happened=RESTRICTED_NOTE, restricted_because="health")  # fmt: skip
    plan = CasePlanFactory(young_person=leaving, status=CasePlan.Status.CURRENT,
                           approved_at=now - timedelta(days=60))  # fmt: skip
    GoalFactory(plan=plan, domain="housing", in_own_words="A place of my own.",
                status=Goal.Status.ACHIEVED)  # fmt: skip
    GoalFactory(plan=plan, domain="education", in_own_words="Finish year 11.")
    instrument = instrument_parts(
        Instrument.objects.filter(name="ICMS risk and domain review")
    ).get()
    review(leaving, case_manager, instrument, on=today, occasion="exit", ratings={"Risk": 1})

    closure = close(leaving, supervisor)

    leaving.refresh_from_db()
    assert (closure.began_on, closure.closed_on, closure.closed_by) == (began, today, supervisor)
    assert closure.last_case_manager == case_manager
    assert (closure.accommodation_in_place, closure.supports_in_place) == (True, False)
    assert closure.supportive_adults_in_place is True
    assert leaving.status == "closed"
    assert leaving.primary_case_manager is None
    assert not leaving.allocations.filter(ended_on__isnull=True).exists()
    summary = closure.summary
    assert (summary["began_on"], summary["closed_on"], summary["days"]) == (
        began.isoformat(), today.isoformat(), 100,
    )  # fmt: skip
    assert summary["teams"] == [{"from": began.isoformat(), "team": "ICMS North"}]
    assert summary["case_managers"] == [
        {"worker": str(case_manager), "from": began.isoformat(), "to": today.isoformat()}
    ]
    assert summary["intensity"] == [
        {"from": began.isoformat(), "intensity": "Medium"},
        {"from": today.isoformat(), "intensity": "High"},
    ]
    assert summary["goals"] == [
        {"domain": "Housing", "goal": "A place of my own.", "status": "Achieved", "achieved": True},
        {"domain": "Education and employment", "goal": "Finish year 11.",
         "status": "Not started", "achieved": False},
    ]  # fmt: skip
    assert summary["goals_achieved"] == 1
    exit_review = summary["exit_review"]
    assert (exit_review["reviewed_on"], exit_review["engagement"]) == (
        today.isoformat(),
        "None of these",
    )
    assert [score["scale"] for score in exit_review["scores"]] == ["Risk", "Life domains"]
    assert exit_review["scores"][0]["score"] == "6"  # six risk areas, each rated 1
    assert summary["contacts"] == {"total": 3, "successful": 2, "after_hours": 1, "restricted": 1}
    assert summary["crises"] == {"total": 1, "after_hours": 1, "restricted": 1}
    assert [area["in_place"] for area in summary["exit_plan"]["areas"]] == [
        True, False, False, False, True, False, False,
    ]  # fmt: skip
    assert summary["exit_plan"]["post_statutory_referrer"] == "The case manager, before exit."
    assert RESTRICTED_NOTE not in json.dumps(summary), "restricted entries are counted, not quoted"


def test_closing_gives_the_last_case_manager_the_after_care_follow_ups(
    leaving, supervisor, case_manager
):
    closure = close(leaving, supervisor, closed_on=timezone.localdate() - timedelta(days=3))

    closed_on = closure.closed_on
    assert list(closure.follow_ups.values_list("months", "due_on", "worker", "made_on")) == [
        (months, closed_on + relativedelta(months=months), case_manager.pk, None)
        for months in (1, 3, 6)
    ]
    assert case_manager.notifications.filter(
        message__startswith=f"{leaving} has left ICMS. Their after-care follow-ups are yours"
    ).exists()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="exits.closure")
    assert (event.actor, event.young_person_id) == (supervisor, leaving.pk)
    assert event.detail["follow_ups"] == [1, 3, 6]
    status = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="clients.youngperson")
    assert status.detail == {"status": ["active", "closed"], "reason": closure.notes}


def test_no_follow_ups_after_a_death_or_without_a_case_manager(
    supervisor, team, case_manager, leaving
):
    died = close(leaving, supervisor, reason="died", destination="not_applicable")
    nobody = YoungPersonFactory(team=team)
    take_on(nobody, case_manager)
    nobody.allocations.update(ended_on=timezone.localdate())
    no_worker = close(nobody, supervisor, reason="moved_away", destination="unknown",
                      no_exit_plan_because="transferred")  # fmt: skip

    assert not died.follow_ups.exists()
    assert (no_worker.last_case_manager, no_worker.follow_ups.count()) == (None, 0)


def test_the_administrators_points_decide_the_follow_ups(leaving, supervisor):
    AfterCarePoint.objects.exclude(months=1).delete()
    AfterCarePoint.objects.create(months=12)

    closure = close(leaving, supervisor)

    assert list(closure.follow_ups.values_list("months", flat=True)) == [1, 12]


# --- When the episode began -------------------------------------------------------------------


def test_the_episode_begins_with_the_referral_the_reopening_or_the_day_it_became_active(
    supervisor, team, case_manager, leaving
):
    assert episode_began_on(leaving) == timezone.localdate() - timedelta(days=100)
    close(leaving, supervisor, closed_on=timezone.localdate() - timedelta(days=10))
    reopen_episode(leaving, by=supervisor, referred_by="young_person", why="Lost the flat.",
                   case_manager=case_manager, intensity=leaving.intensity)  # fmt: skip
    assert episode_began_on(leaving) == timezone.localdate()

    outside = YoungPersonFactory(team=team, status=YoungPerson.Status.REFERRED)
    outside.status = YoungPerson.Status.ACTIVE
    outside.save()  # taken on outside a referral: the history says when
    assert episode_began_on(outside) == timezone.localdate()
    never_moved = YoungPersonFactory(team=team)
    assert episode_began_on(never_moved) == timezone.localdate(never_moved.created_at)


# --- The pages --------------------------------------------------------------------------------


def test_the_closing_page_shows_the_exit_plan_as_it_stands(supervisor_client, leaving):
    page = supervisor_client.get(reverse("exits:close", args=[leaving.pk])).text

    assert "Lead tenant flat through the youth housing program." in page
    assert "Not yet in place: income, education or work, health care" not in page  # labels
    assert "Not yet in place:" in page
    assert "Close the episode" in page


def test_the_record_and_allocation_pages_link_to_closing_and_then_to_the_summary(
    supervisor_client, supervisor, leaving
):
    url = reverse("exits:close", args=[leaving.pk])
    assert url in supervisor_client.get(reverse("clients:detail", args=[leaving.pk])).text
    allocation = supervisor_client.get(reverse("clients:allocation", args=[leaving.pk]))
    assert url in allocation.text
    assert [value for value, _ in allocation.context["status_form"].fields["to"].choices] == [
        "exiting"
    ]

    closure = close(leaving, supervisor)

    record = supervisor_client.get(reverse("clients:detail", args=[leaving.pk])).text
    assert reverse("exits:closure", args=[closure.pk]) in record
    assert reverse("exits:reopen", args=[leaving.pk]) in record
    assert url not in record


def test_the_status_form_no_longer_closes_an_open_episode(supervisor_client, leaving):
    response = supervisor_client.post(
        reverse("clients:status", args=[leaving.pk]), {"to": "closed", "reason": "Turned 18"},
        follow=True,
    )  # fmt: skip

    leaving.refresh_from_db()
    assert leaving.status == "active"
    assert response.redirect_chain[-1][0] == reverse("exits:close", args=[leaving.pk])
    assert "An episode closes with its exit plan" in response.text


def test_the_summary_page_and_pdf_hold_every_section(
    supervisor_client, case_manager_client, supervisor, leaving
):
    closure = close(leaving, supervisor)
    sections = [
        "The episode",
        "Team and case managers",
        "Intensity over time",
        "Goals",
        "The outcome review at exit",
        "No exit review was recorded.",
        "Contacts and crises",
        "The exit plan as it stood",
        "Lead tenant flat through the youth housing program.",
        "After-care",
    ]

    page = supervisor_client.get(reverse("exits:closure", args=[closure.pk]))
    pdf = supervisor_client.get(reverse("exits:closure-pdf", args=[closure.pk]))
    # The last case manager sees it through their follow-ups, without a link to the record.
    theirs = case_manager_client.get(reverse("exits:closure", args=[closure.pk]))

    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages
    )
    for section in sections:
        assert section in page.text
        assert section in text
    assert pdf["Content-Type"] == "application/pdf"
    assert theirs.status_code == 200
    assert reverse("clients:detail", args=[leaving.pk]) not in theirs.text
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.in_words == "Viewed the closure"
    assert AuditEvent.objects.filter(detail__summary_pdf=True).get().in_words == (
        "Downloaded the summary of the episode (PDF)"
    )


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_summary_page_and_pdf_run_the_same_queries_whatever_the_episode(
    supervisor_client, supervisor, case_manager, leaving, item_count, django_assert_num_queries
):
    AfterCarePoint.objects.exclude(months__in=[1, 3, 6][:item_count]).delete()
    for _ in range(item_count):
        ContactFactory(young_person=leaving, recorded_by=case_manager)
        CrisisEventFactory(young_person=leaving, recorded_by=case_manager)
    closure = close(leaving, supervisor)

    # user, OTP device, groups; the closure (with who closed it and the last case manager), its
    # young person (with the team), their alerts, the follow-ups (with their workers); may the
    # user see the record (reopening: the supervisor leads the team, no query); unread
    # notifications (the PDF is rendered with the request too); the read in the audit trail
    # (savepoint, insert, release)
    with django_assert_num_queries(12):
        supervisor_client.get(reverse("exits:closure", args=[closure.pk]))
    with django_assert_num_queries(12):
        supervisor_client.get(reverse("exits:closure-pdf", args=[closure.pk]))
