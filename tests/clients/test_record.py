from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from clients.models import Allocation, KeyPerson, ProfessionalContact, YoungPerson
from tests.factories import (
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("clients:create")


def new_young_person(**changes) -> dict:
    return {
        "given_name": "Ruby",
        "family_name": "Anderson",
        "preferred_name": "",
        "date_of_birth": "2011-04-02",
        "gender": "female",
        "indigenous_status": "aboriginal",
        "cultural_background": "Wurundjeri",
        "language": "English",
        "child_protection_number": "CP-777001",
        "permanency_objective": "reunification",
        "legal_order": "cbso",
        "placement": "kinship",
        "information_sharing": "given",
    } | changes


def test_a_supervisor_adds_a_young_person_to_their_team(client, log_in, supervisor, team):
    log_in(supervisor)

    response = client.post(CREATE, new_young_person(), follow=True)

    young_person = YoungPerson.objects.get()
    # Taken on once the register coordinator has listed them (tests/register/test_listings.py).
    assert (young_person.team, young_person.division, young_person.status) == (
        team,
        team.division,
        "referred",
    )
    assert young_person.is_aboriginal_or_torres_strait_islander
    assert "Ruby Anderson is added to ICMS North" in response.text
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, young_person=young_person)


def test_a_likely_duplicate_in_the_team_is_shown_and_must_be_confirmed(
    client, log_in, supervisor, team
):
    existing = YoungPersonFactory(
        given_name="Ruby", family_name="Anderson", date_of_birth=date(2011, 4, 2), team=team
    )
    log_in(supervisor)

    response = client.post(CREATE, new_young_person(child_protection_number=""))

    assert "This may be a young person ICMS already knows" in response.text
    assert reverse("clients:detail", args=[existing.pk]) in response.text
    assert YoungPerson.objects.count() == 1
    client.post(CREATE, new_young_person(child_protection_number="", not_a_duplicate="on"))
    assert YoungPerson.objects.count() == 2


def test_a_duplicate_in_another_team_is_counted_but_not_shown(
    client, log_in, supervisor, other_team
):
    YoungPersonFactory(given_name="Ruby", family_name="Anderson", date_of_birth=date(2011, 4, 2),
                       team=other_team)  # fmt: skip
    log_in(supervisor)

    response = client.post(CREATE, new_young_person())

    assert "Another team holds 1 record" in response.text
    assert "/young-people/" not in response.text.split("Another team holds")[0].split("alert")[-1]


def test_a_child_protection_number_already_used_is_refused(client, log_in, supervisor, team):
    YoungPersonFactory(child_protection_number="CP-777001", team=team)
    log_in(supervisor)

    response = client.post(CREATE, new_young_person(not_a_duplicate="on"))

    assert "Another young person has this child protection number" in response.text
    assert YoungPerson.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "A date of birth cannot be in the future"),
        ({"date_of_birth": "1950-01-01"}, "check the year of birth"),
        ({"given_name": ""}, "This field is required"),
        ({"indigenous_status": "unknown"}, "Select a valid choice"),
    ],
)
def test_bad_input_for_a_new_young_person_is_refused(
    client, log_in, supervisor, team, changes, message
):
    log_in(supervisor)

    response = client.post(CREATE, new_young_person(**changes))

    assert message in response.text
    assert not YoungPerson.objects.exists()


def test_editing_the_record_changes_only_what_changed_and_audits_it(
    client, log_in, case_manager, own_young_person
):
    own_young_person.child_protection_number = "CP-1"
    own_young_person.save()
    log_in(case_manager)
    data = new_young_person(
        given_name=own_young_person.given_name,
        family_name=own_young_person.family_name,
        date_of_birth=own_young_person.date_of_birth.isoformat(),
        child_protection_number="CP-1",
        information_sharing_notes="Not the school <script>x</script>",
        version=own_young_person.version,
    )

    client.post(reverse("clients:edit", args=[own_young_person.pk]), data)

    own_young_person.refresh_from_db()
    assert own_young_person.information_sharing == "given"
    change = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert "information_sharing" in change.detail["fields"]
    assert "child_protection_number" not in change.detail["fields"]
    page = client.get(reverse("clients:detail", args=[own_young_person.pk])).text
    assert "Not the school &lt;script&gt;x&lt;/script&gt;" in page


