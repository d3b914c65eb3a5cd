import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from clients.models import Allocation, IntensityLevel, YoungPerson
from notifications.models import Notification
from referrals.models import (
    CaseManagementAgreement,
    Consultation,
    Referral,
    ReferralAttachment,
    ReferralMove,
)
from referrals.services import accept_referral, decline_referral, waitlist_referral
from register.services import request_listing
from tests.factories import PDF_BYTES, ReferralFactory, YoungPersonFactory, listed_by_coordinator

pytestmark = pytest.mark.django_db

CREATE = reverse("referrals:create")


def referral_form(team, **changes) -> dict:
    return (
        {
            "client_reference": str(uuid.uuid4()),
            "team": team.pk,
            "urgency": "priority",
            "given_name": "Tyler",
            "family_name": "Jones",
            "date_of_birth": "2010-06-01",
            "gender": "male",
            "indigenous_status": "neither",
            "child_protection_number": "CP-400100",
            "legal_order": "cbso",
            "placement": "residential",
            "permanency_objective": "long_term",
            "issue_housing": "Absconds from the unit most nights.",
            "issue_mental_health": "Self-harm after contact with father.",
            "risks": ["self_harm", "absconding"],
            "risk_details": "",
            "tried_before": "Monthly CP visits and a youth worker; he does not engage.",
            "register_listed": "on",
            "register_listed_on": "2026-10-20",
            "consent": "consents",
            "consent_notes": "",
            "action": "submit",
        }
        | rows("family")
        | rows("network")
        | changes
    )


def rows(prefix: str, *people: dict) -> dict:
    """A formset of the referral form (family, network) as the browser sends it."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(people) + 1), f"{prefix}-INITIAL_FORMS": "0"}
    for index, person in enumerate(people):
        data |= {f"{prefix}-{index}-{name}": value for name, value in person.items()}
    return data


@pytest.fixture
def practitioner_client(client, log_in, practitioner):
    log_in(practitioner)
    return client


def test_a_practitioner_submits_a_referral_and_the_supervisor_is_told(
    practitioner_client, practitioner, team, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = practitioner_client.post(CREATE, referral_form(team), follow=True)

    referral = Referral.objects.get()
    assert referral.status == "submitted"
    assert referral.presenting_issues == {
        "housing": "Absconds from the unit most nights.",
        "mental_health": "Self-harm after contact with father.",
    }
    assert "is submitted to ICMS North" in response.text
    assert Notification.objects.get(recipient=supervisor).message == (
        f"New priority (within a week) referral from {practitioner}: Tyler Jones."
    )
    assert len(mail.outbox) == 1
    assert "Tyler" not in mail.outbox[0].body  # e-mail names no young person
    assert mail.outbox[0].to == [supervisor.email]


def test_a_draft_is_saved_incomplete_and_submitting_it_names_each_missing_part(
    practitioner_client, team
):
    data = referral_form(
        team, action="save", given_name="", date_of_birth="", tried_before="", risks=[],
        issue_housing="", issue_mental_health="", consent="",
    )  # fmt: skip
    practitioner_client.post(CREATE, data)
    referral = Referral.objects.get()
    assert referral.status == "draft"

    response = practitioner_client.post(
        reverse("referrals:edit", args=[referral.pk]), data | {"action": "submit"}
    )

    errors = response.context["form"].non_field_errors()
    for part in [
        "the young person's given and family names",
        "their date of birth",
        "the presenting issues in at least one life domain",
        "the risks",
        "what has been tried, and why a less assertive approach has not worked",
        "whether the young person knows about and agrees to the referral",
    ]:
        assert f"Missing: {part}." in errors
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_a_double_tap_on_submit_submits_once(practitioner_client, team):
    practitioner_client.post(CREATE, referral_form(team, action="save"))
    referral = Referral.objects.get()
    url = reverse("referrals:submit", args=[referral.pk])

    practitioner_client.post(url)
    second = practitioner_client.post(url, follow=True)

    assert "This referral was already submitted" in second.text
    assert ReferralMove.objects.filter(referral=referral, to_status="submitted").count() == 1


def test_saving_the_same_form_twice_makes_one_referral(practitioner_client, team):
    data = referral_form(team, action="save")

    practitioner_client.post(CREATE, data)
    practitioner_client.post(CREATE, data)

    assert Referral.objects.count() == 1


def test_a_team_of_another_division_cannot_be_chosen(practitioner_client, other_team):
    response = practitioner_client.post(CREATE, referral_form(other_team))

    assert "Select a valid choice" in response.text
    assert not Referral.objects.exists()


def test_the_queue_puts_urgent_and_long_waiting_referrals_first(client, log_in, supervisor, team):
    routine = ReferralFactory(team=team, urgency="routine", given_name="Routine")
    urgent = ReferralFactory(team=team, urgency="urgent", given_name="Urgent")
    ReferralFactory(team=team, status="draft", given_name="Drafted")
    log_in(supervisor)

    response = client.get(reverse("referrals:queue"))

    assert list(response.context["waiting"]) == [urgent, routine]
    assert "Drafted" not in response.text


@pytest.fixture
def unlisted(team, supervisor):
    """Under consideration; the register coordinator has not confirmed the listing it reports."""
    referral = ReferralFactory(team=team, status="considering")
    request_listing(division=referral.division, by=referral.referred_by, referral=referral)
    return referral


@pytest.fixture
def considering(unlisted, register_coordinator):
    """Under consideration, the young person listed by the division's register coordinator."""
    listed_by_coordinator(unlisted, register_coordinator)
    return unlisted


