"""Retention: a closed file past its retention date is listed for its supervisor's review and
kept until they approve its disposal, file by file; disposal then removes every row of the
file, of every app, with their history and the files on disk, and leaves a stub and an audit
entry. A file under legal hold is never listed, and its disposal is refused."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from clients.models import YoungPerson
from clients.services import merge_young_people
from notifications.models import Notification
from records.models import Disposal, FileRelease, LegalHold, RetentionRule
from records.queries import files_named_by, history_of, rows_of_file
from records.services import archive_closed_files, lift_legal_hold, place_legal_hold
from tests.clients.test_merge import MAKERS
from tests.factories import (
    ContactFactory,
    DisposalFactory,
    DocumentFactory,
    NotificationFactory,
    ReferralAttachmentFactory,
    ReferralFactory,
    YoungPersonFactory,
)
from tests.records.conftest import close_file

pytestmark = pytest.mark.django_db

TODAY = "2026-12-07 10:00 +11:00"
APPROVAL = {"confirmed": "on", "note": "Checked with the agency's lawyer: no claim or request."}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def past_retention(team, supervisor, **fields) -> YoungPerson:
    """A file closed in mid-2018 of a young woman born in 2000: under the usual rule (7 years
    after closing, until aged 25) it was due on 30 Jun 2025."""
    born = {"family_name": "Keeling", "date_of_birth": date(2000, 1, 1)}
    young_person = YoungPersonFactory(team=team, **born | fields)
    close_file(young_person, on=date(2018, 6, 30), by=supervisor)
    return young_person


@pytest.fixture
def due(team, supervisor):
    return past_retention(team, supervisor, given_name="Mia")


def dispose(client, young_person, data=APPROVAL):
    return client.post(reverse("records:dispose", args=[young_person.pk]), data)


def listed(client) -> list[int]:
    return [each.pk for each in client.get(reverse("records:retention")).context["page"]]


def test_the_retention_date_is_the_later_of_years_after_closing_and_the_age(
    supervisor_client, team, supervisor
):
    closed_long_ago = past_retention(team, supervisor, date_of_birth=date(2005, 3, 1))
    close_file(closed_long_ago, on=date(2010, 1, 1), by=supervisor)  # an earlier episode
    page = supervisor_client.get(reverse("records:retention"))

    assert listed(supervisor_client) == []  # aged 25 on 1 Mar 2030
    assert "7 years after closing, and until aged 25" in page.text
    RetentionRule.objects.filter(pk=1).update(until_age=21)
    page = supervisor_client.get(reverse("records:retention"))
    assert [each.retention_due_on for each in page.context["page"]] == [date(2026, 3, 1)]
    assert [each.episodes for each in page.context["page"]] == [2]


def test_a_file_past_its_retention_date_is_listed_not_disposed(
    supervisor_client, due, other_young_person
):
    page = supervisor_client.get(reverse("records:retention"))
    archive_closed_files(date(2026, 12, 7))
    review = supervisor_client.get(reverse("records:dispose", args=[due.pk]))

    assert listed(supervisor_client) == [due.pk]
    assert "30 Jun 2025" in page.text
    assert "What disposing of it removes" in review.text
    assert YoungPerson.objects.filter(pk=due.pk).exists()
    assert not Disposal.objects.exists()


def test_a_file_not_yet_due_is_kept_and_its_disposal_refused(supervisor_client, team, supervisor):
    kept = past_retention(team, supervisor, date_of_birth=date(2003, 5, 1))  # 25 on 1 May 2028

    response = dispose(supervisor_client, kept)

    assert listed(supervisor_client) == []
    assert "This file is kept until 1 May 2028, its retention date." in response.text
    assert YoungPerson.objects.filter(pk=kept.pk).exists()


def test_an_open_file_is_not_disposed_of(supervisor_client, own_young_person):
    response = dispose(supervisor_client, own_young_person)

    assert "Only a closed file is disposed of" in response.text
    assert YoungPerson.objects.filter(pk=own_young_person.pk).exists()


def test_nothing_is_disposed_of_without_the_supervisors_confirmation(supervisor_client, due):
    response = dispose(supervisor_client, due, {"note": "Fine"})

    assert "This field is required" in response.text
    assert YoungPerson.objects.filter(pk=due.pk).exists()
    assert not Disposal.objects.exists()


def test_a_file_under_legal_hold_is_never_listed_and_its_disposal_refused(
    supervisor_client, supervisor, due
):
    hold = place_legal_hold(due, by=supervisor, reason="Subpoena, Children's Court 2026/1187")

    response = dispose(supervisor_client, due)

    assert listed(supervisor_client) == []
    assert "A legal hold stands on this file" in response.text
    assert YoungPerson.objects.filter(pk=due.pk).exists()
    lift_legal_hold(hold, by=supervisor, reason="The proceedings are over")
    assert listed(supervisor_client) == [due.pk]


def test_the_supervisor_places_and_lifts_a_hold_saying_why(supervisor_client, due):
    url = reverse("records:legal-hold", args=[due.pk])

    refused = supervisor_client.post(url, {"reason": " "})
    placed = supervisor_client.post(url, {"reason": "An inquiry asks for the file"}, follow=True)
    hold = LegalHold.objects.get()
    lifted = supervisor_client.post(url, {"hold": hold.pk, "reason": "Inquiry closed"}, follow=True)

    assert "This field is required" in refused.text
    assert "Under legal hold" in placed.text
    assert "An inquiry asks for the file" in placed.text
    hold.refresh_from_db()
    assert (hold.lift_reason, hold.lifted_by.pk) == ("Inquiry closed", placed.context["user"].pk)
    assert "Under legal hold" not in lifted.text
    audited = AuditEvent.objects.filter(object_type="records.legalhold").values_list("action")
    assert sorted(audited) == [("change",), ("create",)]


@pytest.fixture
def whole_file(due, supervisor, case_manager):
    """The file of a young person with a record of every kind that points to one (as the merge
    test makes them), a referral with its attachment, a document and a release with their
    files, a lifted legal hold and a notice pointing into the file."""
    closed_on = due.closures.get().closed_on
    for make in MAKERS.values():
        make(due)
    # The makers' closings are recent: they, too, were long ago, or the file would not be due.
    due.closures.update(began_on=closed_on, closed_on=closed_on)
    DocumentFactory(young_person=due, added_by=case_manager)
    ReferralAttachmentFactory(referral=ReferralFactory(young_person=due, team=due.team))
    FileRelease.objects.create(
        young_person=due,
        purpose=FileRelease.Purpose.CARE_LEAVER,
        requested_by="Mia Keeling",
        released_to="Mia Keeling",
        reason="She asked for her file",
        released_by=supervisor,
        pdf=ContentFile(b"%PDF-1.4 the file", name="file.pdf"),
    )
    for hold in due.legal_holds.all():  # the one the merge test's makers place
        lift_legal_hold(hold, by=supervisor, reason="Settled")
    hold = place_legal_hold(due, by=supervisor, reason="A claim")
    lift_legal_hold(hold, by=supervisor, reason="Settled")
    NotificationFactory(recipient=case_manager, url=reverse("clients:detail", args=[due.pk]))
    return due


def test_disposal_after_approval_leaves_the_stub_and_removes_the_whole_file(
    supervisor_client,
    supervisor,
    whole_file,
    other_young_person,
    django_capture_on_commit_callbacks,
):
    other_contact = ContactFactory(young_person=other_young_person)
    rows = rows_of_file(whole_file)
    history = history_of(rows)
    files = files_named_by(rows)
    apps_of_the_file = {model._meta.app_label for model in rows}
    assert {
        "clients",
        "caseplans",
        "register",
        "referrals",
        "documents",
        "exits",
        "records",
    } <= apps_of_the_file
    assert (
        sum(
            model.objects.filter(**{f"{column}__in": ids}).count() for model, column, ids in history
        )
        > 0
    )
    # two documents' versions, the attachment, two releases' copies (one with its zip)
    assert len(files) == 6
    assert all(storage.exists(name) for storage, name in files)

    with django_capture_on_commit_callbacks(execute=True):
        response = dispose(supervisor_client, whole_file)

    assert response.status_code == 302
    assert response.url == reverse("records:disposals")
    for model, pks in rows.items():
        assert not model._base_manager.filter(pk__in=pks).exists(), model._meta.label
    for model, column, ids in history:
        assert not model.objects.filter(**{f"{column}__in": ids}).exists(), model._meta.label
    assert not any(storage.exists(name) for storage, name in files)
    assert not Notification.objects.filter(url__contains=f"/{whole_file.pk}/").exists()
    stub = Disposal.objects.get()
    assert (stub.young_person_number, stub.name, stub.date_of_birth) == (
        whole_file.pk,
        f"{whole_file.given_name} Keeling",
        date(2000, 1, 1),
    )
    assert (stub.team_name, stub.last_closed_on, stub.retention_due_on) == (
        "ICMS North",
        date(2018, 6, 30),
        date(2025, 6, 30),
    )
    assert stub.rule == "7 years after closing, and until aged 25"
    assert stub.approved_by == supervisor
    assert stub.approval_note == APPROVAL["note"]
    assert stub.contents["contacts"] == 1
    assert stub.contents["documents"] == 2
    assert stub.contents["files on disk"] == stub.files_removed == 6
    assert stub.contents["history rows"] > 0
    assert stub.contents["notifications"] == 1
    event = AuditEvent.objects.get(action=AuditAction.DISPOSE)
    assert (event.actor, event.young_person_id, event.object_id) == (
        supervisor,
        whole_file.pk,
        str(stub.pk),
    )
    # Nothing of anyone else's goes.
    other_contact.refresh_from_db()
    assert other_contact.pgh_event_model.objects.filter(pgh_obj=other_contact).exists()
    register = supervisor_client.get(reverse("records:disposals"))
    assert f"{whole_file.given_name} Keeling" in register.text
    assert "Checked with the agency&#x27;s lawyer" in register.text


def test_the_review_says_what_disposal_would_remove(supervisor_client, whole_file):
    page = supervisor_client.get(reverse("records:dispose", args=[whole_file.pk]))

    contents = page.context["contents"]
    assert contents["contacts"] == 1
    assert contents["files on disk"] == 6
    assert contents["legal holds"] == whole_file.legal_holds.count() >= 1
    assert "I have checked there is no reason to keep this file" in page.text
    assert YoungPerson.objects.filter(pk=whole_file.pk).exists()


def test_a_case_manager_cannot_dispose_of_a_file(client, log_in, case_manager, due):
    due.primary_case_manager = case_manager
    due.save(update_fields=["primary_case_manager"])
    log_in(case_manager)

    assert dispose(client, due).status_code == 403
    assert YoungPerson.objects.filter(pk=due.pk).exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [("clients_contact", "is no history table"), ("clients_contactevent", "no disposal")],
)
def test_history_is_erased_only_for_a_disposed_file(own_young_person, table, message):
    ContactFactory(young_person=own_young_person)

    with (
        pytest.raises(DatabaseError, match=message),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT records_erase_history(0, %s::regclass, 'young_person_id', %s)",
            [table, [own_young_person.pk]],
        )


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_retention_list_runs_a_constant_number_of_queries(
    supervisor_client, team, supervisor, django_assert_num_queries, item_count
):
    for number in range(item_count):
        past_retention(team, supervisor, given_name=f"Number{number}")

    # user, OTP device, groups; the rule; how many files, the page of them with their teams,
    # closings and holds; unread notifications; the read recorded (savepoint, insert, release)
    with django_assert_num_queries(10):
        response = supervisor_client.get(reverse("records:retention"))
    assert len(response.context["page"]) == item_count


def test_the_register_shows_each_supervisor_their_teams_stubs(
    client, log_in, supervisor, administrator, team, other_team
):
    DisposalFactory(name="Kyle Former", team_name=team.name)
    DisposalFactory(name="Zed Elsewhere", team_name=other_team.name)

    log_in(supervisor)
    theirs = client.get(reverse("records:disposals")).text
    log_in(administrator)
    everyone = client.get(reverse("records:disposals")).text

    assert "Kyle Former" in theirs
    assert "Zed Elsewhere" not in theirs
    assert "Kyle Former" in everyone
    assert "Zed Elsewhere" in everyone


def test_the_administrator_changes_the_rule_but_never_adds_or_deletes_one(
    client, log_in, administrator
):
    log_in(administrator)
    change = reverse("admin:records_retentionrule_change", args=[1])

    saved = client.post(change, {"years_after_closure": 10, "until_age": 25}, follow=True)
    refused = client.post(change, {"years_after_closure": 0, "until_age": 25})

    assert saved.status_code == 200
    assert str(RetentionRule.objects.get()) == "10 years after closing, and until aged 25"
    assert refused.status_code == 200  # shown again with what is wrong
    assert client.get(reverse("admin:records_retentionrule_add")).status_code == 403
    delete = reverse("admin:records_retentionrule_delete", args=[1])
    assert client.get(delete).status_code == 403
    assert AuditEvent.objects.filter(object_type="records.retentionrule").count() == 1


def test_merging_two_held_files_keeps_one_hold_standing(supervisor, team, due):
    duplicate = past_retention(team, supervisor, given_name="Maya")
    kept_hold = place_legal_hold(due, by=supervisor, reason="A claim")
    other_hold = place_legal_hold(duplicate, by=supervisor, reason="An inquiry")

    merge = merge_young_people(due, duplicate, by=supervisor, reason="One young woman")

    kept_hold.refresh_from_db()
    other_hold.refresh_from_db()
    assert kept_hold.lifted_at is None
    assert (other_hold.young_person, other_hold.lift_reason) == (
        due,
        f"Record merged into record no. {due.pk}. That record's hold stands.",
    )
    assert "Both files are under legal hold: the kept record's hold stands." in merge.settled
