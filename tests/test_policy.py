"""The access policy holds together: permission and visibility agree, and views do not query
protected models behind the policy's back."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import rules as accounts_rules
from accounts.models import Role
from audit.models import AuditAction
from audit.services import record
from caseplans import rules as caseplans_rules
from caseplans.models import ExitPlan
from clients import rules as clients_rules
from clients.rules import young_people_visible_to
from crises import rules as crises_rules
from diary import rules as diary_rules
from documents import rules as documents_rules
from exits import rules as exits_rules
from exits.models import Closure
from oncall import rules as oncall_rules
from outcomes import rules as outcomes_rules
from records import rules as records_rules
from referrals import rules as referrals_rules
from referrals.models import Consultation
from register import rules as register_rules
from register.models import Escalation, LiaisonMeeting, RegisterEntry
from register.services import list_young_person, request_listing
from supervision import rules as supervision_rules
from tests.factories import (
    AfterHoursAlertFactory,
    AgreementFactory,
    AppointmentFactory,
    BreakGlassAccessFactory,
    CasePlanFactory,
    ClosureFactory,
    ContactFactory,
    CoverFactory,
    CrisisEventFactory,
    CrisisPlanFactory,
    DisposalFactory,
    DocumentFactory,
    FileReleaseFactory,
    FollowUpFactory,
    KeyPersonFactory,
    OnCallShiftFactory,
    OutcomeReviewFactory,
    ReferralFactory,
    SupervisionActionFactory,
    SupervisionSessionFactory,
    UserFactory,
    VisitPlanFactory,
    YoungPersonFactory,
)
from visits import rules as visits_rules

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = [
    "case_manager",
    "other_team_case_manager",
    "supervisor",
    "practitioner",
    "register_coordinator",
    "administrator",
]
# Models whose rows belong to a young person's record: views reach them only through the
# visibility querysets of the app's rules.py.
PROTECTED_MODELS = {
    "YoungPerson",
    "Allocation",
    "Contact",
    "ContactDraft",
    "KeyPerson",
    "ProfessionalContact",
    "WorkerSafetyAlert",
    "Disclosure",
    "BreakGlassAccess",
    "CrisisPlan",
    "ExitPlan",
    "CasePlan",
    "RegisterEntry",
    "RegisterReview",
    "LiaisonMeeting",
    "ListingRequest",
    "AuditEvent",
    "Referral",
    "ReferralMove",
    "ReferralAttachment",
    "ReferralKeyPerson",
    "ReferralProfessional",
    "CaseManagementAgreement",
    "Consultation",
    "VisitPlan",
    "CrisisEvent",
    "SupervisionSession",
    "SupervisionAction",
    "Cover",
    "Appointment",
    "Document",
    "DocumentVersion",
    "FileRelease",
    "Closure",
    "FollowUp",
    "Reopening",
}


# Each visibility queryset of the apps' rules.py and the object permission that is its twin:
# the one a view checks on a record it found, or the one stated beside the queryset for it.
# A new `*_visible_to` must join (test_every_visibility_queryset_has_its_permission_here).
TWINS = {
    accounts_rules.covers_visible_to: "accounts.end_cover",
    supervision_rules.audit_events_visible_to: "audit.view_auditevent",
    caseplans_rules.case_plans_visible_to: "caseplans.view_caseplan",
    caseplans_rules.crisis_plans_visible_to: "caseplans.view_crisisplan",
    caseplans_rules.exit_plans_visible_to: "caseplans.view_exitplan",
    clients_rules.young_people_visible_to: "clients.view_youngperson",
    clients_rules.merged_records_visible_to: "clients.view_merged_record",
    clients_rules.contacts_visible_to: "clients.view_contact",
    clients_rules.contact_read_logs_visible_to: "clients.view_contact_read_log",
    clients_rules.key_people_visible_to: "clients.view_keyperson",
    clients_rules.break_glass_accesses_visible_to: "clients.view_breakglassaccess",
    crises_rules.crisis_events_visible_to: "crises.view_crisisevent",
    crises_rules.crisis_read_logs_visible_to: "crises.view_crisisevent_read_log",
    diary_rules.appointments_visible_to: "diary.view_appointment",
    documents_rules.documents_visible_to: "documents.view_document",
    documents_rules.document_read_logs_visible_to: "documents.view_document_read_log",
    referrals_rules.referrals_visible_to: "referrals.view_referral",
    referrals_rules.agreements_visible_to: "referrals.view_casemanagementagreement",
    referrals_rules.consultations_visible_to: "referrals.view_consultation",
    register_rules.register_entries_visible_to: "register.view_registerentry",
    register_rules.escalations_visible_to: "register.view_escalation",
    register_rules.liaison_meetings_visible_to: "register.view_liaisonmeeting",
    register_rules.listing_requests_visible_to: "register.answer_listingrequest",
    supervision_rules.supervision_sessions_visible_to: "supervision.view_supervisionsession",
    supervision_rules.supervision_actions_visible_to: "supervision.view_supervisionaction",
    visits_rules.visit_plans_visible_to: "safety.change_visitplan",
    oncall_rules.rosters_visible_to: "oncall.view_roster",
    oncall_rules.shifts_visible_to: "oncall.view_oncallshift",
    oncall_rules.alerts_visible_to: "oncall.view_afterhoursalert",
    outcomes_rules.reviews_visible_to: "outcomes.view_review",
    records_rules.releases_visible_to: "records.view_filerelease",
    exits_rules.closures_visible_to: "exits.view_closure",
    exits_rules.follow_ups_visible_to: "exits.view_followup",
    records_rules.archived_files_visible_to: "records.view_archived_file",
    records_rules.disposals_visible_to: "records.view_disposal_stub",
}


@pytest.fixture
def records(
    case_manager,
    other_team_case_manager,
    supervisor,
    practitioner,
    register_coordinator,
    own_young_person,
    care_team_young_person,
    other_young_person,
):
    """Records of every kind the querysets select from: the first team's (on the case manager's
    caseload as primary, as care team), the other team's, the practitioner's and the
    coordinator's, and some of one kind that only some roles see (drafts, merged records)."""
    own, shared, other = own_young_person, care_team_young_person, other_young_person
    young_people = (own, shared, other)
    other_supervisor = UserFactory(role=Role.SUPERVISOR, team=other.team)
    other.team.supervisor = other_supervisor
    other.team.save(update_fields=["supervisor"])
    other_practitioner = UserFactory(role=Role.PRACTITIONER, division=other.division)
    other_coordinator = UserFactory(role=Role.REGISTER_COORDINATOR, division=other.division)
    coordinator_of = {own.division_id: register_coordinator, other.division_id: other_coordinator}
    practitioner_of = {own.division_id: practitioner, other.division_id: other_practitioner}

    accepted = [
        ReferralFactory(
            referred_by=practitioner_of[young_person.division_id],
            team=young_person.team,
            status="accepted",
            young_person=young_person,
        )
        for young_person in young_people
    ]
    referrals = [
        *accepted,
        ReferralFactory(referred_by=practitioner, team=own.team),
        ReferralFactory(referred_by=practitioner, team=own.team, status="draft"),
        ReferralFactory(referred_by=other_practitioner, team=other.team),
    ]
    entries = [
        list_young_person(
            young_person,
            by=coordinator_of[young_person.division_id],
            listed_on=date(2026, 11, 2),
            risk_factors=[],
        )
        for young_person in young_people
    ]
    plans = [
        CasePlanFactory(young_person=young_person, number=number, status=status)
        for young_person in young_people
        for number, status in ((1, "current"), (2, "draft"))
    ]
    sessions = [
        SupervisionSessionFactory(supervisor=supervisor, worker=case_manager),
        SupervisionSessionFactory(supervisor=other_supervisor, worker=other_team_case_manager),
    ]
    now = timezone.now()
    window = {"granted_at": now - timedelta(minutes=5), "expires_at": now + timedelta(hours=1)}
    return [
        *young_people,
        *(CrisisPlanFactory(young_person=young_person) for young_person in young_people),
        *(ExitPlan.objects.create(young_person=young_person) for young_person in young_people),
        YoungPersonFactory(team=own.team, status="merged", merged_into=own),
        YoungPersonFactory(team=other.team, status="merged", merged_into=other),
        *referrals,
        *[AgreementFactory(referral=r, young_person=r.young_person) for r in accepted],
        *[
            Consultation.objects.create(
                team=team,
                referral=referral,
                asked_by="A school counsellor",
                organisation="Northside High",
                question="Could ICMS take her on?",
                advice="Refer through child protection.",
                given_by=given_by,
            )
            for team, referral, given_by in (
                (own.team, referrals[3], supervisor),
                (other.team, referrals[5], other_supervisor),
            )
        ],
        *plans,
        *[
            ContactFactory(young_person=young_person, recorded_by=worker)
            for young_person, worker in zip(
                young_people, (case_manager, case_manager, other_team_case_manager), strict=True
            )
        ],
        *[
            factory(young_person=young_person, recorded_by=worker, restricted_because="health")
            for factory in (ContactFactory, CrisisEventFactory)
            for young_person, worker in ((own, case_manager), (other, other_team_case_manager))
        ],
        *[KeyPersonFactory(young_person=young_person) for young_person in young_people],
        *[
            BreakGlassAccessFactory(worker=worker, young_person=young_person, **window)
            for worker, young_person in ((case_manager, other), (other_team_case_manager, own))
        ],
        *[
            CrisisEventFactory(young_person=young_person, recorded_by=worker)
            for young_person, worker in ((own, case_manager), (other, other_team_case_manager))
        ],
        *[
            DocumentFactory(young_person=young_person, added_by=worker, restricted_because=because)
            for young_person, worker in ((own, case_manager), (other, other_team_case_manager))
            for because in ("", "health")
        ],
        *entries,
        *[escalation_of(entry) for entry in entries],
        *[
            LiaisonMeeting.objects.create(
                division=division,
                held_on=date(2026, 11, 2),
                agencies=["icms"],
                recorded_by=coordinator_of[division.pk],
            )
            for division in (own.division, other.division)
        ],
        *[
            request_listing(division=referral.division, by=referral.referred_by, referral=referral)
            for referral in (referrals[3], referrals[5])
        ],
        *sessions,
        *[SupervisionActionFactory(session=session) for session in sessions],
        *[
            OutcomeReviewFactory(young_person=young_person, reviewed_by=worker)
            for young_person, worker in ((own, case_manager), (other, other_team_case_manager))
        ],
        *[
            AppointmentFactory(young_person=young_person, booked_by=worker)
            for young_person, worker in zip(
                young_people, (case_manager, case_manager, other_team_case_manager), strict=True
            )
        ],
        *[
            VisitPlanFactory(worker=worker, young_person=young_person)
            for worker, young_person in ((case_manager, own), (other_team_case_manager, other))
        ],
        *[
            CoverFactory(worker=worker, arranged_by=arranged_by)
            for worker, arranged_by in (
                (case_manager, supervisor),
                (other_team_case_manager, other_supervisor),
            )
        ],
        own.team,
        other.team,
        # Each team's archived file, and the stub of one disposed of.
        *[
            YoungPersonFactory(team=team, status="closed", archived_on=date(2025, 1, 1))
            for team in (own.team, other.team)
        ],
        *[
            DisposalFactory(team_name=team.name, approved_by=approver)
            for team, approver in ((own.team, supervisor), (other.team, other_supervisor))
        ],
        *[OnCallShiftFactory(worker=worker) for worker in (case_manager, other_team_case_manager)],
        *[
            AfterHoursAlertFactory(team=worker.team, told=[worker])
            for worker in (case_manager, other_team_case_manager)
        ],
        # Closings: the first team's (its case manager's young person, who left), the other
        # team's, and one of the first team whose last case manager is another worker.
        *[
            FollowUpFactory(closure=closure, worker=worker)
            for closure, worker in (
                (ClosureFactory(young_person__team=own.team), case_manager),
                (ClosureFactory(young_person__team=other.team), other_team_case_manager),
                (ClosureFactory(young_person__team=own.team), UserFactory(team=own.team)),
            )
        ],
        *Closure.objects.all(),
        *[
            FileReleaseFactory(young_person=young_person, released_by=by)
            for young_person, by in ((own, supervisor), (other, other_supervisor))
        ],
        *[
            record(AuditAction.VIEW, actor=actor, obj=young_person)
            for actor, young_person in (
                (case_manager, own),
                (other_team_case_manager, other),
                (practitioner, own),
            )
        ],
    ]


