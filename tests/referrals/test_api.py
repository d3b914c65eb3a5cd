import itertools
import json
import time
import uuid
from datetime import date, timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.services import register_external_system
from audit.models import AuditAction, AuditEvent
from caseplans.models import CasePlan, ExitPlan
from referrals.models import Referral
from register.services import list_young_person
from tests.factories import (
    AppointmentFactory,
    CasePlanFactory,
    ContactFactory,
    CrisisPlanFactory,
    DocumentFactory,
    GoalFactory,
    ReferralFactory,
    TaskFactory,
    TeamFactory,
    UserFactory,
    api_token_for,
)

pytestmark = pytest.mark.django_db

REFERRALS = "/api/referrals/"


@pytest.fixture
def system(practitioner):
    """A child protection system's account (a practitioner) and its token."""
    return practitioner, api_token_for(practitioner)


def api(client, token):
    class Api:
        def get(self, url):
            return client.get(url, HTTP_AUTHORIZATION=f"Token {token}")

        def post(self, url, data=None):
            return client.post(
                url,
                data if isinstance(data, str) else data or {},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
            )

    return Api()


@pytest.fixture
def wsgi_app():
    """The application, called in this process and inside the test's transaction: its end
    of request must not close the test's database connection (Django's test client holds
    the connection open the same way)."""
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def referral_json(team, **changes) -> dict:
    return {
        "team": team.pk,
        "urgency": "urgent",
        "given_name": "Zara",
        "family_name": "Hughes",
        "date_of_birth": "2011-02-03",
        "child_protection_number": "CP-555777",
        "presenting_issues": {"safety": "Exploited by older men; missing for days."},
        "risks": ["sexual_exploitation", "absconding"],
        "tried_before": "Secure welfare twice; absconds within days.",
        "register_listed": True,
        "register_listed_on": "2026-11-01",
        "consent": "knows",
        "submit": True,
    } | changes


def test_a_referral_submitted_through_the_api_reaches_the_triage_queue(
    client, system, team, supervisor, log_in
):
    _, token = system

    response = api(client, token).post(REFERRALS, referral_json(team))

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["missing"]) == ("submitted", [])
    log_in(supervisor)
    queue = client.get(reverse("referrals:queue"))
    assert [referral.pk for referral in queue.context["waiting"]] == [body["id"]]


def test_sending_the_same_referral_again_returns_it(client, system, team):
    _, token = system
    data = referral_json(team, client_reference=str(uuid.uuid4()))

    first = api(client, token).post(REFERRALS, data)
    second = api(client, token).post(REFERRALS, data)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Referral.objects.count() == 1


def test_an_incomplete_referral_is_kept_as_a_draft_with_what_is_missing(client, system, team):
    _, token = system

    response = api(client, token).post(
        REFERRALS, referral_json(team, submit=False, tried_before="", risks=[])
    )

    assert response.status_code == 201
    assert response.json()["missing"] == [
        "the risks",
        "what has been tried, and why a less assertive approach has not worked",
    ]
    refused = api(client, token).post(f"{REFERRALS}{response.json()['id']}/submit/")
    assert refused.status_code == 400
    assert "Missing: the risks." in refused.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"presenting_issues": {"astrology": "x"}}, "presenting_issues"),
        ({"risks": ["boredom"]}, "risks"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"team": 999999}, "team"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(client, system, team, changes, field):
    _, token = system

    response = api(client, token).post(REFERRALS, referral_json(team) | changes)

    assert response.status_code == 400
    assert field in response.json()
    assert not Referral.objects.exists()


def test_the_api_shows_only_this_systems_referrals(client, system, team):
    _, token = system
    someone_elses = ReferralFactory(team=team)

    listed = api(client, token).get(REFERRALS).json()
    fetched = api(client, token).get(f"{REFERRALS}{someone_elses.pk}/")

    assert listed["results"] == []
    assert fetched.status_code == 404


def test_listing_referrals_is_audited_as_one_read_naming_them(client, system, team):
    practitioner, token = system
    mine = [ReferralFactory(referred_by=practitioner, team=team) for _ in range(2)]

    listed = api(client, token).get(REFERRALS).json()

    (event,) = AuditEvent.objects.all()
    assert (event.action, event.actor) == (AuditAction.VIEW, practitioner)
    assert event.detail["list"] == "referrals-api"
    assert sorted(event.detail["referrals"]) == sorted(r.pk for r in mine)
    assert len(listed["results"]) == 2


