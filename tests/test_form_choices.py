"""Every choice of an object that a form, a filter or the API offers is limited to what the user
may see, and a refusal names nothing the user may not see.

`test_every_choice_of_an_object_is_accounted_for` finds every field that chooses an object
(ModelChoiceField, django-filter's ModelChoiceFilter, DRF's related fields), declared on the
class or made in `__init__`, in every forms.py, filters.py and api.py of the project; each must
have an entry in CHOICES: the test below that posts another team's object to it, or why what it
offers is open to everyone who reaches the form. The other tests each post an object of the
other team, first making sure it exists under a name that could not appear by chance, and
check that it is refused plainly, nothing is saved, and the name is nowhere in the answer.
"""

import ast
import inspect
import uuid
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Cover, Role
from caseplans import services as caseplans_services
from caseplans.forms import TaskForm
from caseplans.models import Task
from clients import services as clients_services
from clients.models import Allocation, Contact, IntensityLevel
from diary.models import Appointment
from documents.models import Document
from referrals import services as referrals_services
from referrals.models import CaseManagementAgreement, Consultation, Referral
from register import services as register_services
from register.models import RegisterEntry
from supervision.models import SupervisionSession
from supervision.services import hold_session
from tests.clients.test_contacts import edit as edit_contact
from tests.factories import (
    PDF_BYTES,
    AppointmentFactory,
    CasePlanFactory,
    ClosureFactory,
    ContactFactory,
    GoalFactory,
    KeyPersonFactory,
    OnCallShiftFactory,
    ProfessionalFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    YoungPersonFactory,
    api_token_for,
)
from visits.models import VisitPlan

pytestmark = pytest.mark.django_db

REFERENCE_LIST = "a reference list the administrator keeps, the same for everyone"
ADMINISTRATOR_CONFIGURES = "the administrator's configuration, of every team and division"
AGENCY_REPORTS = (
    "the agency reports cover every team and division, for supervisors and the system owner "
    "(supervision.view_reports): counts, no records"
)

