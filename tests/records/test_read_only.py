"""A closed file is read-only: every kind of change to it, or to a record of it, is refused
with a message saying so and changes nothing; its pages say so and offer no change. Child
protection's records of the young person (a referral, the register) go on, and a re-referral
reopens the file as a new episode."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from clients.models import YoungPerson
from records.queries import rows_of_file
from register.services import list_young_person
from tests.factories import (
    AppointmentFactory,
    CareTeamFactory,
    CasePlanFactory,
    ContactFactory,
    CrisisEventFactory,
    DocumentFactory,
    GoalFactory,
    KeyPersonFactory,
    OutcomeReviewFactory,
    ProfessionalFactory,
    ReferralFactory,
    TaskFactory,
    UserFactory,
    VisitPlanFactory,
    WorkerSafetyAlertFactory,
    listed_by_coordinator,
)
from tests.records.conftest import close_file
from tests.referrals.test_referrals import accept

pytestmark = pytest.mark.django_db

CLOSED = "This file is closed: it can be read, not changed."


@dataclass
class ClosedFile:
    young_person: YoungPerson
    parts: dict[str, Model]

    def args(self, *names: str) -> list[int]:
        return [
            self.young_person.pk if name == "young_person" else self.parts[name].pk
            for name in names
        ]


@pytest.fixture
def closed_file(own_young_person, case_manager, supervisor) -> ClosedFile:
    """A young person's file with one record of every kind, closed last month."""
    young_person = own_young_person
    plan = CasePlanFactory(young_person=young_person, number=1)
    goal = GoalFactory(plan=plan)
    written = {"young_person": young_person, "recorded_by": case_manager}
    parts = {
        "key_person": KeyPersonFactory(young_person=young_person),
        "professional": ProfessionalFactory(young_person=young_person),
        "alert": WorkerSafetyAlertFactory(young_person=young_person),
        "allocation": CareTeamFactory(
            young_person=young_person,
            worker=UserFactory(role=Role.CASE_MANAGER, team=young_person.team),
        ),
        "contact": ContactFactory(**written),
        "plan": plan,
        "goal": goal,
        "task": TaskFactory(goal=goal),
        "document": DocumentFactory(young_person=young_person, added_by=case_manager),
        "crisis": CrisisEventFactory(**written),
        "appointment": AppointmentFactory(young_person=young_person, booked_by=case_manager),
        "review": OutcomeReviewFactory(young_person=young_person, reviewed_by=case_manager),
    }
    close_file(young_person, on=timezone.localdate().replace(day=1), by=supervisor)
    return ClosedFile(young_person, parts)


# Every kind of change to a young person's file: (URL name, the parts its arguments name).
CHANGES = [
    ("clients:edit", ["young_person"]),
    ("clients:key-person-create", ["young_person"]),
    ("clients:key-person-edit", ["young_person", "key_person"]),
    ("clients:professional-create", ["young_person"]),
    ("clients:professional-edit", ["young_person", "professional"]),
    ("clients:alert-create", ["young_person"]),
    ("clients:alert-edit", ["young_person", "alert"]),
    ("clients:alert-end", ["young_person", "alert"]),
    ("clients:disclosure-create", ["young_person"]),
    ("clients:allocation", ["young_person"]),
    ("clients:status", ["young_person"]),
    ("clients:allocation-end", ["young_person", "allocation"]),
    ("clients:contact-create", ["young_person"]),
    ("clients:contact-draft", ["young_person"]),
    ("clients:contact-edit", ["young_person", "contact"]),
    ("clients:contact-in-error", ["young_person", "contact"]),
    ("clients:contact-restriction", ["young_person", "contact"]),
    ("caseplans:start", ["young_person"]),
    ("caseplans:crisis", ["young_person"]),
    ("caseplans:exit", ["young_person"]),
    ("caseplans:edit", ["plan"]),
    ("caseplans:submit", ["plan"]),
    ("caseplans:goal-create", ["plan"]),
    ("caseplans:goal-edit", ["plan", "goal"]),
    ("caseplans:goal-status", ["plan", "goal"]),
    ("caseplans:task-create", ["plan", "goal"]),
    ("caseplans:task-edit", ["plan", "task"]),
    ("caseplans:task-status", ["plan", "task"]),
    ("documents:create", ["young_person"]),
    ("documents:version-create", ["document"]),
    ("documents:in-error", ["document"]),
    ("documents:restriction", ["document"]),
    ("crises:create", ["young_person"]),
    ("crises:in-error", ["crisis"]),
    ("crises:restriction", ["crisis"]),
    ("diary:create", ["young_person"]),
    ("diary:edit", ["appointment"]),
    ("diary:cancel", ["appointment"]),
    ("diary:contact", ["appointment"]),
    ("diary:not-attended", ["appointment"]),
    ("outcomes:review-create", ["young_person"]),
    ("outcomes:review-in-error", ["review"]),
]