def accept(client, referral, case_manager, **choices):
    """The supervisor's accept form, with `choices` (take_<fact>) where the record differs."""
    return client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {
            "case_manager": case_manager.pk,
            "intensity": IntensityLevel.objects.get(name="High").pk,
            "agreed_on": "2026-11-20",
            "parties": "Tyler Jones\nCasey, case manager",
            "terms": "We agree to meet weekly.",
        }
        | choices,
        follow=True,
    )


def test_accepting_opens_the_record_allocates_and_records_the_agreement(
    client, log_in, supervisor, case_manager, considering
):
    log_in(supervisor)

    response = accept(client, considering, case_manager)

    considering.refresh_from_db()
    young_person = considering.young_person
    assert considering.status == "accepted"
    assert (young_person.status, young_person.team, young_person.primary_case_manager) == (
        "active",
        considering.team,
        case_manager,
    )
    assert considering.agreement.terms == "We agree to meet weekly."
    assert Allocation.objects.get(young_person=young_person).worker == case_manager
    assert "is accepted into ICMS" in response.text
    assert Notification.objects.filter(recipient=considering.referred_by).exists()
    assert Notification.objects.get(recipient=case_manager).url == young_person.get_absolute_url()
    log_in(case_manager)
    caseload = client.get(reverse("clients:caseload"))
    assert young_person in caseload.context["young_people"]
    entry = young_person.register_entries.get(status="active")  # the coordinator's listing
    assert (entry.listed_on, entry.division) == (
        considering.register_listed_on,
        considering.division,
    )
    assert entry.reviews.get().due_on == considering.register_listed_on + timedelta(days=14)


def test_the_register_entry_says_the_coordinator_listed_the_young_person(
    client, log_in, supervisor, case_manager, considering, register_coordinator
):
    log_in(supervisor)

    accept(client, considering, case_manager)

    considering.refresh_from_db()
    entry = considering.young_person.register_entries.get()
    assert entry.listed_by == register_coordinator
    page = client.get(reverse("register:entry", args=[entry.pk]))
    assert f"by {register_coordinator}" in page.text
    assert f"by {supervisor}" not in page.text


def test_the_agreement_prints_with_room_to_sign(
    client, log_in, supervisor, case_manager, considering
):
    log_in(supervisor)
    accept(client, considering, case_manager)

    page = client.get(reverse("referrals:agreement", args=[considering.pk]))

    assert "Case management agreement" in page.text
    assert "We agree to meet weekly." in page.text
    assert page.text.count('class="signature-line"') == 2


def test_the_referrer_sees_the_acceptance_but_not_the_record(
    client, log_in, supervisor, case_manager, considering
):
    log_in(supervisor)
    accept(client, considering, case_manager)
    considering.refresh_from_db()
    log_in(considering.referred_by)

    page = client.get(reverse("referrals:detail", args=[considering.pk]))

    assert "Accepted" in page.text
    assert f"case manager {case_manager}" in page.text
    assert "On the North high-risk youth register since" in page.text
    record = client.get(reverse("clients:detail", args=[considering.young_person_id]))
    assert record.status_code == 404


def test_acceptance_waits_for_the_coordinator_to_confirm_the_listing(
    client, log_in, supervisor, case_manager, unlisted
):
    log_in(supervisor)
    created_before = AuditEvent.objects.filter(action=AuditAction.CREATE).count()

    response = accept(client, unlisted, case_manager)

    assert (
        f"{unlisted.display_name} is not on the North high-risk youth register yet: waiting for "
        "the register coordinator to confirm the listing." in response.text
    )
    unlisted.refresh_from_db()
    assert (unlisted.status, unlisted.young_person) == ("considering", None)
    assert not YoungPerson.objects.exists()
    assert not CaseManagementAgreement.objects.exists()
    assert not Allocation.objects.exists()
    assert not Notification.objects.filter(recipient=case_manager).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == created_before


