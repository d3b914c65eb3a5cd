"""Supervision sessions: a new one pre-filled from the data, recording it with its actions,
reading it back, and who may see it (the supervisor and the worker, nobody else)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from supervision.models import SupervisionAction, SupervisionSession
from supervision.services import hold_session
from tests.factories import (
    ContactFactory,
    SupervisionActionFactory,
    SupervisionSessionFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def new_session_url(worker):
    return f"{reverse('supervision:session-create')}?worker={worker.pk}"


def session_data(**changes):
    data = {
        "held_on": f"{timezone.localdate():%Y-%m-%d}",
        "debriefing": "The Friday call-out to Jayden's placement; slept badly after it.",
        "safety_matters": "Visit Jayden's father's address in pairs.",
        "notes": "",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }
    for row in range(3):
        data[f"actions-{row}-owner"] = "worker"
    return data | changes


@pytest.fixture
def seen_young_person(team, case_manager):
    """On the case manager's caseload, reached yesterday: nothing to discuss."""
    young_person = YoungPersonFactory(
        given_name="Mia", family_name="Seen", team=team, primary_case_manager=case_manager
    )
    ContactFactory(young_person=young_person, recorded_by=case_manager)
    return young_person


@pytest.fixture
def last_session(supervisor, case_manager):
    """Last month's session: one action still open, one done since."""
    session = SupervisionSessionFactory(
        supervisor=supervisor,
        worker=case_manager,
        held_on=timezone.localdate() - timedelta(days=28),
    )
    SupervisionActionFactory(session=session, description="Book de-escalation training")
    SupervisionActionFactory(
        session=session,
        description="Ring the school",
        done_on=timezone.localdate() - timedelta(days=20),
        done_by=case_manager,
    )
    return session


def test_a_new_session_is_prefilled_with_the_figures_who_to_discuss_and_what_is_open(
    supervisor_client,
    case_manager,
    own_young_person,
    care_team_young_person,
    seen_young_person,
    last_session,
    other_young_person,
):
    response = supervisor_client.get(new_session_url(case_manager))

    figures = dict(response.context["figures"])
    assert figures["Young people (primary)"] == 2
    assert figures["Without contact past threshold"] == 1  # Jayden, never reached
    assert figures["Contacts this fortnight"] == 1
    cases = {case.display_name: ticked for case, ticked in response.context["cases"]}
    # Noah (care team) has no contact either; Mia was reached; Zara is another team's.
    assert cases == {"Jayden Own": True, "Noah Shared": True, "Mia Seen": False}
    assert [action.description for action in response.context["form"].open_actions] == [
        "Book de-escalation training"
    ]
    page = response.text
    assert f'value="{own_young_person.pk}" id="id_young_people_0" checked' in page
    assert "Book de-escalation training" in page
    assert "Ring the school" not in page
    review = supervisor_client.get(reverse("supervision:review", args=[case_manager.team_id]))
    assert new_session_url(case_manager) in review.text


def test_recording_a_session_keeps_the_figures_of_the_day_and_its_actions(
    supervisor_client,
    supervisor,
    case_manager,
    own_young_person,
    seen_young_person,
    last_session,
):
    open_action = last_session.actions.get(done_on__isnull=True)
    held_on = timezone.localdate() - timedelta(days=1)
    data = session_data(
        held_on=f"{held_on:%Y-%m-%d}",
        young_people=[own_young_person.pk],
        **{
            f"done-{open_action.pk}": "on",
            "actions-0-description": "Debrief with the EAP counsellor",
            "actions-0-due_on": f"{timezone.localdate() + timedelta(days=7):%Y-%m-%d}",
            "actions-1-description": "Ask child protection for the father's bail conditions",
            "actions-1-owner": "supervisor",
        },
    )

    response = supervisor_client.post(new_session_url(case_manager), data)

    session = SupervisionSession.objects.exclude(pk=last_session.pk).get()
    assert response.url == reverse("supervision:session", args=[session.pk])
    assert (session.supervisor, session.worker, session.held_on) == (
        supervisor,
        case_manager,
        held_on,
    )
    assert list(session.young_people.all()) == [own_young_person]
    assert session.safety_matters == "Visit Jayden's father's address in pairs."
    assert [(a.description, a.owner, a.done_on) for a in session.actions.order_by("pk")] == [
        ("Debrief with the EAP counsellor", "worker", None),
        ("Ask child protection for the father's bail conditions", "supervisor", None),
    ]
    open_action.refresh_from_db()
    assert (open_action.done_on, open_action.done_by) == (held_on, supervisor)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="supervision.supervisionsession"
    ).exists()
    # Jayden is reached after the session: reading it back still shows what was discussed.
    ContactFactory(young_person=own_young_person, recorded_by=case_manager)
    page = supervisor_client.get(response.url)
    assert dict(page.context["session"].figure_rows)["Without contact past threshold"] == 1
    assert f'<a href="{own_young_person.get_absolute_url()}">Jayden Own</a>' in page.text


