"""factory_boy factories: each makes a valid, minimal object and nothing hidden."""

import secrets
import time
from datetime import date, timedelta
from importlib import import_module

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import ApiToken, Cover, Discipline, Division, ExternalSystem, Role, Team, User
from caseplans.models import CasePlan, CrisisPlan, Goal, Task
from clients.models import (
    Allocation,
    BreakGlassAccess,
    ChildProtectionDecision,
    Contact,
    ContactWorker,
    Disclosure,
    IntensityLevel,
    KeyPerson,
    ProfessionalContact,
    WorkerSafetyAlert,
    YoungPerson,
)
from crises.models import CrisisEvent
from diary.models import Appointment
from documents.models import Document, DocumentVersion
from exits.models import Closure, Destination, ExitReason, FollowUp
from notifications.models import Notification
from oncall.models import AfterHoursAlert, OnCallShift
from outcomes.models import Instrument, Review
from referrals.models import CaseManagementAgreement, Referral, ReferralAttachment
from supervision.models import SupervisionAction, SupervisionSession
from visits.models import VisitPlan

PASSWORD = "correct-horse-battery"


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    name = factory.Sequence(lambda n: f"Division {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"ICMS team {n}")
    division = factory.SubFactory(DivisionFactory)


def _put_in_role(user: User, create: bool, role: Role | None) -> None:
    if create and role:
        user.groups.add(Group.objects.get(name=role))


class UserFactory(factory.django.DjangoModelFactory):
    """A user with no role; pass `role=Role.X` to put them in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@icms.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, role: Role | None, **kwargs: object) -> None:
        _put_in_role(self, create, role)


class CaseManagerFactory(UserFactory):
    discipline = Discipline.INTENSIVE_CASE_MANAGER
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def role(self, create: bool, role: Role | None, **kwargs: object) -> None:
        _put_in_role(self, create, role or Role.CASE_MANAGER)


class IntensityLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntensityLevel
        django_get_or_create = ("name",)

    name = "Medium"
    caseload_weight = 1
    contact_threshold_days = 4
    expected_contacts_per_fortnight = 3


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(2010, 5, 17)
    team = factory.SubFactory(TeamFactory)
    division = factory.SelfAttribute("team.division")
    status = YoungPerson.Status.ACTIVE
    intensity = factory.SubFactory(IntensityLevelFactory)
    # Opened before whatever a test then does with the record (its timeline starts there).
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=90))


class CareTeamFactory(factory.django.DjangoModelFactory):
    """A current care-team allocation."""

    class Meta:
        model = Allocation

    young_person = factory.SubFactory(YoungPersonFactory)
    worker = factory.SubFactory(CaseManagerFactory)
    role = Allocation.Role.CARE_TEAM


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact that reached the young person, recorded by `recorded_by` (who made it)."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    young_person = factory.SubFactory(YoungPersonFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    duration_minutes = 45
    mode = Contact.Mode.FACE_TO_FACE
    location = Contact.Location.COMMUNITY
    kind = Contact.Kind.OUTREACH
    notes = "Met at the youth centre; talked about school."
    after_hours = False
    recorded_by = factory.SubFactory(CaseManagerFactory)
    recorded_at = factory.LazyAttribute(lambda contact: contact.started_at + timedelta(hours=1))

    @factory.post_generation
    def made_by_recorder(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            ContactWorker.objects.create(contact=self, worker=self.recorded_by)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    key = factory.LazyFunction(lambda: secrets.token_hex(20))
    confirmed = True


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now; if that one was used already (a code
    works once), the next one, after waiting for it as the user would."""
    if device.pk:
        device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.2)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


class WorkerSafetyAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerSafetyAlert

    young_person = factory.SubFactory(YoungPersonFactory)
    kind = WorkerSafetyAlert.Kind.VISIT_IN_PAIRS
    details = "Older brother hostile to workers."
    created_by = factory.SubFactory(UserFactory)


class CrisisPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrisisPlan

    young_person = factory.SubFactory(YoungPersonFactory)
    warning_signs = "Stops answering texts."
    after_hours_steps = "Call the on-call worker."


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    young_person = factory.SubFactory(YoungPersonFactory)
    disclosed_on = date(2026, 1, 15)
    information = "School attendance record"
    recipient_organisation = "Northside Secondary College"
    authority = Disclosure.Authority.CONSENT_YOUNG_PERSON
    authority_detail = "Verbal consent on 14 January"
    disclosed_by = factory.SubFactory(UserFactory)


class BreakGlassAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakGlassAccess

    worker = factory.SubFactory(CaseManagerFactory)
    young_person = factory.SubFactory(YoungPersonFactory)
    reason = "Police called about a missing young person at 11 pm."
    granted_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda access: access.granted_at + timedelta(hours=4))


class KeyPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyPerson

    young_person = factory.SubFactory(YoungPersonFactory)
    name = factory.Faker("name")
    relationship = KeyPerson.Relationship.GRANDPARENT


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfessionalContact

    young_person = factory.SubFactory(YoungPersonFactory)
    role = ProfessionalContact.Role.GP
    name = factory.Faker("name")
    organisation = "Northside Medical Centre"


class ChildProtectionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildProtectionDecision

    young_person = factory.SubFactory(YoungPersonFactory)
    subject = ChildProtectionDecision.Subject.PLACEMENT
    before = "Residential care"
    after = "Kinship care: with her grandmother"
    decided_on = date(2026, 3, 2)
    recorded_by = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A complete referral, submitted; `status="draft"` for a draft."""

    class Meta:
        model = Referral

    referred_by = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)
    team = factory.SubFactory(TeamFactory)
    division = factory.SelfAttribute("team.division")
    status = Referral.Status.SUBMITTED
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(2010, 3, 14)
    child_protection_number = factory.Sequence(lambda n: f"CP-9{n:05d}")
    presenting_issues = factory.LazyFunction(lambda: {"housing": "Couch surfing since June."})
    risks = factory.LazyFunction(lambda: ["absconding"])
    tried_before = "Weekly visits by the child protection practitioner; not engaging."
    register_listed = True
    register_listed_on = date(2026, 10, 1)
    consent = Referral.Consent.CONSENTS
    submitted_at = factory.LazyAttribute(
        lambda referral: None if referral.status == "draft" else timezone.now()
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseManagementAgreement

    referral = factory.SubFactory(ReferralFactory, status=Referral.Status.ACCEPTED)
    young_person = factory.SubFactory(YoungPersonFactory)
    agreed_on = date(2026, 11, 2)
    parties = "The young person\nThe case manager"
    terms = "We agree to work together."
    recorded_by = factory.SubFactory(UserFactory)


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class ReferralAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralAttachment

    referral = factory.SubFactory(ReferralFactory)
    file = factory.django.FileField(filename="report.pdf", data=PDF_BYTES)
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SelfAttribute("referral.referred_by")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    message = "Something happened."
    url = "/"


class CasePlanFactory(factory.django.DjangoModelFactory):
    """A draft plan, started today, to be reviewed in twelve weeks."""

    class Meta:
        model = CasePlan

    young_person = factory.SubFactory(YoungPersonFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyFunction(timezone.localdate)
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(weeks=12))
    created_by = factory.SubFactory(UserFactory)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(CasePlanFactory)
    domain = "housing"
    in_own_words = "I want my own place, near my nan."
    strengths = "Keeps in touch with nan every week."


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    goal = factory.SubFactory(GoalFactory)
    description = "Fill in the youth housing application together."
    responsible = Task.Responsible.CASE_MANAGER
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class VisitPlanFactory(factory.django.DjangoModelFactory):
    """An open lone visit: left now, expected back in an hour."""

    class Meta:
        model = VisitPlan

    worker = factory.SubFactory(CaseManagerFactory)
    place = "12 Station St, Preston"
    leaves_at = factory.LazyFunction(timezone.now)
    back_by = factory.LazyAttribute(lambda plan: plan.leaves_at + timedelta(hours=1))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A home visit tomorrow morning, booked by `booked_by`, who goes to it."""

    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    young_person = factory.SubFactory(YoungPersonFactory)
    what = "Home visit"
    kind = Appointment.Kind.HOME_VISIT
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    duration_minutes = 60
    place = "12 Station St, Preston"
    booked_by = factory.SubFactory(CaseManagerFactory)

    @factory.post_generation
    def workers(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.workers.set(extracted if extracted is not None else [self.booked_by])

    @factory.post_generation
    def key_people(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.key_people.set(extracted)


class CrisisEventFactory(factory.django.DjangoModelFactory):
    """An after-hours crisis of last night, recorded an hour later by `recorded_by`."""

    class Meta:
        model = CrisisEvent

    young_person = factory.SubFactory(YoungPersonFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=10))
    caller = "Residential carer (Sam)"
    caller_relationship = CrisisEvent.Caller.RESIDENTIAL
    what_happened = "Left the unit at 10 pm after an argument; not answering the phone."
    actions = factory.LazyFunction(lambda: [CrisisEvent.Action.AFTER_HOURS_SERVICE])
    outcome = "Came back at midnight with a friend; slept at the unit."
    safe_at_end = CrisisEvent.Safe.YES
    after_hours = True
    recorded_by = factory.SubFactory(CaseManagerFactory)
    recorded_at = factory.LazyAttribute(lambda crisis: crisis.occurred_at + timedelta(hours=1))


class SupervisionSessionFactory(factory.django.DjangoModelFactory):
    """A session held a week ago, with no young person discussed and no action."""

    class Meta:
        model = SupervisionSession

    supervisor = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)
    worker = factory.SubFactory(CaseManagerFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    debriefing = "Talked through the week; the Friday night call-out was hard."
    recorded_by = factory.SelfAttribute("supervisor")


class SupervisionActionFactory(factory.django.DjangoModelFactory):
    """An open action for the worker."""

    class Meta:
        model = SupervisionAction

    session = factory.SubFactory(SupervisionSessionFactory)
    description = "Book the mandatory de-escalation training."


class CoverFactory(factory.django.DjangoModelFactory):
    """A colleague covering a worker's caseload this week; pass `team=` and `worker=None` for a
    team."""

    class Meta:
        model = Cover

    worker = factory.SubFactory(CaseManagerFactory)
    covered_by = factory.SubFactory(CaseManagerFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda cover: cover.starts_on + timedelta(days=6))
    reason = "Annual leave"
    arranged_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)