# module.Class.field (or module.Class.prefix* for fields made per object in __init__) -> the
# test of this module that posts another team's object to it, or why it offers everything.
CHOICES = {
    "accounts.forms.CoverForm.covered_by": "test_cover_by_a_worker_of_another_division",
    "caseplans.forms.TaskForm.key_person": "test_a_task_for_another_young_persons_family",
    "clients.forms.AllocationForm.worker": "test_allocating_a_worker_of_another_team",
    "clients.forms.CaseloadFilter.intensity": REFERENCE_LIST,
    "clients.forms.CaseloadFilter.worker": "test_the_caseload_filtered_by_another_teams_worker",
    "clients.forms.ContactForm.co_workers": "test_a_contact_made_with_a_worker_of_another_team",
    "clients.forms.ContactEditForm.co_workers": "test_a_contact_edited_to_name_a_stranger",
    "clients.forms.TransferForm.everyone_to": "test_a_transfer_to_a_worker_of_another_team",
    "clients.forms.TransferForm.to_*": "test_a_transfer_to_a_worker_of_another_team",
    "clients.forms.TransferFromForm.worker": "test_a_transfer_from_a_worker_of_another_team",
    "documents.forms.DocumentForm.restricted_readers": "test_a_document_readable_by_a_stranger",
    "clients.forms.RestrictionFields.restricted_readers": "test_a_restricted_note_for_a_stranger",
    "clients.api.ContactSerializer.workers": "read only: names the contact's workers, takes none",
    "outcomes.forms.InstrumentChoiceForm.instrument": REFERENCE_LIST,
    "clients.forms.YoungPersonForm.intensity": REFERENCE_LIST,
    "clients.forms.NewYoungPersonForm.intensity": REFERENCE_LIST,
    "referrals.api.ReferralSerializer.team": "test_an_api_referral_to_a_team_of_another_division",
    "referrals.forms.AcceptForm.case_manager": "test_accepting_for_a_worker_of_another_team",
    "referrals.forms.AcceptForm.intensity": REFERENCE_LIST,
    "referrals.forms.ConsultationForm.team": "test_a_consultation_for_another_team",
    "referrals.forms.ReferralForm.team": "test_a_referral_to_a_team_of_another_division",
    "register.forms.ListingForm.young_person": "test_listing_a_young_person_of_another_division",
    "register.forms.RegisterFilter.division": "test_the_register_filtered_by_another_division",
    "visits.forms.VisitPlanForm.young_person": "test_a_visit_to_another_teams_young_person",
    "oncall.forms.SwapForm.to_worker": "test_a_shift_handed_to_a_worker_of_another_team",
    **{
        f"diary.forms.{form}.{field}": test
        for form in ("AppointmentForm", "NewAppointmentForm", "ChangeAppointmentForm")
        for field, test in (
            ("workers", "test_an_appointment_with_a_worker_of_another_team"),
            ("key_people", "test_an_appointment_with_another_young_persons_people"),
            ("professionals", "test_an_appointment_with_another_young_persons_people"),
        )
    },
    "supervision.forms.ReportForm.division": AGENCY_REPORTS,
    "supervision.forms.ReportForm.team": AGENCY_REPORTS,
    "supervision.forms.SessionFilter.worker": "test_sessions_filtered_by_another_teams_worker",
    "supervision.forms.SessionForm.young_people": "test_a_session_about_another_teams_young_person",
    "exits.forms.ReopenForm.case_manager": "test_reopening_for_a_worker_of_another_team",
    "exits.forms.ReopenForm.intensity": REFERENCE_LIST,
    # The administrator's: an external system's scope may be any team or division, and an
    # event feed may be any system's.
    "accounts.forms.ExternalSystemForm.team": ADMINISTRATOR_CONFIGURES,
    "accounts.forms.ExternalSystemForm.division": ADMINISTRATOR_CONFIGURES,
    "webhooks.forms.SubscriptionForm.system": ADMINISTRATOR_CONFIGURES,
    **dict.fromkeys(
        (
            "clients.api.AllocationSerializer.worker",
            "clients.api.YoungPersonSerializer.intensity",
            "clients.api.YoungPersonSerializer.team",
            "diary.api.AppointmentSerializer.workers",
            "referrals.api.ReferralSerializer.young_person",
        ),
        "read only: names what the record holds, takes none",
    ),
}

OBJECT_CHOICES = (
    forms.ModelChoiceField,  # and ModelMultipleChoiceField
    django_filters.filters.QuerySetRequestMixin,  # ModelChoiceFilter, ModelMultipleChoiceFilter
    serializers.RelatedField,
    serializers.ManyRelatedField,
)
OBJECT_CHOICE_NAMES = {
    "ModelChoiceField",
    "ModelMultipleChoiceField",
    "ModelChoiceFilter",
    "ModelMultipleChoiceFilter",
    "PrimaryKeyRelatedField",
    "SlugRelatedField",
    "HyperlinkedRelatedField",
}


def _project_modules() -> list:
    base = Path(settings.BASE_DIR)
    names = []
    for config in apps.get_app_configs():
        if Path(config.path).parent != base:  # the project's apps, not the virtualenv's
            continue
        for kind in ("forms", "filters", "api"):
            if (Path(config.path) / f"{kind}.py").exists():
                names.append(f"{config.name}.{kind}")
        # An app's second forms module (records/release_forms.py).
        names += [f"{config.name}.{path.stem}" for path in Path(config.path).glob("?*_forms.py")]
    return [import_module(name) for name in sorted(names)]


def _fields_of(value: object) -> dict:
    if isinstance(value, type) and issubclass(value, forms.BaseForm):
        return value.base_fields
    if isinstance(value, type) and issubclass(value, forms.BaseFormSet):
        return value.form.base_fields
    if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
        return value.base_filters
    if isinstance(value, type) and issubclass(value, serializers.Serializer):
        return value().fields
    return {}