def escalation_of(entry: RegisterEntry) -> Escalation:
    review = entry.reviews.get()
    return Escalation.objects.create(
        young_person=entry.young_person,
        entry=entry,
        review=review,
        what="Missing for a week.",
        raised_by=entry.listed_by,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visible_to", "permission"), TWINS.items(), ids=[f.__name__ for f in TWINS]
)
def test_permission_and_visibility_agree(request, records, visible_to, permission):
    kind = visible_to(AnonymousUser()).model
    of_the_kind = [obj for obj in records if isinstance(obj, kind)]
    assert len(of_the_kind) >= 2, f"records of the first and the other team: {kind.__name__}"
    disagreements = {}
    seen_by_someone = set()

    for persona in PERSONAS:
        user = request.getfixturevalue(persona)
        visible = set(visible_to(user).filter(pk__in=[obj.pk for obj in of_the_kind]))
        seen_by_someone |= visible
        for obj in of_the_kind:
            if user.has_perm(permission, obj) != (obj in visible):
                disagreements[persona, str(obj)] = (
                    "has the permission" if (obj not in visible) else "lacks the permission"
                )

    assert disagreements == {}
    assert seen_by_someone, "something that could leak"


def test_every_visibility_queryset_has_its_permission_here():
    declared = {(f.__module__, f.__name__) for f in TWINS}
    found = {
        (f"{path.parent.name}.rules", node.name)
        for path in sorted(ROOT.glob("*/rules.py"))
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef)
        and node.name.endswith("_visible_to")
        and not node.name.startswith("_")
    }

    assert found - declared == set(), "name its twin permission in TWINS"
    assert declared - found == set()