def listed_by_coordinator(referral: Referral, coordinator: User, **listing: object):
    """The register coordinator confirms the listing a submitted referral reports, as ICMS asks
    them to (register.services): the young person's record is made if ICMS has none."""
    from register.models import ListingRequest
    from register.services import confirm_listing, request_listing

    request = ListingRequest.objects.filter(referral=referral).first() or request_listing(
        division=referral.division, by=referral.referred_by, referral=referral
    )
    return confirm_listing(
        request,
        by=coordinator,
        **{
            "listed_on": referral.register_listed_on,
            "risk_factors": referral.risks,
            "risk_details": referral.risk_details,
        }
        | listing,
    )


class OnCallShiftFactory(factory.django.DjangoModelFactory):
    """An evening-and-night shift of `worker`'s team under way now (from an hour ago for a
    day); pass `starts_at`/`ends_at` for another."""

    class Meta:
        model = OnCallShift

    worker = factory.SubFactory(CaseManagerFactory)
    team = factory.LazyAttribute(lambda shift: shift.worker.team)
    kind = "night"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + timedelta(hours=16))
    set_by = factory.LazyAttribute(lambda shift: shift.team.supervisor or shift.worker)


class AfterHoursAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AfterHoursAlert
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    key = factory.Sequence(lambda number: f"alert-{number}")
    message = "Casey has not checked in: expected back by 22:00."
    url = "/on-call/"

    @factory.post_generation
    def told(alert, create, people, **kwargs):
        if create and people:
            alert.told.add(*people)


def shipped_data() -> None:
    """What the migrations ship besides the schema, made again where a transactional test
    flushed it: the intensity levels, ICMS's outcome review and its intervals, the exit lead
    times and after-care points, the retention rule. Each part makes only what is missing."""
    import_module("clients.migrations.0002_default_intensity_levels").add_default_levels(
        django_apps, None
    )
    review = import_module("outcomes.migrations.0002_icms_review")
    review.add_icms_review(django_apps, None)
    review.add_intervals(django_apps, None)
    import_module("exits.migrations.0001_exits").usual_schedule(django_apps, None)
    import_module("records.migrations.0001_records").the_rule(django_apps, None)


def icms_review() -> Instrument:
    review = import_module("outcomes.migrations.0002_icms_review")
    review.add_icms_review(django_apps, None)
    return Instrument.objects.get(name=review.NAME, version=review.VERSION)