def _declared_choices(module: object) -> set[str]:
    """The object choices of the module's forms, filters and serializers, as the classes
    declare them (the fields a ModelForm makes of foreign keys included)."""
    found = set()
    for name, value in vars(module).items():
        defined_here = getattr(value, "__module__", None) == module.__name__
        if not (defined_here or (isinstance(value, type) and issubclass(value, forms.BaseFormSet))):
            continue
        for field_name, field in _fields_of(value).items():
            if isinstance(field, OBJECT_CHOICES):
                found.add(f"{module.__name__}.{name}.{field_name}")
    return found


def _made_in_methods(module: object) -> set[str]:
    """The object choices a method makes (`self.fields[...] = forms.ModelChoiceField(...)`)."""
    found = set()
    for cls in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(cls, ast.ClassDef):
            continue
        for function in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
            for node in ast.walk(function):
                if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                    continue
                called = node.value.func
                if getattr(called, "attr", getattr(called, "id", "")) not in OBJECT_CHOICE_NAMES:
                    continue
                key = node.targets[0].slice
                name = f"{key.values[0].value}*" if isinstance(key, ast.JoinedStr) else key.value
                found.add(f"{module.__name__}.{cls.name}.{name}")
    return found


def test_every_choice_of_an_object_is_accounted_for():
    found = set()
    for module in _project_modules():
        found |= _declared_choices(module) | _made_in_methods(module)

    assert "caseplans.forms.TaskForm.key_person" in found  # the search finds them
    assert "clients.forms.TransferForm.to_*" in found
    assert sorted(found - set(CHOICES)) == [], "a new choice of objects: add it to CHOICES"
    assert sorted(set(CHOICES) - found) == [], "CHOICES names a choice that is gone"
    tests = {name for name in globals() if name.startswith("test_")}
    assert {reason for reason in CHOICES.values() if reason.startswith("test_")} <= tests


# --- another team's object, posted to each ----------------------------------------------------


@pytest.fixture
def stranger(other_team_case_manager):
    """The other team's case manager, under a name no page would show by chance."""
    other_team_case_manager.first_name, other_team_case_manager.last_name = "Ottoline", "Quarrie"
    other_team_case_manager.save()
    assert other_team_case_manager.pk
    return other_team_case_manager


@pytest.fixture
def far_team(other_team):
    other_team.name = "Kestrel Ridge ICMS"
    other_team.save()
    return other_team


@pytest.fixture
def far_young_person(other_young_person):
    other_young_person.given_name, other_young_person.family_name = "Wren", "Abernethy"
    other_young_person.save()
    return other_young_person


def refused_naming_nothing(response, *names: str, refusal: str = "Select a valid choice") -> None:
    assert response.status_code in {200, 400}
    assert refusal in response.text
    for name in names:
        assert name not in response.text


def test_a_task_for_another_young_persons_family(client, log_in, case_manager, own_young_person):
    """A key person of another team's young person: the refusal named her."""
    plan = CasePlanFactory(young_person=own_young_person, created_by=case_manager, number=1)
    goal = GoalFactory(plan=plan)
    someone_else = YoungPersonFactory(team=TeamFactory())
    lena = KeyPersonFactory(young_person=someone_else, name="Lena Hughes")
    log_in(case_manager)

    response = client.post(
        reverse("caseplans:task-create", args=[plan.pk, goal.pk]),
        {
            f"new-{goal.pk}-description": "Take him to the housing service",
            f"new-{goal.pk}-responsible": "key_person",
            f"new-{goal.pk}-key_person": lena.pk,
            f"new-{goal.pk}-due_on": timezone.localdate().isoformat(),
            f"new-{goal.pk}-status": "not_started",
        },
    )

    refused_naming_nothing(response, "Lena", "Hughes")
    assert not goal.tasks.exists()