def test_key_people_and_the_professional_network_are_added_and_changed(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)
    client.post(
        reverse("clients:key-person-create", args=[own_young_person.pk]),
        {"name": "Grace Own", "relationship": "grandparent", "is_support": "on", "active": "on"},
    )
    grace = KeyPerson.objects.get()
    client.post(
        reverse("clients:key-person-edit", args=[own_young_person.pk, grace.pk]),
        {"name": "Grace Own", "relationship": "grandparent", "phone": "0400 111 222", "version": 1},
    )
    client.post(
        reverse("clients:professional-create", args=[own_young_person.pk]),
        {"role": "gp", "name": "Dr Lee", "organisation": "Northside Medical", "active": "on"},
    )

    grace.refresh_from_db()
    assert (grace.phone, grace.is_support, grace.active) == ("0400 111 222", False, False)
    page = client.get(reverse("clients:detail", args=[own_young_person.pk])).text
    assert "Grace Own" in page
    assert "no longer involved" in page
    assert "Dr Lee" in page
    assert ProfessionalContact.objects.get().organisation == "Northside Medical"


def test_an_email_that_is_not_one_is_refused(client, log_in, case_manager, own_young_person):
    log_in(case_manager)

    response = client.post(
        reverse("clients:professional-create", args=[own_young_person.pk]),
        {"role": "school", "name": "Ms Park", "email": "not-an-email"},
    )

    assert "Enter a valid email address" in response.text


def test_an_alert_shows_on_every_page_about_the_young_person_until_ended(
    client, log_in, case_manager, own_young_person
):
    log_in(case_manager)
    client.post(
        reverse("clients:alert-create", args=[own_young_person.pk]),
        {"kind": "pairs", "details": "Brother hostile after dark"},
    )
    pages = [
        reverse("clients:detail", args=[own_young_person.pk]),
        reverse("clients:contact-create", args=[own_young_person.pk]),
        reverse("clients:timeline", args=[own_young_person.pk]),
        reverse("clients:edit", args=[own_young_person.pk]),
    ]
    for page in pages:
        assert "Brother hostile after dark" in client.get(page).text, page

    alert = own_young_person.alerts.get()
    ended = client.post(
        reverse("clients:alert-end", args=[own_young_person.pk, alert.pk]),
        {"version": alert.version},
        follow=True,
    )

    assert "Alert ended: Visit in pairs: Brother hostile after dark" in ended.text
    assert "safety-alerts" not in client.get(pages[1]).text
    alert.refresh_from_db()
    assert alert.ended_by == case_manager


def test_a_supervisor_transfers_a_case_and_the_history_stays(
    client, log_in, supervisor, case_manager, team, own_young_person
):
    Allocation.objects.create(young_person=own_young_person, worker=case_manager, role="primary",
                              started_on=date(2026, 1, 5))  # fmt: skip
    newcomer = UserFactory(role="Case manager", team=team, first_name="Priya")
    log_in(supervisor)

    client.post(
        reverse("clients:allocation", args=[own_young_person.pk]),
        {"worker": newcomer.pk, "role": "primary", "on": timezone.localdate().isoformat(),
         "note": "Casey leaving"},
    )  # fmt: skip

    own_young_person.refresh_from_db()
    assert own_young_person.primary_case_manager == newcomer
    history = own_young_person.allocations.order_by("pk")
    assert [(a.worker, a.ended_on is None) for a in history] == [
        (case_manager, False),
        (newcomer, True),
    ]
    timeline = client.get(reverse("clients:timeline", args=[own_young_person.pk]))
    kinds = [(entry.kind, entry.ended) for entry in timeline.context["entries"]]
    assert ("allocation", True) in kinds
    assert ("allocation", False) in kinds


def test_a_worker_of_another_team_cannot_be_allocated(
    client, log_in, supervisor, own_young_person, other_team_case_manager
):
    log_in(supervisor)

    response = client.post(
        reverse("clients:allocation", args=[own_young_person.pk]),
        {"worker": other_team_case_manager.pk, "role": "care_team",
         "on": timezone.localdate().isoformat()},
    )  # fmt: skip

    assert "Select a valid choice" in response.text
    assert not Allocation.objects.filter(worker=other_team_case_manager).exists()


def test_leaving_the_care_team_ends_the_allocation_and_the_access(
    client, log_in, supervisor, care_team_young_person, case_manager
):
    allocation = Allocation.objects.get(young_person=care_team_young_person, worker=case_manager)
    log_in(supervisor)

    client.post(reverse("clients:allocation-end", args=[care_team_young_person.pk, allocation.pk]))

    allocation.refresh_from_db()
    assert allocation.ended_on == timezone.localdate()
    log_in(case_manager)
    assert (
        client.get(reverse("clients:detail", args=[care_team_young_person.pk])).status_code == 404
    )