def everything_on(young_person: YoungPerson) -> dict[str, list[dict]]:
    """Every row of the file, as it stands (records.queries.rows_of_file)."""
    return {
        model._meta.label: list(model._base_manager.filter(pk__in=pks).order_by("pk").values())
        for model, pks in rows_of_file(young_person).items()
    }


@pytest.mark.parametrize(("name", "parts"), CHANGES, ids=[name for name, _ in CHANGES])
def test_every_change_to_a_closed_file_is_refused_and_changes_nothing(
    client, log_in, supervisor, closed_file, name, parts
):
    before = everything_on(closed_file.young_person)
    log_in(supervisor)

    response = client.post(
        reverse(name, args=closed_file.args(*parts)),
        {"reason": "Back in touch", "notes": "Met at the station", "to": "active", "version": 1},
    )

    assert response.status_code == 403
    assert CLOSED in response.text
    assert everything_on(closed_file.young_person) == before


def test_the_closed_files_pages_say_so_and_offer_no_change(client, log_in, supervisor, closed_file):
    young_person = closed_file.young_person
    log_in(supervisor)

    record = client.get(reverse("clients:detail", args=[young_person.pk])).text
    documents = client.get(reverse("documents:list", args=[young_person.pk])).text

    assert "Closed file: read only." in record
    assert "Closed file: read only." in documents
    for change in ("clients:contact-create", "clients:edit", "clients:allocation", "crises:create"):
        assert reverse(change, args=[young_person.pk]) not in record
    assert reverse("clients:timeline", args=[young_person.pk]) in record
    contact = closed_file.parts["contact"]
    assert (
        client.get(
            reverse("clients:contact-detail", args=[young_person.pk, contact.pk])
        ).status_code
        == 200
    )


def test_a_closed_file_expects_no_more_contacts(client, log_in, supervisor, closed_file):
    """Its last contact was weeks ago: no warning, no expectation, off the overdue lists."""
    young_person = closed_file.young_person
    young_person.contacts.update(started_at=timezone.now() - timedelta(days=60))
    log_in(supervisor)

    page = client.get(reverse("clients:detail", args=[young_person.pk]))

    assert page.context["young_person"].contact_overdue is False
    assert "expected at least every" not in page.text
    assert "text-danger fw-semibold" not in page.text.split("contact-heading")[1].split("</p>")[0]


def test_an_open_file_offers_its_changes(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    record = client.get(reverse("clients:detail", args=[own_young_person.pk])).text

    assert "Closed file: read only" not in record
    assert reverse("clients:contact-create", args=[own_young_person.pk]) in record


def test_a_worker_out_alone_checks_in_after_the_file_closed(
    client, log_in, case_manager, supervisor, own_young_person
):
    plan = VisitPlanFactory(worker=case_manager, young_person=own_young_person)
    close_file(own_young_person, on=timezone.localdate(), by=supervisor)
    log_in(case_manager)

    response = client.post(
        reverse("visits:check-in", args=[plan.pk]), {"note": "Safe, back at the car."}, follow=True
    )

    plan.refresh_from_db()
    assert response.status_code == 200
    assert plan.checked_in_at is not None


def test_the_register_goes_on_for_a_closed_file(
    client, log_in, register_coordinator, supervisor, own_young_person
):
    entry = list_young_person(
        own_young_person, by=register_coordinator, listed_on=date(2026, 11, 2), risk_factors=[]
    )
    close_file(own_young_person, on=date(2026, 11, 20), by=supervisor)
    log_in(register_coordinator)

    client.post(
        reverse("register:review", args=[entry.pk]),
        {"reviewed_on": "2026-11-21", "outcome": "remain", "participants": ["child_protection"]},
    )

    assert entry.reviews.filter(reviewed_on=date(2026, 11, 21), outcome="remain").exists()


def test_a_re_referral_is_accepted_and_reopens_the_archived_file(
    client, log_in, supervisor, case_manager, team, register_coordinator, own_young_person
):
    earlier = own_young_person
    close_file(earlier, on=date(2025, 3, 1), by=supervisor)
    YoungPerson.objects.filter(pk=earlier.pk).update(
        archived_on=date(2025, 10, 1), child_protection_number="CP-771234"
    )
    referral = ReferralFactory(team=team, status="considering", child_protection_number="CP-771234")
    listed_by_coordinator(referral, register_coordinator)
    log_in(supervisor)

    response = accept(client, referral, case_manager)

    earlier.refresh_from_db()
    assert response.status_code == 200
    assert (earlier.status, earlier.archived_on) == ("active", None)
    assert YoungPerson.objects.filter(child_protection_number="CP-771234").count() == 1
    assert (
        "Closed file: read only"
        not in client.get(reverse("clients:detail", args=[earlier.pk])).text
    )