def test_the_session_page_carries_open_actions_and_the_worker_completes_their_own(
    client, log_in, supervisor, case_manager, last_session
):
    later = SupervisionSessionFactory(supervisor=supervisor, worker=case_manager)
    for_supervisor = SupervisionActionFactory(
        session=later, description="Find cover for Tuesdays", owner="supervisor"
    )
    open_action = last_session.actions.get(done_on__isnull=True)
    log_in(case_manager)

    page = client.get(reverse("supervision:session", args=[later.pk]))

    shown = {action.description: can_complete for action, can_complete in page.context["actions"]}
    # The action done before this session is not carried to it; the worker completes theirs.
    assert shown == {"Book de-escalation training": True, "Find cover for Tuesdays": False}
    assert (
        client.post(reverse("supervision:action-done", args=[for_supervisor.pk])).status_code == 403
    )
    done = client.post(
        reverse("supervision:action-done", args=[open_action.pk]), {"session": later.pk}
    )
    assert done.url == reverse("supervision:session", args=[later.pk])
    open_action.refresh_from_db()
    assert (open_action.done_on, open_action.done_by) == (timezone.localdate(), case_manager)
    again = client.post(reverse("supervision:action-done", args=[open_action.pk]), follow=True)
    assert "was done on" in again.text


@pytest.mark.parametrize(
    "reader", ["second_supervisor", "team_colleague", "administrator", "supervisor_elsewhere"]
)
def test_nobody_but_the_supervisor_and_the_worker_reads_a_session(
    request, client, log_in, team, other_team, supervisor, case_manager, reader
):
    session = SupervisionSessionFactory(supervisor=supervisor, worker=case_manager)
    SupervisionActionFactory(session=session)
    users = {
        "second_supervisor": lambda: UserFactory(role=Role.SUPERVISOR, team=team),
        "team_colleague": lambda: UserFactory(role=Role.CASE_MANAGER, team=team),
        "administrator": lambda: request.getfixturevalue("administrator"),
        "supervisor_elsewhere": lambda: UserFactory(role=Role.SUPERVISOR, team=other_team),
    }
    log_in(users[reader]())

    page = client.get(reverse("supervision:session", args=[session.pk]))
    done = client.post(reverse("supervision:action-done", args=[session.actions.get().pk]))
    listed = client.get(reverse("supervision:sessions"))

    assert (page.status_code, done.status_code) == (404, 404)
    assert listed.status_code == 403 or list(listed.context["page"]) == []
    log_in(case_manager)
    assert client.get(reverse("supervision:session", args=[session.pk])).status_code == 200
    assert list(client.get(reverse("supervision:sessions")).context["page"]) == [session]


def test_a_session_is_only_for_a_worker_of_a_team_the_supervisor_leads(
    supervisor_client, client, log_in, case_manager, other_team_case_manager
):
    assert supervisor_client.get(new_session_url(other_team_case_manager)).status_code == 404
    assert (
        supervisor_client.get(f"{reverse('supervision:session-create')}?worker=x").status_code
        == 404
    )
    log_in(case_manager)
    assert client.get(new_session_url(case_manager)).status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"held_on": f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}"},
            "This date is in the future.",
        ),
        ({"young_people": ["other"]}, "Only young people of the worker&#x27;s caseload"),
        (
            {"actions-0-due_on": f"{timezone.localdate():%Y-%m-%d}"},
            "Say what is to be done (or leave the row empty).",
        ),
    ],
    ids=["future-date", "young-person-of-another-caseload", "action-without-text"],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    supervisor_client, case_manager, other_young_person, last_session, changes, message
):
    open_action = last_session.actions.get(done_on__isnull=True)
    if changes.get("young_people") == ["other"]:
        changes = {"young_people": [other_young_person.pk]}
    data = session_data(**{f"done-{open_action.pk}": "on"}, **changes)

    response = supervisor_client.post(new_session_url(case_manager), data)

    assert response.status_code == 200
    assert message in response.text
    assert SupervisionSession.objects.count() == 1  # last month's only
    assert SupervisionAction.objects.filter(done_on__isnull=True).count() == 1


def test_the_service_refuses_a_young_person_the_worker_does_not_hold(
    supervisor, case_manager, own_young_person, other_young_person
):
    with pytest.raises(ValidationError, match=r"Only young people of .*'s caseload") as refused:
        hold_session(
            supervisor=supervisor,
            worker=case_manager,
            held_on=timezone.localdate(),
            figures={},
            young_people=[own_young_person, other_young_person],
            actions=[],
            done=[],
        )
    assert "Zara" not in str(refused.value)  # the other team's young person is not named
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_session_pages_run_the_same_queries_however_much_there_is(
    supervisor_client, supervisor, team, case_manager, count, django_assert_num_queries
):
    young_people = [
        YoungPersonFactory(team=team, primary_case_manager=case_manager) for _ in range(count)
    ]
    for young_person in young_people:
        ContactFactory(young_person=young_person, recorded_by=case_manager)
    sessions = []
    for n in range(count):
        session = SupervisionSessionFactory(
            supervisor=supervisor,
            worker=case_manager,
            held_on=timezone.localdate() - timedelta(days=7 * (count - n)),
        )
        session.young_people.set(young_people)
        SupervisionActionFactory(session=session)
        sessions.append(session)

    # session user, OTP device, groups; the worker; whether the supervisor leads their team;
    # the caseload review (team members, cases, contacts made); the cases to tick; the open
    # actions; unread notifications; the worker's page read, in the audit trail (savepoint,
    # insert, release)
    with django_assert_num_queries(14):
        supervisor_client.get(new_session_url(case_manager))
    # session user, OTP device; the session; the audit row (savepoint, insert, release); the
    # actions; groups; unread notifications; the young people discussed
    with django_assert_num_queries(10):
        supervisor_client.get(reverse("supervision:session", args=[sessions[-1].pk]))
    # session user, OTP device, groups; the count; the workers to start a session with; unread
    # notifications; the workers to filter by; the page of sessions
    with django_assert_num_queries(8):
        supervisor_client.get(reverse("supervision:sessions"))