def test_a_referral_that_says_listed_is_not_a_listing(
    client, log_in, supervisor, case_manager, team
):
    """The referrer's tick alone (no request answered, no entry) never lists anyone."""
    referral = ReferralFactory(team=team, status="considering", register_listed=True)
    log_in(supervisor)

    response = accept(client, referral, case_manager)

    assert "is not on the North high-risk youth register" in response.text
    assert not YoungPerson.objects.exists()


def test_a_supervisor_sees_the_referral_waiting_for_the_register(
    client, log_in, supervisor, unlisted, register_coordinator
):
    log_in(supervisor)

    queue = client.get(reverse("referrals:queue"))
    page = client.get(reverse("referrals:detail", args=[unlisted.pk]))

    assert "Waiting for the register" in queue.text
    assert "Waiting for the register" in page.text
    assert reverse("referrals:accept", args=[unlisted.pk]) not in page.text
    assert "Accepting is not possible yet" in page.text
    assert "waiting for the register coordinator to confirm the listing" in page.text

    listed_by_coordinator(unlisted, register_coordinator)
    queue = client.get(reverse("referrals:queue"))
    page = client.get(reverse("referrals:detail", args=[unlisted.pk]))

    assert "Waiting for the register" not in queue.text + page.text
    assert reverse("referrals:accept", args=[unlisted.pk]) in page.text
    assert f"by {register_coordinator}, register coordinator" in page.text


def test_a_closed_record_with_the_same_number_is_reopened(
    client, log_in, supervisor, case_manager, unlisted, team, register_coordinator
):
    earlier = YoungPersonFactory(
        child_protection_number=unlisted.child_protection_number, team=team, status="closed"
    )
    listed_by_coordinator(unlisted, register_coordinator)
    log_in(supervisor)

    accept(client, unlisted, case_manager)

    earlier.refresh_from_db()
    assert earlier.status == "active"
    assert YoungPerson.objects.count() == 1
    assert earlier.register_entries.get().listed_by == register_coordinator


def test_an_open_case_cannot_be_accepted_twice(
    supervisor, case_manager, unlisted, team, register_coordinator
):
    considering = unlisted
    YoungPersonFactory(child_protection_number=considering.child_protection_number, team=team)
    listed_by_coordinator(considering, register_coordinator)

    with pytest.raises(ValidationError, match="already an open case"):
        accept_referral(
            considering,
            by=supervisor,
            case_manager=case_manager,
            intensity=IntensityLevel.objects.first(),
            agreed_on=date(2026, 11, 20),
            parties="x",
            terms="y",
        )


def test_declining_gives_the_reason_and_logs_the_advice_as_a_consultation(
    client, log_in, supervisor, considering
):
    log_in(supervisor)

    client.post(
        reverse("referrals:decline", args=[considering.pk]),
        {
            "reason": "capacity",
            "notes": "The team is full until February.",
            "advice": "Ask the youth outreach service; keep weekly contact meanwhile.",
        },
    )

    considering.refresh_from_db()
    assert (considering.status, considering.decline_reason) == ("declined", "capacity")
    consultation = Consultation.objects.get()
    assert consultation.referral == considering
    assert consultation.given_by == supervisor
    log_in(considering.referred_by)
    page = client.get(reverse("referrals:detail", args=[considering.pk]))
    assert "Declined" in page.text
    assert "no capacity" in page.text
    assert "Ask the youth outreach service" in page.text


def test_a_decline_without_an_explanation_is_refused(client, log_in, supervisor, considering):
    log_in(supervisor)

    response = client.post(
        reverse("referrals:decline", args=[considering.pk]), {"reason": "other", "notes": ""}
    )

    assert "This field is required" in response.text
    considering.refresh_from_db()
    assert considering.status == "considering"


def test_no_illegal_move_is_possible(supervisor, considering):
    decline_referral(considering, by=supervisor, reason="eligibility", notes="Not eligible")

    with pytest.raises(ValidationError, match="A referral that is declined cannot become accepted"):
        accept_referral(
            considering, by=supervisor, case_manager=supervisor, intensity=None,
            agreed_on=date(2026, 11, 20), parties="x", terms="y",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="A referral that is declined cannot become"):
        waitlist_referral(considering, by=supervisor, note="later")
    considering.refresh_from_db()
    assert considering.status == "declined"


def test_accepting_a_declined_referral_is_refused_with_a_message(
    client, log_in, supervisor, considering, case_manager
):
    decline_referral(considering, by=supervisor, reason="capacity", notes="Full")
    log_in(supervisor)

    page = client.get(reverse("referrals:detail", args=[considering.pk]))
    assert "Accept</a>" not in page.text
    response = client.post(
        reverse("referrals:accept", args=[considering.pk]),
        {"case_manager": case_manager.pk, "intensity": IntensityLevel.objects.first().pk,
         "agreed_on": "2026-11-20", "parties": "x", "terms": "y"},
        follow=True,
    )  # fmt: skip

    assert "A referral that is declined cannot become accepted." in response.text
    considering.refresh_from_db()
    assert (considering.status, considering.young_person) == ("declined", None)
    assert not CaseManagementAgreement.objects.exists()