@pytest.mark.django_db
def test_visibility_is_what_domain_md_says(
    case_manager,
    other_team_case_manager,
    supervisor,
    practitioner,
    register_coordinator,
    administrator,
    own_young_person,
    care_team_young_person,
    other_young_person,
):
    def visible(user):
        return set(young_people_visible_to(user))

    assert visible(case_manager) == {own_young_person, care_team_young_person}
    assert visible(supervisor) == {own_young_person, care_team_young_person}
    assert visible(other_team_case_manager) == {other_young_person}
    assert visible(practitioner) == set()
    assert visible(register_coordinator) == set()
    assert visible(administrator) == set()


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing(case_manager, own_young_person):
    case_manager.is_active = False

    assert not young_people_visible_to(case_manager).exists()


def raw_queries_in(source: str, filename: str) -> list[str]:
    tree = ast.parse(source)
    # `Model.objects.none()` reads nothing: a field's empty choice until __init__ sets it.
    reads_nothing = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "none"
    }
    return [
        f"{filename}:{node.lineno} {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in {"objects", "_default_manager"}
        and isinstance(node.value, ast.Name)
        and node.value.id in PROTECTED_MODELS
        and id(node) not in reads_nothing
    ]


def modules_that_answer_users() -> list[Path]:
    """Every module that decides what a page, a form, the API or the menu shows a user."""
    return sorted(
        {
            *ROOT.glob("*/*views.py"),  # views.py, and an app's second (records/release_views.py)
            *ROOT.glob("*/*forms.py"),
            *ROOT.glob("*/api.py"),
            *ROOT.glob("*/serializers.py"),
            ROOT / "icms" / "context_processors.py",
            *ROOT.glob("*/templatetags/*.py"),
        }
    )