def test_fetching_a_referral_is_audited_as_a_read_of_it(client, system, team):
    practitioner, token = system
    referral = ReferralFactory(referred_by=practitioner, team=team)

    assert api(client, token).get(f"{REFERRALS}{referral.pk}/").status_code == 200

    (event,) = AuditEvent.objects.all()
    assert (event.action, event.actor) == (AuditAction.VIEW, practitioner)
    assert (event.object_type, event.object_id) == ("referrals.referral", str(referral.pk))


def test_fetching_someone_elses_referral_is_audited_as_refused(client, system, team):
    practitioner, token = system
    someone_elses = ReferralFactory(team=team)

    assert api(client, token).get(f"{REFERRALS}{someone_elses.pk}/").status_code == 404

    (event,) = AuditEvent.objects.all()
    assert (event.action, event.actor) == (AuditAction.REFUSED, practitioner)
    assert event.object_id == str(someone_elses.pk)


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_referral_list_query_count_is_constant(
    client, system, team, django_assert_num_queries, item_count
):
    practitioner, token = system
    for _ in range(item_count):
        ReferralFactory(referred_by=practitioner, team=team)

    # the token with its account, its last use (the first this minute), the account's groups;
    # the count and the page of referrals, their key people, their professionals; the read, in
    # the audit trail: savepoint, insert, release
    with django_assert_num_queries(10):
        assert api(client, token).get(REFERRALS).status_code == 200


def test_a_token_of_an_icms_worker_is_refused(client, case_manager):
    token = api_token_for(case_manager)

    assert api(client, token).get(REFERRALS).status_code == 403


def test_create_api_token_prints_a_working_token_for_a_practitioner_only(
    client, practitioner, case_manager, capsys
):
    call_command("create_api_token", practitioner.username)
    token = capsys.readouterr().out.strip()

    assert api(client, token).get(REFERRALS).status_code == 200
    with pytest.raises(CommandError, match="must be a child protection practitioner"):
        call_command("create_api_token", case_manager.username)


def test_no_token_or_a_wrong_one_is_refused(client, db):
    assert client.get(REFERRALS).status_code == 401
    assert api(client, "not-a-token").get(REFERRALS).status_code == 401


def test_the_schema_and_its_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/referrals/{id}/submit/" in schema.content
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
    assert "<script>" not in docs.text  # no inline script: the content security policy holds


def test_a_team_of_another_division_is_refused_naming_nothing_of_it(client, system, team, west):
    """A team id of another division was an AttributeError (a 500) while the refusal was put
    into words; the team is now refused as one that does not exist, as the web form does."""
    _, token = system
    elsewhere = TeamFactory(name="Kestrel Ridge ICMS", division=west)

    response = api(client, token).post(REFERRALS, {"team": elsewhere.pk})

    assert response.status_code == 400
    assert response.json() == {"team": [f'Invalid pk "{elsewhere.pk}" - object does not exist.']}
    assert "Kestrel" not in response.text
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # too deep for Python's parser: was a RecursionError
        '{"team": ',
        "[1, 2]",
        '"just a string"',
        "NaN",
        '{"team": 1e400}',
        "9" * 5000,
        '{"team": 99999999999999999999999}',
        '{"presenting_issues": ' + "[" * 500 + "]" * 500 + "}",
    ],
)
def test_any_json_body_gets_a_clear_400(client, system, team, body):
    _, token = system

    response = api(client, token).post(REFERRALS, body)

    assert response.status_code == 400
    assert response.json()
    assert not Referral.objects.exists()


def test_a_service_refusal_by_field_is_a_400_naming_the_field(client, system, team):
    """A refusal the service words by field (here the model's own validation) reaches the
    system as a 400 with its message under the field's name."""
    _, token = system

    response = api(client, token).post(REFERRALS, referral_json(team, consent_notes="x" * 600))

    assert response.status_code == 400
    assert list(response.json()) == ["consent_notes"]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("path", ["1.5/", "x%2Fy/", "1/no-such-action/", "no-such-thing/"])
def test_an_api_address_that_matches_no_route_answers_as_the_api_does(client, system, path):
    _, token = system

    response = api(client, token).get(f"{REFERRALS}{path}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def _schema(client) -> dict:
    return json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)