def test_a_task_offers_this_young_persons_family_only(
    case_manager, own_young_person, far_young_person
):
    plan = CasePlanFactory(young_person=own_young_person, created_by=case_manager, number=1)
    goal = GoalFactory(plan=plan)
    nan = KeyPersonFactory(young_person=own_young_person, name="Nan Own")
    lena = KeyPersonFactory(young_person=far_young_person, name="Lena Hughes")
    data = {
        "description": "Take him to the housing service",
        "responsible": "key_person",
        "due_on": timezone.localdate().isoformat(),
        "status": "not_started",
    }

    def form(key_person):
        return TaskForm(
            data | {"key_person": key_person.pk},
            user=case_manager,
            key_people=[nan],
            instance=Task(goal=goal),
        )

    offered = form(nan)
    assert [label for value, label in offered.fields["key_person"].choices] == ["—", "Nan Own"]
    assert offered.is_valid()
    refused = form(lena)
    assert not refused.is_valid()
    assert "Select a valid choice" in str(refused.errors["key_person"])


def test_a_contact_made_with_a_worker_of_another_team(
    client, log_in, case_manager, team, own_young_person, stranger
):
    UserFactory(role=Role.CASE_MANAGER, team=team)  # so that the form asks who went too
    log_in(case_manager)

    response = client.post(
        reverse("clients:contact-create", args=[own_young_person.pk]),
        {
            "client_reference": "3f1c8a5e-0000-4000-8000-000000000001",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "mode": "phone",
            "kind": "outreach",
            "reached_young_person": "on",
            "notes": "Rang about school.",
            "co_workers": [stranger.pk],
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert not Contact.objects.exists()


def test_a_restricted_note_for_a_stranger(
    client, log_in, case_manager, team, own_young_person, stranger
):
    UserFactory(role=Role.CASE_MANAGER, team=team)  # so that the form offers readers
    log_in(case_manager)

    response = client.post(
        reverse("clients:contact-create", args=[own_young_person.pk]),
        {
            "client_reference": "3f1c8a5e-0000-4000-8000-000000000002",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "mode": "phone",
            "kind": "outreach",
            "reached_young_person": "on",
            "notes": "Talked about the clinic.",
            "restricted_because": "health",
            "restricted_readers": [stranger.pk],
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert not Contact.objects.exists()


def test_a_document_readable_by_a_stranger(
    client, log_in, case_manager, own_young_person, stranger
):
    log_in(case_manager)

    response = client.post(
        reverse("documents:create", args=[own_young_person.pk]),
        {
            "kind": "report",
            "title": "Clinic letter",
            "dated": timezone.localdate().isoformat(),
            "provided_by": "Clinic",
            "restricted_because": "health",
            "restricted_readers": [stranger.pk],
            "file": SimpleUploadedFile("letter.pdf", PDF_BYTES),
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert not Document.objects.exists()


def test_a_contact_edited_to_name_a_stranger(
    client, log_in, case_manager, team, own_young_person, stranger
):
    UserFactory(role=Role.CASE_MANAGER, team=team)
    contact = ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    log_in(case_manager)

    response = edit_contact(client, contact, co_workers=[stranger.pk])

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert list(contact.workers.all()) == [case_manager]


def test_allocating_a_worker_of_another_team(
    client, log_in, supervisor, own_young_person, stranger
):
    log_in(supervisor)
    before = Allocation.objects.count()

    response = client.post(
        reverse("clients:allocation", args=[own_young_person.pk]),
        {"worker": stranger.pk, "role": "care_team", "on": timezone.localdate().isoformat()},
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert Allocation.objects.count() == before


def test_a_shift_handed_to_a_worker_of_another_team(client, log_in, case_manager, stranger):
    shift = OnCallShiftFactory(worker=case_manager)
    log_in(case_manager)

    response = client.post(
        reverse("oncall:swap", args=[shift.pk]), {"to_worker": stranger.pk, "reason": "Ill"}
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    shift.refresh_from_db()
    assert shift.worker == case_manager


def test_a_transfer_from_a_worker_of_another_team(client, log_in, supervisor, stranger):
    log_in(supervisor)

    response = client.get(reverse("clients:transfer"), {"worker": stranger.pk})

    refused_naming_nothing(response, "Ottoline", "Quarrie")


def test_a_transfer_to_a_worker_of_another_team(
    client, log_in, supervisor, case_manager, own_young_person, stranger
):
    log_in(supervisor)
    url = f"{reverse('clients:transfer')}?worker={case_manager.pk}"

    response = client.post(
        url,
        {
            "on": timezone.localdate().isoformat(),
            "note": "Leaving",
            "everyone_to": stranger.pk,
            f"to_{own_young_person.pk}": stranger.pk,
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    own_young_person.refresh_from_db()
    assert own_young_person.primary_case_manager == case_manager


def test_the_caseload_filtered_by_another_teams_worker(
    client, log_in, supervisor, own_young_person, far_young_person, stranger
):
    log_in(supervisor)

    response = client.get(reverse("clients:caseload"), {"worker": stranger.pk})

    refused_naming_nothing(response, "Ottoline", "Quarrie", "Wren", "Abernethy")
    assert list(response.context["young_people"]) == []


def test_a_referral_to_a_team_of_another_division(client, log_in, practitioner, far_team):
    log_in(practitioner)

    response = client.post(
        reverse("referrals:create"),
        {"client_reference": "3f1c8a5e-0000-4000-8000-000000000002", "team": far_team.pk},
    )

    refused_naming_nothing(response, "Kestrel")
    assert not Referral.objects.exists()


def test_an_api_referral_to_a_team_of_another_division(client, practitioner, far_team):
    token = api_token_for(practitioner)

    response = client.post(
        "/api/referrals/",
        {"team": far_team.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    refused_naming_nothing(response, "Kestrel", refusal="object does not exist")
    assert not Referral.objects.exists()


def test_accepting_for_a_worker_of_another_team(client, log_in, supervisor, team, stranger):
    referral = ReferralFactory(team=team, status="considering")
    log_in(supervisor)

    response = client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {
            "case_manager": stranger.pk,
            "intensity": IntensityLevel.objects.first().pk,
            "agreed_on": timezone.localdate().isoformat(),
            "parties": "Tyler and Casey",
            "terms": "We meet weekly.",
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert not CaseManagementAgreement.objects.exists()


def test_reopening_for_a_worker_of_another_team(client, log_in, supervisor, team, stranger):
    left = ClosureFactory(young_person__team=team).young_person
    log_in(supervisor)

    response = client.post(
        reverse("exits:reopen", args=[left.pk]),
        {
            "referred_by": "young_person",
            "why": "Lost her flat.",
            "case_manager": stranger.pk,
            "intensity": IntensityLevel.objects.first().pk,
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    left.refresh_from_db()
    assert left.status == "closed"


def test_a_consultation_for_another_team(client, log_in, case_manager, far_team):
    log_in(case_manager)

    response = client.post(
        reverse("referrals:consultation-create"),
        {
            "team": far_team.pk,
            "asked_by": "Ms Park",
            "organisation": "Northside Secondary College",
            "asked_on": timezone.localdate().isoformat(),
            "question": "A student keeps running away.",
            "advice": "Talk with child protection.",
        },
    )

    refused_naming_nothing(response, "Kestrel")
    assert not Consultation.objects.exists()


def test_listing_a_young_person_of_another_division(
    client, log_in, register_coordinator, far_young_person
):
    log_in(register_coordinator)

    response = client.post(
        reverse("register:create"),
        {"young_person": far_young_person.pk, "listed_on": timezone.localdate().isoformat()},
    )

    refused_naming_nothing(response, "Wren", "Abernethy")
    assert not RegisterEntry.objects.exists()


def test_the_register_filtered_by_another_division(
    client, log_in, register_coordinator, own_young_person, far_young_person, west
):
    west.name = "Far Westmarch"
    west.save()
    log_in(register_coordinator)

    page = client.get(reverse("register:list"))
    response = client.get(reverse("register:list"), {"division": west.pk})

    assert "Far Westmarch" not in page.text  # not offered
    refused_naming_nothing(response, "Far Westmarch", "Wren", "Abernethy")


def test_a_visit_to_another_teams_young_person(client, log_in, case_manager, far_young_person):
    log_in(case_manager)
    now = timezone.localtime()

    response = client.post(
        reverse("visits:create"),
        {
            "young_person": far_young_person.pk,
            "place": "12 Station St",
            "purpose": "Home visit",
            "leaves_at": now.strftime("%Y-%m-%dT%H:%M"),
            "back_by": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    refused_naming_nothing(
        response, "Wren", "Abernethy", refusal="Choose one of the young people you work with."
    )
    assert not VisitPlan.objects.exists()


def _appointment_forms(case_manager, young_person) -> list[str]:
    """The booking form, and the change form of an appointment already booked."""
    booked = AppointmentFactory(young_person=young_person, booked_by=case_manager)
    return [
        reverse("diary:create", args=[young_person.pk]),
        reverse("diary:edit", args=[booked.pk]),
    ]


def _appointment(case_manager, **fields) -> dict:
    start = timezone.localtime() + timedelta(days=3)
    return {
        "what": "Home visit",
        "kind": "home_visit",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "workers": [case_manager.pk],
        "version": "1",
        "despite_clashes": "on",
        **fields,
    }


def test_an_appointment_with_a_worker_of_another_team(
    client, log_in, case_manager, own_young_person, stranger
):
    log_in(case_manager)

    for url in _appointment_forms(case_manager, own_young_person):
        response = client.post(url, _appointment(case_manager, workers=[stranger.pk]))

        refused_naming_nothing(
            response, "Ottoline", "Quarrie", refusal="Choose from the young person&#x27;s team."
        )
    assert list(Appointment.objects.values_list("workers", flat=True)) == [case_manager.pk]


def test_an_appointment_with_another_young_persons_people(
    client, log_in, case_manager, own_young_person, far_young_person
):
    KeyPersonFactory(young_person=own_young_person)
    ProfessionalFactory(young_person=own_young_person)
    lena = KeyPersonFactory(young_person=far_young_person, name="Lena Hughes")
    doctor = ProfessionalFactory(young_person=far_young_person, name="Dr Imogen Falstaff")
    log_in(case_manager)

    for url in _appointment_forms(case_manager, own_young_person):
        for fields in ({"key_people": [lena.pk]}, {"professionals": [doctor.pk]}):
            response = client.post(url, _appointment(case_manager, **fields))

            refused_naming_nothing(response, "Lena Hughes", "Falstaff", "Wren", "Abernethy")
    assert Appointment.objects.count() == 1
    assert not Appointment.objects.filter(key_people__isnull=False).exists()
    assert not Appointment.objects.filter(professionals__isnull=False).exists()


def test_sessions_filtered_by_another_teams_worker(client, log_in, supervisor, stranger):
    log_in(supervisor)

    response = client.get(reverse("supervision:sessions"), {"worker": stranger.pk})

    refused_naming_nothing(response, "Ottoline", "Quarrie")


def test_a_session_about_another_teams_young_person(
    client, log_in, supervisor, case_manager, own_young_person, far_young_person
):
    log_in(supervisor)

    response = client.post(
        f"{reverse('supervision:session-create')}?worker={case_manager.pk}",
        {
            "held_on": timezone.localdate().isoformat(),
            "young_people": [own_young_person.pk, far_young_person.pk],
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "1000",
        },
    )

    refused_naming_nothing(
        response,
        "Wren",
        "Abernethy",
        refusal="Only young people of the worker&#x27;s caseload can be discussed here.",
    )
    assert not SupervisionSession.objects.exists()


def test_cover_by_a_worker_of_another_division(client, log_in, supervisor, case_manager, stranger):
    log_in(supervisor)

    response = client.post(
        reverse("accounts:cover"),
        {
            "whose": f"worker-{case_manager.pk}",
            "covered_by": stranger.pk,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": timezone.localdate().isoformat(),
            "reason": "Annual leave",
        },
    )

    refused_naming_nothing(response, "Ottoline", "Quarrie")
    assert not Cover.objects.exists()


# --- what services say when they refuse an object ---------------------------------------------
# Each service is called as a view would be if its form let another team's object through.


def _task_for_lena(world):
    plan = CasePlanFactory(young_person=world["own_young_person"], number=1)
    lena = KeyPersonFactory(young_person=world["far_young_person"], name="Lena Hughes")
    caseplans_services.add_task(
        GoalFactory(plan=plan), by=world["case_manager"], description="Visit",
        responsible="key_person", key_person=lena, due_on=timezone.localdate(),
    )  # fmt: skip


def _contact_with_a_stranger(world):
    clients_services.record_contact(
        world["own_young_person"], by=world["case_manager"], client_reference=uuid.uuid4(),
        co_workers=[world["stranger"]], started_at=timezone.now(), duration_minutes=30,
        mode="phone", kind="outreach", reached_young_person=True, notes="Rang.",
    )  # fmt: skip


def _allocating_a_stranger(world):
    clients_services.add_to_care_team(
        world["own_young_person"], worker=world["stranger"], by=world["supervisor"]
    )


def _referral_to_a_far_team(world):
    referrals_services.save_referral_draft(None, by=world["practitioner"], team=world["far_team"])


def _accepting_an_open_case_of_another_team(world):
    far = world["far_young_person"]
    far.child_protection_number, far.status = "CP-777001", "active"
    # On the referral's division's register, so that acceptance gets as far as the record.
    far.division = world["register_coordinator"].division
    far.save()
    register_services.list_young_person(
        far, by=world["register_coordinator"], listed_on=timezone.localdate(), risk_factors=[]
    )
    referral = ReferralFactory(
        team=world["team"], status="considering", child_protection_number="CP-777001",
        register_listed=True, register_listed_on=timezone.localdate(),
    )  # fmt: skip
    referrals_services.accept_referral(
        referral, by=world["supervisor"], case_manager=world["case_manager"],
        intensity=IntensityLevel.objects.first(), agreed_on=timezone.localdate(),
        parties="Us", terms="Weekly.",
    )  # fmt: skip


def _listing_someone_on_another_register(world):
    far = world["far_young_person"]
    west_coordinator = UserFactory(role=Role.REGISTER_COORDINATOR, division=far.division)
    register_services.list_young_person(
        far, by=west_coordinator, listed_on=timezone.localdate(), risk_factors=[]
    )
    far.division = world["register_coordinator"].division
    far.save()
    register_services.list_young_person(
        far, by=world["register_coordinator"], listed_on=timezone.localdate(), risk_factors=[]
    )


def _session_about_a_stranger(world):
    hold_session(
        supervisor=world["supervisor"], worker=world["case_manager"],
        held_on=timezone.localdate(), figures={}, actions=[], done=[],
        young_people=[world["own_young_person"], world["far_young_person"]],
    )  # fmt: skip


def _merging_another_teams_record(world):
    clients_services.merge_young_people(
        world["own_young_person"], world["far_young_person"], by=world["supervisor"],
        reason="The same young person.",
    )  # fmt: skip


@pytest.mark.parametrize(
    "refused",
    [
        _task_for_lena,
        _contact_with_a_stranger,
        _allocating_a_stranger,
        _referral_to_a_far_team,
        _accepting_an_open_case_of_another_team,
        _listing_someone_on_another_register,
        _session_about_a_stranger,
        _merging_another_teams_record,
    ],
)
def test_a_service_refusing_another_teams_object_names_nothing_of_it(request, refused, west):
    west.name = "Far Westmarch"
    west.save()
    names = [
        "own_young_person", "far_young_person", "stranger", "far_team", "case_manager",
        "supervisor", "practitioner", "register_coordinator", "team",
    ]  # fmt: skip
    world = {name: request.getfixturevalue(name) for name in names}

    with pytest.raises(ValidationError) as refusal:
        refused(world)

    said = " ".join(refusal.value.messages)
    assert said
    for name in ("Lena", "Hughes", "Ottoline", "Quarrie", "Kestrel", "Wren", "Abernethy", "West"):
        assert name not in said