@pytest.fixture
def leaving_worker_caseload(team, case_manager):
    return [
        YoungPersonFactory(
            given_name=name, family_name="Moving", team=team, primary_case_manager=case_manager
        )
        for name in ("Ava", "Ben", "Cal")
    ]


def test_bulk_transfer_moves_the_chosen_young_people_to_several_workers(
    client, log_in, supervisor, team, case_manager, leaving_worker_caseload
):
    ava, ben, cal = leaving_worker_caseload
    priya = UserFactory(role="Case manager", team=team)
    tom = UserFactory(role="Case manager", team=team)
    log_in(supervisor)
    url = f"{reverse('clients:transfer')}?worker={case_manager.pk}"

    response = client.post(
        url,
        {f"to_{ava.pk}": priya.pk, f"to_{ben.pk}": tom.pk, f"to_{cal.pk}": "",
         "on": timezone.localdate().isoformat(), "note": "Casey leaving"},
        follow=True,
    )  # fmt: skip

    assert "2 young people moved" in response.text
    for young_person, worker in [(ava, priya), (ben, tom), (cal, case_manager)]:
        young_person.refresh_from_db()
        assert young_person.primary_case_manager == worker


def test_bulk_transfer_moves_a_whole_caseload_to_one_worker(
    client, log_in, supervisor, team, case_manager, leaving_worker_caseload
):
    priya = UserFactory(role="Case manager", team=team)
    log_in(supervisor)
    url = f"{reverse('clients:transfer')}?worker={case_manager.pk}"

    client.post(
        url,
        {"everyone_to": priya.pk, "on": timezone.localdate().isoformat(), "note": "Leaving"},
    )

    assert YoungPerson.objects.filter(primary_case_manager=priya).count() == 3
    assert not YoungPerson.objects.filter(primary_case_manager=case_manager).exists()


def test_bulk_transfer_moves_nothing_if_one_move_is_refused(
    client, log_in, supervisor, team, case_manager, leaving_worker_caseload
):
    ava, ben, _ = leaving_worker_caseload
    priya = UserFactory(role="Case manager", team=team)
    log_in(supervisor)
    url = f"{reverse('clients:transfer')}?worker={case_manager.pk}"
    on = (timezone.localdate() + timedelta(days=90)).isoformat()  # too far ahead for any move

    response = client.post(
        url, {f"to_{ava.pk}": priya.pk, f"to_{ben.pk}": priya.pk, "on": on, "note": "x"}
    )

    assert "at most a month ahead" in response.text
    assert not Allocation.objects.filter(worker=priya).exists()


def test_a_case_manager_cannot_transfer(client, log_in, case_manager):
    log_in(case_manager)

    assert client.get(reverse("clients:transfer")).status_code == 403


def test_closing_an_episode_ends_the_allocations_and_keeps_the_record(
    client, log_in, supervisor, case_manager, own_young_person
):
    Allocation.objects.create(young_person=own_young_person, worker=case_manager, role="primary")
    log_in(supervisor)

    client.post(
        reverse("exits:close", args=[own_young_person.pk]),
        {
            "closed_on": timezone.localdate().isoformat(),
            "reason": "transferred",
            "destination": "supported",
            "no_exit_plan_because": "transferred",
            "notes": "Turned 18; the adult service takes over.",
        },
    )

    own_young_person.refresh_from_db()
    assert own_young_person.status == "closed"
    assert own_young_person.primary_case_manager is None
    assert not own_young_person.allocations.filter(ended_on__isnull=True).exists()
    assert client.get(reverse("clients:detail", args=[own_young_person.pk])).status_code == 200
    log_in(case_manager)
    assert client.get(reverse("clients:caseload")).context["young_people"].count() == 0


def test_a_closed_episode_cannot_be_moved_here(client, log_in, supervisor, own_young_person):
    """A closed file is read-only (toolkit.access): it reopens on a re-referral (exits)."""
    own_young_person.status = "closed"
    own_young_person.save()
    log_in(supervisor)

    response = client.post(
        reverse("clients:status", args=[own_young_person.pk]),
        {"to": "active", "reason": "Back"},
    )

    # A closed file is read-only: a new episode comes with a new referral.
    assert response.status_code == 403
    assert "This file is closed: it can be read, not changed." in response.text
    own_young_person.refresh_from_db()
    assert own_young_person.status == "closed"
