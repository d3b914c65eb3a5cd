"""A supervisor merges two records of one young person: everything moves to the record kept,
the other stays as a pointer to it, and the merge is audited and explained on the record."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from caseplans.models import ExitPlan
from clients.models import Allocation, ContactDraft, Merge, YoungPerson
from clients.services import merge_young_people, young_person_relations
from exits.models import Reopening
from register.models import Escalation, ListingRequest, RegisterEntry
from tests.factories import (
    AgreementFactory,
    AppointmentFactory,
    BreakGlassAccessFactory,
    CareTeamFactory,
    CasePlanFactory,
    ChildProtectionDecisionFactory,
    ClosureFactory,
    ContactFactory,
    CrisisEventFactory,
    CrisisPlanFactory,
    DisclosureFactory,
    DocumentFactory,
    FileReleaseFactory,
    FollowUpFactory,
    KeyPersonFactory,
    LegalHoldFactory,
    OutcomeReviewFactory,
    ProfessionalFactory,
    ReferralFactory,
    SupervisionSessionFactory,
    UserFactory,
    VisitPlanFactory,
    WorkerSafetyAlertFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Same birthday and carer; the referral spelt her name Jaden."


@pytest.fixture
def jayden(team, case_manager):
    return YoungPersonFactory(
        given_name="Jayden", family_name="Smith", date_of_birth=date(2011, 4, 2), team=team,
        primary_case_manager=case_manager,
    )  # fmt: skip


@pytest.fixture
def jaden(team):
    """The second record of the same young person, opened by mistake."""
    return YoungPersonFactory(
        given_name="Jaden", family_name="Smith", date_of_birth=date(2011, 4, 2), team=team,
        child_protection_number="CP-555001",
    )  # fmt: skip


def _register_entry(young_person, **fields):
    return RegisterEntry.objects.create(
        young_person=young_person, division=young_person.division, listed_on=date(2026, 10, 1),
        listed_by=UserFactory(role=Role.REGISTER_COORDINATOR), **fields,
    )  # fmt: skip


def _escalation(young_person):
    entry = _register_entry(
        young_person, status=RegisterEntry.Status.REMOVED, removed_on=date(2026, 10, 20),
        removal_reason="Risks reduced.",
    )  # fmt: skip
    review = entry.reviews.create(
        due_on=date(2026, 10, 15), reviewed_on=date(2026, 10, 15), outcome="escalate",
        participants=["icms"], reviewed_by=entry.listed_by,
    )  # fmt: skip
    return Escalation.objects.create(
        young_person=young_person, entry=entry, review=review, what="Missing for a week.",
        raised_by=entry.listed_by,
    )  # fmt: skip


def _listing_request(young_person):
    return ListingRequest.objects.create(
        division=young_person.division, young_person=young_person, requested_by=UserFactory()
    )


def _merged_before(young_person):
    return YoungPersonFactory(
        team=young_person.team, status=YoungPerson.Status.MERGED, merged_into=young_person
    )


def _reopening(young_person):
    closure = ClosureFactory(young_person=young_person, closed_on=date(2026, 9, 1))
    return Reopening.objects.create(
        young_person=young_person, closure=closure, reopened_on=date(2026, 10, 1),
        referred_by=Reopening.From.YOUNG_PERSON, why="Lost her flat.",
        case_manager=UserFactory(), intensity=young_person.intensity, reopened_by=UserFactory(),
    )  # fmt: skip


def _session_about(young_person):
    session = SupervisionSessionFactory()
    session.young_people.add(young_person)
    return session


# One row of every kind of record with a foreign key to a young person ("app.Model.field"). A
# kind added later fails test_every_kind_of_record_is_known until it is listed here (and the
# merge is checked to move it, or to settle what would clash).
MAKERS = {
    "clients.YoungPerson.merged_into": _merged_before,
    "clients.ChildProtectionDecision.young_person": lambda yp: ChildProtectionDecisionFactory(
        young_person=yp
    ),
    "clients.Allocation.young_person": lambda yp: CareTeamFactory(
        young_person=yp, worker=UserFactory(role=Role.CASE_MANAGER, team=yp.team)
    ),
    "clients.KeyPerson.young_person": lambda yp: KeyPersonFactory(young_person=yp),
    "clients.ProfessionalContact.young_person": lambda yp: ProfessionalFactory(young_person=yp),
    "clients.WorkerSafetyAlert.young_person": lambda yp: WorkerSafetyAlertFactory(young_person=yp),
    "clients.Disclosure.young_person": lambda yp: DisclosureFactory(young_person=yp),
    "clients.Contact.young_person": lambda yp: ContactFactory(young_person=yp),
    "clients.ContactDraft.young_person": lambda yp: ContactDraft.objects.create(
        author=UserFactory(), young_person=yp, data={"notes": "Rang her carer"}
    ),
    "clients.BreakGlassAccess.young_person": lambda yp: BreakGlassAccessFactory(young_person=yp),
    "caseplans.CasePlan.young_person": lambda yp: CasePlanFactory(young_person=yp, number=1),
    "caseplans.CrisisPlan.young_person": lambda yp: CrisisPlanFactory(young_person=yp),
    "caseplans.ExitPlan.young_person": lambda yp: ExitPlan.objects.create(young_person=yp),
    "register.RegisterEntry.young_person": _register_entry,
    "register.ListingRequest.young_person": _listing_request,
    "register.Escalation.young_person": _escalation,
    "referrals.Referral.young_person": lambda yp: ReferralFactory(young_person=yp),
    "referrals.CaseManagementAgreement.young_person": lambda yp: AgreementFactory(young_person=yp),
    "supervision.SupervisionSession_young_people.youngperson": _session_about,
    "safety.VisitPlan.young_person": lambda yp: VisitPlanFactory(young_person=yp),
    "crises.CrisisEvent.young_person": lambda yp: CrisisEventFactory(young_person=yp),
    "diary.Appointment.young_person": lambda yp: AppointmentFactory(young_person=yp),
    "outcomes.Review.young_person": lambda yp: OutcomeReviewFactory(young_person=yp),
    "documents.Document.young_person": lambda yp: DocumentFactory(young_person=yp),
    "records.FileRelease.young_person": lambda yp: FileReleaseFactory(young_person=yp),
    "exits.Closure.young_person": lambda yp: ClosureFactory(young_person=yp),
    "exits.FollowUp.young_person": lambda yp: FollowUpFactory(
        closure=ClosureFactory(young_person=yp, closed_on=date(2026, 8, 1))
    ),
    "exits.Reopening.young_person": _reopening,
    "records.LegalHold.young_person": lambda yp: LegalHoldFactory(young_person=yp),
}


def _name(field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def test_every_kind_of_record_is_known():
    assert {_name(field) for field in young_person_relations()} == set(MAKERS)


def test_every_kind_of_record_moves_to_the_record_kept(supervisor, jayden, jaden):
    for make in MAKERS.values():
        make(jaden)

    merge = merge_young_people(jayden, jaden, by=supervisor, reason=REASON)

    for field in young_person_relations():
        rows = field.model._base_manager
        assert not rows.filter(**{field.name: jaden}).exists(), _name(field)
        assert rows.filter(**{field.name: jayden}).exists(), _name(field)
    assert len(merge.moved) == len(MAKERS)
    assert ["contact", 1] in merge.moved


def test_the_other_record_is_left_a_pointer_out_of_every_list(
    client, log_in, supervisor, case_manager, jayden, jaden
):
    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)
    log_in(supervisor)

    page = client.get(reverse("clients:detail", args=[jaden.pk]))
    caseload = client.get(reverse("clients:caseload"))
    search = client.get(reverse("clients:caseload"), {"q": "Jaden"})

    jaden.refresh_from_db()
    assert (jaden.status, jaden.merged_into) == ("merged", jayden)
    assert page.status_code == 200
    assert "was merged" in page.text
    assert f'href="{reverse("clients:detail", args=[jayden.pk])}"' in page.text
    assert list(caseload.context["young_people"]) == [jayden]
    assert list(search.context["young_people"]) == []
    assert client.get(reverse("clients:timeline", args=[jaden.pk])).status_code == 404
    log_in(case_manager)  # Jayden's case manager: the pointer says where Jaden is now
    assert "was merged" in client.get(reverse("clients:detail", args=[jaden.pk])).text


def test_the_record_kept_takes_what_it_lacked(supervisor, jayden, jaden):
    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)

    jayden.refresh_from_db()
    jaden.refresh_from_db()
    assert jayden.child_protection_number == "CP-555001"
    assert jaden.child_protection_number == ""


def test_a_referral_with_the_merged_records_number_finds_the_record_kept(
    supervisor, practitioner, jayden, jaden
):
    from referrals.services import submit_referral

    jayden.child_protection_number = "CP-555000"
    jayden.save()
    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)
    referral = ReferralFactory(
        referred_by=practitioner, status="draft", child_protection_number="CP-555001"
    )

    assert submit_referral(referral, by=practitioner).young_person == jayden


def test_the_merge_is_audited_and_explained_on_the_record_kept(
    client, log_in, supervisor, case_manager, jayden, jaden
):
    ContactFactory.create_batch(3, young_person=jaden)
    log_in(supervisor)

    client.post(reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk]), {"reason": REASON})

    merge = Merge.objects.get()
    assert (merge.kept, merge.merged, merge.merged_by) == (jayden, jaden, supervisor)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="clients.merge", young_person_id=jayden.pk,
        actor=supervisor, detail__reason=REASON,
    ).exists()  # fmt: skip
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, young_person_id=jaden.pk, detail__merged_into=jayden.pk
    ).exists()
    log_in(case_manager)
    page = client.get(reverse("clients:detail", args=[jayden.pk])).text
    assert f"Record no. {jaden.pk}" in page
    assert "Jaden Smith" in page
    assert REASON in page
    assert "3 contacts" in page
    assert str(supervisor) in page


def test_the_confirm_page_shows_both_records_what_moves_and_the_clashes(
    client, log_in, supervisor, case_manager, jayden, jaden
):
    ContactFactory(young_person=jaden)
    CareTeamFactory(young_person=jayden, worker=case_manager, role=Allocation.Role.PRIMARY)
    other_worker = UserFactory(role=Role.CASE_MANAGER, team=jaden.team, first_name="Olwen")
    CareTeamFactory(young_person=jaden, worker=other_worker, role=Allocation.Role.PRIMARY)
    log_in(supervisor)

    response = client.get(reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk]))

    assert response.status_code == 200
    assert "Jayden" in response.text
    assert "Jaden" in response.text
    assert "1 contact<" in response.text
    assert "Both records have a primary case manager" in response.text
    assert Merge.objects.count() == 0


def test_what_both_records_have_is_settled_keeping_the_kept_records(
    supervisor, case_manager, jayden, jaden
):
    today = timezone.localdate()
    CareTeamFactory(young_person=jayden, worker=case_manager, role=Allocation.Role.PRIMARY)
    other_worker = UserFactory(role=Role.CASE_MANAGER, team=jaden.team)
    theirs = CareTeamFactory(young_person=jaden, worker=other_worker, role=Allocation.Role.PRIMARY)
    jaden.primary_case_manager = other_worker
    jaden.save()
    kept_plan = CasePlanFactory(young_person=jayden, number=1, status="current")
    other_plans = [
        CasePlanFactory(young_person=jaden, number=1, status="superseded"),
        CasePlanFactory(young_person=jaden, number=2, status="current"),
    ]
    kept_entry, other_entry = _register_entry(jayden), _register_entry(jaden)
    CrisisPlanFactory(young_person=jayden, warning_signs="Stops answering texts.")
    CrisisPlanFactory(young_person=jaden, warning_signs="Goes to the train station.")

    merge = merge_young_people(jayden, jaden, by=supervisor, reason=REASON)

    jayden.refresh_from_db()
    theirs.refresh_from_db()
    assert jayden.primary_case_manager == case_manager
    assert theirs.ended_on == today
    assert "merged" in theirs.note
    assert list(jayden.case_plans.filter(status="current")) == [kept_plan]
    for plan in other_plans:
        plan.refresh_from_db()
    assert [(plan.number, plan.status) for plan in other_plans] == [
        (2, "superseded"),
        (3, "superseded"),
    ]
    kept_entry.refresh_from_db()
    other_entry.refresh_from_db()
    assert kept_entry.status == "active"
    assert (other_entry.status, other_entry.removed_on) == ("removed", today)
    assert other_entry.young_person == jayden
    assert "Goes to the train station." in jayden.crisis_plan.warning_signs
    assert "Stops answering texts." in jayden.crisis_plan.warning_signs
    said = " ".join(merge.settled)
    assert "Both records have a primary case manager" in said
    assert "Both records have a current case plan" in said
    assert "Both records are listed on the register" in said
    assert "Both records have a crisis plan" in said


def test_an_open_episode_moves_to_a_closed_record_kept(supervisor, jayden, jaden):
    jayden.status = YoungPerson.Status.CLOSED
    jayden.save()

    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)

    jayden.refresh_from_db()
    assert jayden.status == YoungPerson.Status.ACTIVE


def test_a_case_manager_cannot_merge(client, log_in, case_manager, jayden, jaden):
    CareTeamFactory(young_person=jaden, worker=case_manager)
    log_in(case_manager)

    confirm = reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk])
    assert client.get(reverse("clients:merge", args=[jayden.pk])).status_code == 403
    assert client.post(confirm, {"reason": REASON}).status_code == 403
    with pytest.raises(ValidationError):
        merge_young_people(jayden, jaden, by=case_manager, reason=REASON)
    assert YoungPerson.objects.filter(status="merged").count() == 0


def test_the_supervisor_of_only_one_of_the_teams_cannot_merge(
    client, log_in, supervisor, jayden, other_young_person
):
    log_in(supervisor)

    response = client.post(
        reverse("clients:merge-confirm", args=[jayden.pk, other_young_person.pk]),
        {"reason": REASON},
    )

    assert response.status_code == 404
    with pytest.raises(ValidationError, match="supervisor of both"):
        merge_young_people(jayden, other_young_person, by=supervisor, reason=REASON)
    assert not Merge.objects.exists()


def test_a_merge_without_a_reason_is_refused_and_changes_nothing(
    client, log_in, supervisor, jayden, jaden
):
    ContactFactory(young_person=jaden)
    log_in(supervisor)

    response = client.post(reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk]), {})

    assert response.status_code == 200
    assert "This field is required" in response.text
    assert jaden.contacts.count() == 1
    assert not Merge.objects.exists()


def test_the_supervisor_finds_the_duplicate_to_merge_from_the_record(
    client, log_in, supervisor, jayden, jaden
):
    log_in(supervisor)

    record = client.get(reverse("clients:detail", args=[jayden.pk])).text
    chooser = client.get(reverse("clients:merge", args=[jayden.pk])).text
    by_number = client.get(reverse("clients:merge", args=[jayden.pk]), {"record": jaden.pk})

    assert reverse("clients:merge", args=[jayden.pk]) in record
    assert reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk]) in chooser
    assert by_number.url == reverse("clients:merge-confirm", args=[jayden.pk, jaden.pk])


def test_merging_a_record_into_itself_or_twice_is_refused(supervisor, jayden, jaden):
    with pytest.raises(ValidationError, match="two different records"):
        merge_young_people(jayden, jayden, by=supervisor, reason=REASON)
    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)
    with pytest.raises(ValidationError, match="already merged"):
        merge_young_people(jayden, jaden, by=supervisor, reason=REASON)


def test_an_allocation_ended_by_the_merge_ends_no_earlier_than_it_began(
    supervisor, case_manager, jayden, jaden
):
    CareTeamFactory(young_person=jayden, worker=case_manager, role=Allocation.Role.PRIMARY)
    starts = timezone.localdate() + timedelta(days=3)
    later = CareTeamFactory(young_person=jaden, worker=case_manager, started_on=starts)

    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)

    later.refresh_from_db()
    assert later.ended_on == starts


def test_who_looked_at_the_merged_record_shows_on_the_record_kept(
    client, log_in, supervisor, case_manager, jayden, jaden
):
    reader = UserFactory(role=Role.CASE_MANAGER, team=jaden.team, first_name="Ingrid")
    CareTeamFactory(young_person=jaden, worker=reader)
    log_in(reader)
    client.get(reverse("clients:detail", args=[jaden.pk]))
    merge_young_people(jayden, jaden, by=supervisor, reason=REASON)
    log_in(supervisor)

    record = client.get(reverse("clients:detail", args=[jayden.pk]))
    trail = client.get(reverse("audit:trail"), {"who": "Jaden"})

    assert [event.actor for event in record.context["access_log"]][-1] == reader
    assert "A record of another team" not in trail.text
    assert str(reader) in trail.text
    assert {event.young_person_id for event in trail.context["events"]} == {jayden.pk, jaden.pk}