def test_the_schema_says_every_answer_an_operation_gives(client, db):
    operations = {
        f"{method.upper()} {path}": sorted(operation["responses"])
        for path, methods in _schema(client)["paths"].items()
        for method, operation in methods.items()
        if method != "parameters"
    }

    read = ["200", "401", "403", "404", "429", "503"]
    write = ["200", "400", "401", "403", "404", "429", "503"]
    records = [
        "young-people",
        "case-plans",
        "crisis-plans",
        "exit-plans",
        "register-entries",
        "appointments",
        "documents",
    ]
    assert operations == {
        "GET /api/referrals/": read,
        "POST /api/referrals/": ["200", "201", "400", "401", "403", "429", "503"],
        "GET /api/referrals/{id}/": read,
        "PATCH /api/referrals/{id}/": write,
        "POST /api/referrals/{id}/submit/": write,
        "POST /api/referrals/{id}/withdraw/": write,
        "POST /api/referrals/{id}/child-protection-decisions/": sorted([*write, "409"]),
        "GET /api/young-people/{id}/contacts/": read,
        "GET /api/young-people/{id}/contacts/{contact_pk}/": read,
        **{f"GET /api/{name}/": sorted([*read, "400"]) for name in records},
        **{f"GET /api/{name}/{{id}}/": read for name in records},
        "GET /api/documents/{id}/versions/{version_pk}/file/": read,
    }


def test_a_declined_and_an_open_referral_are_as_the_schema_says(system, team, wsgi_app):
    """The decline reason is empty until a referral is declined: the schema's enum has it."""
    practitioner, token = system
    declined = ReferralFactory(
        referred_by=practitioner,
        team=team,
        status="declined",
        decline_reason="capacity",
        submitted_at=timezone.now(),
    )
    waiting = ReferralFactory(referred_by=practitioner, team=team, submitted_at=timezone.now())
    api_schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    retrieve = api_schema["/api/referrals/{id}/"]["GET"]

    bodies = [
        retrieve.Case(path_parameters={"id": referral.pk})
        .call_and_validate(
            headers={"Authorization": f"Token {token}"},
            checks=[status_code_conformance, response_schema_conformance],
        )
        .json()
        for referral in (declined, waiting)
    ]

    assert [body["decline_reason"] for body in bodies] == ["capacity", ""]


# --- schemathesis over the whole schema, as each role -----------------------------------------

API_ROLES = [
    "anonymous",
    "case_manager",
    "supervisor",
    "practitioner",
    "register_coordinator",
    "administrator",
    "team_system",
]
# Examples per operation and kind (valid and not): enough to reach each answer the API gives,
# few enough to keep the run short. The practitioner's writes take the most; a read has a few
# parameters (a cursor, a page size, a young person, a moment).
WRITE_EXAMPLES = {"practitioner": 40}
OTHER_EXAMPLES = 8


@pytest.fixture
def team_system(team, administrator):
    """The team's data warehouse: an external system reading the team as its supervisor."""
    system = register_external_system(
        name="Warehouse", roles=[Role.SUPERVISOR], team=team, division=None, by=administrator
    )
    return system.account


def the_file_of(young_person, practitioner, team, coordinator) -> dict[str, list[dict]]:
    """A young person's file with one of each record the API reads, and the practitioner's
    referrals in each state: by operation path, the ids a test calls it with."""
    ReferralFactory(referred_by=practitioner, team=team, status="draft", submitted_at=None)
    for status in ("submitted", "considering", "declined"):
        ReferralFactory(
            referred_by=practitioner,
            team=team,
            status=status,
            submitted_at=timezone.now(),
            decline_reason="eligibility" if status == "declined" else "",
        )
    ReferralFactory(
        referred_by=practitioner,
        team=team,
        status="accepted",
        young_person=young_person,
        decided_at=timezone.now(),
    )
    referrals = list(Referral.objects.order_by("pk").values_list("pk", flat=True))
    contacts = [
        ContactFactory(young_person=young_person, restricted_because=restricted)
        for restricted in ("", "health")
    ]
    plan = CasePlanFactory(young_person=young_person, status=CasePlan.Status.CURRENT)
    TaskFactory(goal=GoalFactory(plan=plan))
    documents = [
        DocumentFactory(young_person=young_person, restricted_because=restricted)
        for restricted in ("", "health")
    ]
    records = {
        "case-plans": plan,
        "crisis-plans": CrisisPlanFactory(young_person=young_person),
        "exit-plans": ExitPlan.objects.create(
            young_person=young_person, exit_on=timezone.localdate() + timedelta(days=90)
        ),
        "register-entries": list_young_person(
            young_person, by=coordinator, listed_on=date(2026, 11, 2), risk_factors=[]
        ),
        "appointments": AppointmentFactory(young_person=young_person),
        "young-people": young_person,
    }
    return {
        "/api/young-people/{id}/contacts/{contact_pk}/": [
            {"id": young_person.pk, "contact_pk": contact.pk} for contact in contacts
        ],
        "/api/young-people/{id}/contacts/": [{"id": young_person.pk}],
        "/api/documents/{id}/versions/{version_pk}/file/": [
            {"id": document.pk, "version_pk": document.versions.get().pk} for document in documents
        ],
        "/api/documents/{id}/": [{"id": document.pk} for document in documents],
        **{f"/api/{name}/{{id}}/": [{"id": record.pk}] for name, record in records.items()},
        "/api/referrals/": [{}],
        "/api/referrals/{id}": [{"id": pk} for pk in referrals],
    }


