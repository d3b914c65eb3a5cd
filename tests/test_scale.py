"""The statewide benchmark's generator and pages (devtools/scale.py, devtools/loadbench.py and
devtools/pagebench.py), at small sizes: the records are whole and consistent, and each page
`make bench` drives or times runs the same number of queries at two sizes of data."""

from importlib import import_module

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseplans.models import CasePlan, Task
from clients.models import Contact, YoungPerson
from devtools import loadbench, pagebench, scale
from referrals.models import Referral
from register.models import RegisterEntry, RegisterReview
from tests.factories import IntensityLevelFactory, shipped_data

SMALL = scale.Sizes(
    young_people=30, workers=10, contacts=600, tasks=150, register_reviews=60, documents=90
)
LARGER = scale.Sizes(
    young_people=90, workers=20, contacts=3000, tasks=600, register_reviews=240, documents=270
)

# Queries per page, whatever the size of the data. A timeline page runs one more for each kind
# of entry on it (contacts, plans, allocations, ...): those are counted apart. The tests run
# outside a test transaction, as the pages are served: a POST's transaction is no savepoint, and
# the audit row of every page that shows client information (all but the login page) is one
# INSERT.
QUERIES = {
    "My caseload": 9,  # + the exit lead times and the exits coming
    "young person's record": 19,  # + merges, referrals and documents, CP decisions, appointments
    "timeline (first page)": 10,
    "timeline (page 8)": 10,
    "contact form (GET)": 15,  # + the team's workers a restricted note may name (any? which?)
    "contact form (POST)": 38,  # + the same, to check the readers named
    "caseload review": 9,
    "team dashboard": 12,
    "referral triage queue": 11,
    "register, reviews overdue": 8,
    "login page": 0,
}
# The pages benchmark_pages times that the load does not drive (the rest are above).
PAGES_TIMED_IN_PROCESS = {
    "bare Django request": 2,  # the session and the user
    "floor (bare view, signed in)": 2,  # the user and the authenticator device
    "the big case plan": 15,
    "the big case plan's PDF": 15,
    "diary (today)": 7,
    "documents": 11,
    "outcomes": 17,
    "supervisor's home": 23,
    "closed files (archive)": 4,
}


def _seed(sizes: scale.Sizes) -> None:
    # The intensity levels of the data migration, which an earlier transactional test's flush
    # takes away.
    levels = import_module("clients.migrations.0002_default_intensity_levels").DEFAULT_LEVELS
    for name, weight, threshold, expected in levels:
        IntensityLevelFactory(
            name=name,
            caseload_weight=weight,
            contact_threshold_days=threshold,
            expected_contacts_per_fortnight=expected,
        )
    shipped_data()  # the rest of what the migrations made, likewise
    scale.seed(sizes, say=lambda line: None)


@pytest.mark.django_db(transaction=True)  # seeding switches to the owner's role
def test_the_generator_makes_the_records_asked_for_and_they_hold_together():
    _seed(SMALL)

    young_people = YoungPerson.objects.filter(division__name__in=scale.DIVISIONS)
    assert young_people.count() == 30
    assert Contact.objects.filter(young_person__in=young_people).count() == 600
    assert Task.objects.count() == 150
    assert RegisterReview.objects.count() >= 60
    assert scale.counts()["documents"] == 90
    # Every young person came through an accepted referral, and every open one has a case
    # manager and exactly one current plan.
    assert Referral.objects.filter(status="accepted").count() == 30
    open_cases = young_people.exclude(status=YoungPerson.Status.CLOSED)
    assert open_cases.exists()
    assert not open_cases.filter(primary_case_manager__isnull=True).exists()
    for young_person in open_cases:
        assert young_person.case_plans.filter(status=CasePlan.Status.CURRENT).count() == 1
    # Contacts fall within the young person's time in ICMS, are never in the future, and are
    # marked after hours exactly when they are.
    from toolkit.hours import is_after_hours

    for contact in Contact.objects.select_related("young_person")[:200]:
        assert contact.started_at <= contact.recorded_at
        assert contact.after_hours == is_after_hours(contact.started_at)
        assert contact.workers.filter(pk=contact.recorded_by_id).exists()
    # The register: one open review per listed young person, none for a removed one.
    for entry in RegisterEntry.objects.all():
        open_reviews = entry.reviews.filter(reviewed_on__isnull=True).count()
        assert open_reviews == (1 if entry.status == RegisterEntry.Status.ACTIVE else 0)


@pytest.mark.django_db(transaction=True)  # seeding switches to the owner's role
def test_the_generator_refuses_to_load_twice():
    _seed(SMALL)
    assert scale.seeded()
    assert scale.counts()["young people"] == 30


@pytest.mark.django_db(transaction=True)  # seeding switches to the owner's role
@pytest.mark.parametrize("sizes", [SMALL, LARGER], ids=["small", "larger"])
def test_each_benchmarked_page_runs_the_same_queries_at_any_size(sizes, log_in, client):
    _seed(sizes)
    counted = {}
    for user, pages in loadbench.first_of_each_role().values():
        log_in(user)
        for page in pages:
            if not page.url:
                continue
            if page.name == "contact form (POST)":
                counted[page.name] = _queries_to_log_a_contact(client, page.url)
                continue
            client.get(page.url)  # the session's first request saves more than later ones
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.url)
            assert response.status_code == 200, page.name
            # the timeline: one fetch per table of the entries shown (a kind's moments of one
            # table share theirs)
            shown = response.context.get("entries") if page.name.startswith("timeline") else []
            fetches = {type(entry.item) for entry in shown or []}
            counted[page.name] = len(queries) - len(fetches)
        client.logout()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(reverse("accounts:login")).status_code == 200
    counted["login page"] = len(queries)

    assert counted == QUERIES


@pytest.mark.django_db(transaction=True)  # seeding switches to the owner's role
@pytest.mark.parametrize("sizes", [SMALL, LARGER], ids=["small", "larger"])
def test_each_page_timed_in_process_runs_the_same_queries_at_any_size(sizes, settings):
    _seed(sizes)
    settings.ROOT_URLCONF = "devtools.bench_urls"
    pages = [
        page
        for page in pagebench.pages(samples=1, pdf_samples=1)
        if page.name in PAGES_TIMED_IN_PROCESS
    ]
    for page in pages:
        page.fetch()  # the session's first request saves more than later ones
        page.count_queries()
    assert {page.name: page.queries for page in pages} == PAGES_TIMED_IN_PROCESS


def _queries_to_log_a_contact(client, url: str) -> int:
    data = loadbench.contact_data(client.get(url).content)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content
    return len(queries)