def test_no_view_queries_a_protected_model_directly():
    modules = modules_that_answer_users()
    names = {str(path.relative_to(ROOT)) for path in modules}
    assert {"clients/views.py", "caseplans/forms.py", "referrals/api.py"} <= names
    assert {"records/release_views.py", "records/release_forms.py"} <= names
    assert {"icms/context_processors.py", "toolkit/templatetags/icms_tags.py"} <= names

    offending = [
        line
        for path in modules
        for line in raw_queries_in(path.read_text(), str(path.relative_to(ROOT)))
    ]

    assert offending == [], "use the app's rules.py visibility querysets"


def test_the_check_itself_catches_a_raw_query():
    source = "def view(request, pk):\n    return YoungPerson.objects.get(pk=pk)\n"

    assert raw_queries_in(source, "views.py") == ["views.py:2 YoungPerson.objects"]


def test_the_check_lets_an_empty_choice_pass_but_not_a_full_one():
    source = (
        "class F(Form):\n"
        "    a = ModelChoiceField(queryset=KeyPerson.objects.none())\n"
        "    b = ModelChoiceField(queryset=KeyPerson.objects.all())\n"
    )

    assert raw_queries_in(source, "forms.py") == ["forms.py:3 KeyPerson.objects"]


def lookups_around_the_policy(source: str, filename: str) -> list[str]:
    """Django's shortcuts find a record without telling the audit trail (toolkit.access does)."""
    return [
        f"{filename}:{node.lineno} {node.id}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and node.id in {"get_object_or_404", "get_list_or_404"}
    ]


def test_views_find_records_only_through_icms_access():
    modules = sorted([*ROOT.glob("*/*views.py"), *ROOT.glob("*/api.py")])

    offending = [
        line
        for path in modules
        for line in lookups_around_the_policy(path.read_text(), str(path.relative_to(ROOT)))
    ]

    assert offending == [], "find records with toolkit.access.find_or_404, which audits the read"


def test_the_lookup_check_catches_a_shortcut():
    source = "def view(request, pk):\n    return get_object_or_404(Contact, pk=pk)\n"

    assert lookups_around_the_policy(source, "views.py") == ["views.py:2 get_object_or_404"]