class OutcomeReviewFactory(factory.django.DjangoModelFactory):
    """A review on ICMS's own instrument, without ratings. Its migration makes the instrument;
    made again here after a transactional test flushed it."""

    class Meta:
        model = Review

    young_person = factory.SubFactory(YoungPersonFactory)
    instrument = factory.LazyFunction(icms_review)
    occasion = Review.Occasion.INTAKE
    reviewed_on = factory.LazyFunction(timezone.localdate)
    engagement = Review.Engagement.NONE
    reviewed_by = factory.SubFactory(UserFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A report from another service on the young person's file, added by `added_by`, with its
    first version (a PDF)."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    young_person = factory.SubFactory(YoungPersonFactory)
    kind = Document.Kind.REPORT
    title = "School attendance report"
    dated = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    provided_by = "Northside Secondary College (Ms Park)"
    added_by = factory.SubFactory(CaseManagerFactory)
    first_version = factory.RelatedFactory(
        "tests.factories.DocumentVersionFactory", factory_related_name="document"
    )


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentVersion

    document = factory.SubFactory(DocumentFactory, first_version=None)
    number = 1
    file = factory.django.FileField(filename="report.pdf", data=PDF_BYTES)
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SelfAttribute("document.added_by")


# --- Releases of a young person's file (records.release) ---------------------------------------

ZIP_BYTES = b"PK\x05\x06" + b"\x00" * 18  # an empty zip


class FileReleaseFactory(factory.django.DjangoModelFactory):
    """A copy of the young person's file released to a care leaver, with its PDF and zip."""

    class Meta:
        model = "records.FileRelease"

    young_person = factory.SubFactory(YoungPersonFactory)
    purpose = "care_leaver"
    requested_by = "The young person"
    released_to = "The young person, by hand"
    reason = "Asked for their file on leaving care."
    contents = factory.LazyFunction(lambda: {"contacts": 0, "documents in the zip": 0})
    pdf = factory.django.FileField(filename="copy.pdf", data=PDF_BYTES)
    documents_zip = factory.django.FileField(filename="copy.zip", data=ZIP_BYTES)
    released_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)


class ClosureFactory(factory.django.DjangoModelFactory):
    """An episode of three months closed today, as a row only: the record's status is the
    factory's (closed). exits.services.close_episode closes an episode as a supervisor does."""

    class Meta:
        model = Closure

    young_person = factory.SubFactory(YoungPersonFactory, status=YoungPerson.Status.CLOSED)
    closed_on = factory.LazyFunction(timezone.localdate)
    began_on = factory.LazyAttribute(lambda closure: closure.closed_on - timedelta(days=90))
    closed_by = factory.SubFactory(UserFactory)
    reason = ExitReason.GOALS_ACHIEVED
    destination = Destination.KINSHIP


class FollowUpFactory(factory.django.DjangoModelFactory):
    """An after-care follow-up, not yet made, due a month after its closure."""

    class Meta:
        model = FollowUp

    closure = factory.SubFactory(ClosureFactory)
    young_person = factory.SelfAttribute("closure.young_person")
    months = 1
    due_on = factory.LazyAttribute(
        lambda follow_up: follow_up.closure.closed_on + timedelta(days=30)
    )
    worker = factory.SubFactory(CaseManagerFactory)


# --- records: legal holds and disposal stubs ---------------------------------------------------


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "records.LegalHold"

    young_person = factory.SubFactory(YoungPersonFactory)
    reason = "Subpoena: the Children's Court asks for the file (case 2026/1187)."
    placed_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)


class DisposalFactory(factory.django.DjangoModelFactory):
    """The stub of a file disposed of (the file itself is not made)."""

    class Meta:
        model = "records.Disposal"

    young_person_number = factory.Sequence(lambda number: 900000 + number)
    name = "Kyle Former"
    date_of_birth = date(1999, 3, 4)
    team_name = "ICMS North"
    episodes = 1
    last_closed_on = date(2017, 6, 30)
    retention_due_on = date(2024, 6, 30)
    rule = "7 years after closing, and until aged 25"
    contents = factory.LazyFunction(lambda: {"contacts": 40, "young people": 1})
    approved_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)


def api_token_for(account: User) -> str:
    """A working API token for `account`, as the administrator issues one to the external system
    acting through it (accounts.services.issue_token): the secret."""
    system, _ = ExternalSystem.objects.get_or_create(
        account=account, defaults={"name": f"System of {account.username}", "created_by": account}
    )
    knox_token, secret = AuthToken.objects.create(account, expiry=timedelta(days=30))
    ApiToken.objects.create(
        system=system,
        name="Tests",
        knox_token=knox_token,
        prefix=secret[:8],
        expires_at=knox_token.expiry,
        created_by=account,
    )
    return secret