@pytest.mark.parametrize("role", API_ROLES)
def test_every_answer_of_the_api_is_in_its_schema(
    request, role, team, practitioner, register_coordinator, wsgi_app
):
    """schemathesis sends requests made from the schema (valid and not) to every operation, as
    each role, to the application itself; every answer must be no server error, and be in the
    schema: its status, its content type and its body. Derandomised: each run sends the same
    requests. (Driven directly: schemathesis's pytest loader does not run under pytest 9.)"""
    young_person = request.getfixturevalue("own_young_person")
    ids = the_file_of(young_person, practitioner, team, register_coordinator)
    headers = {}
    if role != "anonymous":
        user = request.getfixturevalue(role)
        headers["Authorization"] = f"Token {api_token_for(user)}"
    api_schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 24
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    started = time.monotonic()

    for operation in operations:
        # Besides ids made up, the records of the file, and each of the practitioner's
        # referrals in each of its states.
        known = next(
            (ids[path] for path in ids if operation.path.startswith(path)),
            [{}] if "{" not in operation.path else [],
        )
        targets = [{}, *known] if "{" in operation.path else known
        examples = (
            WRITE_EXAMPLES.get(role, OTHER_EXAMPLES)
            if operation.method.upper() != "GET"
            else OTHER_EXAMPLES
        )
        for mode, path_parameters in itertools.product(
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), targets
        ):
            cache.clear()  # each operation starts within the rate limit

            @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
            @settings(
                max_examples=max(examples // len(targets), 2),
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=checks)

            call()

    print(f"schemathesis as {role}: {time.monotonic() - started:.1f} s")  # noqa: T201


# --- Child protection's decisions, written back through the API --------------------------------


@pytest.fixture
def accepted(accepted_referral):
    return accepted_referral


def decisions_url(referral) -> str:
    return f"{REFERRALS}{referral.pk}/child-protection-decisions/"


def test_child_protection_records_its_decisions_through_the_api(
    client, system, accepted, own_young_person
):
    _, token = system
    body = {"version": own_young_person.version, "decided_on": "2026-11-02"}

    answer = api(client, token).post(decisions_url(accepted), body | {"legal_order": "cbso"})

    assert answer.status_code == 200, answer.content
    own_young_person.refresh_from_db()
    assert own_young_person.legal_order == "cbso"
    assert answer.json()["version"] == own_young_person.version
    assert own_young_person.child_protection_decisions.get().after == "Care by Secretary order"
    assert api(client, token).get(f"{REFERRALS}{accepted.pk}/").json()["young_person"] == (
        own_young_person.pk
    )


def test_a_stale_write_answers_409_with_what_changed_and_saves_nothing(
    client, system, accepted, own_young_person
):
    _, token = system
    read_at = own_young_person.version
    first = {"version": read_at, "decided_on": "2026-11-02", "legal_order": "cbso"}
    assert api(client, token).post(decisions_url(accepted), first).status_code == 200

    stale = {"version": read_at, "decided_on": "2026-11-03", "permanency_objective": "adoption"}
    answer = api(client, token).post(decisions_url(accepted), stale)

    assert answer.status_code == 409
    body = answer.json()
    assert body["version"] == read_at + 1
    assert {"field": "legal_order", "label": "Legal order", "now": "Care by Secretary order"} in (
        body["changes"]
    )
    own_young_person.refresh_from_db()
    assert own_young_person.permanency_objective != "adoption"


def test_a_decision_on_someone_elses_referral_is_a_404(client, accepted, north):
    other = UserFactory(role=Role.PRACTITIONER, division=north)
    body = {"version": 1, "decided_on": "2026-11-02", "legal_order": "cbso"}

    answer = api(client, api_token_for(other)).post(decisions_url(accepted), body)

    assert answer.status_code == 404
