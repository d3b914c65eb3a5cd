"""The access policy holds together: permission and visibility agree, and views do not query
protected models behind the policy's back."""

import ast
from pathlib import Path

import pytest

from clients.rules import young_people_visible_to

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
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_view_permission_and_visibility_agree_for_every_young_person(
    request, persona, own_young_person, care_team_young_person, other_young_person
):
    user = request.getfixturevalue(persona)
    young_people = [own_young_person, care_team_young_person, other_young_person]

    for young_person in young_people:
        visible = young_people_visible_to(user).filter(pk=young_person.pk).exists()
        assert user.has_perm("clients.view_youngperson", young_person) is visible


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
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in PROTECTED_MODELS
        ):
            found.append(f"{filename}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_view_queries_a_protected_model_directly():
    views = sorted(ROOT.glob("*/views.py"))
    assert len(views) >= 4, "expected the apps' views modules"

    offending = [
        line
        for path in views
        for line in raw_queries_in(path.read_text(), str(path.relative_to(ROOT)))
    ]

    assert offending == [], "use the app's rules.py visibility querysets"


def test_the_check_itself_catches_a_raw_query():
    source = "def view(request, pk):\n    return YoungPerson.objects.get(pk=pk)\n"

    assert raw_queries_in(source, "views.py") == ["views.py:2 YoungPerson.objects"]


def lookups_around_the_policy(source: str, filename: str) -> list[str]:
    """Django's shortcuts find a record without telling the audit trail (toolkit.access does)."""
    return [
        f"{filename}:{node.lineno} {node.id}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and node.id in {"get_object_or_404", "get_list_or_404"}
    ]


def test_views_find_records_only_through_icms_access():
    modules = sorted([*ROOT.glob("*/views.py"), *ROOT.glob("*/api.py")])

    offending = [
        line
        for path in modules
        for line in lookups_around_the_policy(path.read_text(), str(path.relative_to(ROOT)))
    ]

    assert offending == [], "find records with toolkit.access.find_or_404, which audits the read"


def test_the_lookup_check_catches_a_shortcut():
    source = "def view(request, pk):\n    return get_object_or_404(Contact, pk=pk)\n"

    assert lookups_around_the_policy(source, "views.py") == ["views.py:2 get_object_or_404"]