def test_a_referral_not_yet_considered_cannot_be_decided(client, log_in, supervisor, team):
    referral = ReferralFactory(team=team)
    log_in(supervisor)

    response = client.get(reverse("referrals:decline", args=[referral.pk]), follow=True)

    assert "Start considering the referral before deciding it." in response.text


def test_every_move_records_who_when_and_why(client, log_in, supervisor, team):
    referral = ReferralFactory(team=team)
    log_in(supervisor)

    client.post(reverse("referrals:move", args=[referral.pk, "considering"]), {"note": ""})
    client.post(
        reverse("referrals:move", args=[referral.pk, "waitlisted"]),
        {"note": "A place is likely in March."},
    )

    moves = list(referral.moves.values_list("to_status", "by", "note"))
    assert moves == [
        ("considering", supervisor.pk, ""),
        ("waitlisted", supervisor.pk, "A place is likely in March."),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="referrals.referral")


def test_the_practitioner_withdraws_a_waiting_referral(client, log_in, team):
    referral = ReferralFactory(team=team)
    log_in(referral.referred_by)

    client.post(reverse("referrals:withdraw", args=[referral.pk]), {"note": "Moved interstate"})

    referral.refresh_from_db()
    assert referral.status == "withdrawn"


def upload(client, referral, name, data, content_type="application/octet-stream"):
    """Attach a document from the draft's form, which sends what is typed with it."""
    return client.post(
        reverse("referrals:edit", args=[referral.pk]),
        referral_form(referral.team, action="attach")
        | {"document": SimpleUploadedFile(name, data, content_type=content_type)},
        follow=True,
    )


@pytest.fixture
def draft(team, practitioner):
    return ReferralFactory(team=team, referred_by=practitioner, status="draft")


def test_a_pdf_is_attached_and_downloaded_only_as_a_file(practitioner_client, draft):
    response = upload(practitioner_client, draft, "school report.pdf", PDF_BYTES)

    assert "“school report.pdf” is attached" in response.text
    attachment = ReferralAttachment.objects.get()
    assert attachment.file.name != "school report.pdf"  # stored under a random name
    download = practitioner_client.get(
        reverse("referrals:attachment-download", args=[draft.pk, attachment.pk])
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is really a .exe file"),
        ("notes.pdf", b"just some text", "of a kind ICMS cannot check"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not what its name says"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(
    practitioner_client, draft, name, data, message
):
    response = upload(practitioner_client, draft, name, data)

    assert message in response.text
    assert not ReferralAttachment.objects.exists()


def test_a_50_mb_file_is_refused_with_its_size(practitioner_client, draft):
    big = PDF_BYTES + b"0" * (50 * 1024 * 1024 - len(PDF_BYTES))

    response = upload(practitioner_client, draft, "scan.pdf", big)

    assert "“scan.pdf” is 50.0 MB; the limit is 10 MB" in response.text
    assert not ReferralAttachment.objects.exists()


def test_a_case_manager_logs_a_consultation_without_a_referral(client, log_in, case_manager):
    log_in(case_manager)

    client.post(
        reverse("referrals:consultation-create"),
        {
            "team": case_manager.team_id,
            "asked_by": "Ms Park",
            "organisation": "Northside Secondary College",
            "asked_on": "2026-11-20",
            "question": "A year 9 student keeps running away from school.",
            "advice": "Talk with the student's child protection practitioner about a referral.",
        },
    )

    consultation = Consultation.objects.get()
    assert (consultation.team, consultation.referral) == (case_manager.team, None)
    assert "Ms Park" in client.get(reverse("referrals:consultations")).text


def test_the_consultation_list_links_a_referral_only_for_those_who_see_it(
    client, log_in, supervisor, case_manager, considering
):
    decline_referral(
        considering, by=supervisor, reason="capacity", notes="Full", advice="Try outreach."
    )
    referral_link = reverse("referrals:detail", args=[considering.pk])

    log_in(supervisor)
    assert referral_link in client.get(reverse("referrals:consultations")).text
    log_in(case_manager)  # sees the advice the team gave, not the referral (a 404 behind a link)
    page = client.get(reverse("referrals:consultations")).text
    assert "Try outreach." in page
    assert referral_link not in page


def test_notifications_show_unread_and_open_marks_read(client, log_in, case_manager):
    from tests.factories import NotificationFactory

    notification = NotificationFactory(recipient=case_manager, url="/young-people/")
    log_in(case_manager)
    assert '1<span class="visually-hidden"> unread</span>' in client.get("/").text

    response = client.post(reverse("notifications:open", args=[notification.pk]))

    assert response.url == "/young-people/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread</span>" not in client.get("/").text
