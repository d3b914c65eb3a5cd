"""What the benchmark commands share: a scratch database, a division with a team, a signed-in
client and a page timer."""

import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Division, Team, User
from caseplans.models import CasePlan, ContactAdvanced, Goal, GoalNote, Task
from clients.models import Contact, LifeDomain, YoungPerson
from icms.database_roles import as_owner


@contextmanager
def scratch_database() -> Iterator[str]:
    """A throwaway copy of the schema (Django's test database machinery), dropped at the end;
    yields its name. As the owner's role, which may create a database and load it with the
    triggers off."""
    with as_owner():
        original_name = connection.settings_dict["NAME"]
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            yield name
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def benchmark_team(workers: int) -> tuple[Division, Team, list[User]]:
    """The "Benchmark" division and team, with `workers` workers (worker0, worker1, ...)."""
    division = Division.objects.create(name="Benchmark")
    team = Team.objects.create(name="Benchmark team", division=division)
    made = User.objects.bulk_create(
        User(username=f"worker{n}", team=team, email=f"worker{n}@icms.example")
        for n in range(workers)
    )
    return division, team, made


def benchmark_young_people(
    count: int, team: Team, extra: Callable[[int], dict] = lambda n: {}
) -> list[YoungPerson]:
    """`count` active young people of the team (Young0 Person, ...); `extra(n)` gives the n-th
    any further fields."""
    return YoungPerson.objects.bulk_create(
        (
            YoungPerson(
                given_name=f"Young{n}",
                family_name="Person",
                date_of_birth=date(2010, 1, 1),
                division=team.division,
                team=team,
                status=YoungPerson.Status.ACTIVE,
                **extra(n),
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


@contextmanager
def serving_pages() -> Iterator[None]:
    """Settings for fetching pages with the test client: static files as found, not as
    collected (no collectstatic needed), and the test client's host allowed."""
    warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT: not used
    storages = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    with override_settings(
        STORAGES=storages, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
    ):
        yield


def signed_in_client(user: User) -> Client:
    """A test client logged in as `user` past both steps (password and authenticator)."""
    client = Client()
    client.force_login(user)
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Benchmark", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def big_plan(
    worker: User, young_person: YoungPerson, goals: int, tasks: int, contacts: int
) -> CasePlan:
    """A current plan of `young_person` with `goals` goals of `tasks` tasks each, five progress
    notes a goal, and `contacts` contacts by `worker` that advanced its goals in turn."""
    today = timezone.localdate()
    plan = CasePlan.objects.create(
        young_person=young_person,
        number=1,
        status=CasePlan.Status.CURRENT,
        starts_on=today - timedelta(days=90),
        review_on=today + timedelta(days=30),
        participants=["young_person", "family"],
        agreed_on=today - timedelta(days=90),
        created_by=worker,
        approved_by=worker,
        approved_at=timezone.now(),
    )
    domains = LifeDomain.values
    made = Goal.objects.bulk_create(
        Goal(
            plan=plan,
            position=n,
            domain=domains[n % len(domains)],
            in_own_words=f"Goal number {n}, in the young person's own words, at some length.",
            strengths="Strengths it builds on, written out as a worker would.",
        )
        for n in range(goals)
    )
    Task.objects.bulk_create(
        Task(
            goal=goal,
            position=n,
            description=f"Task {n} of goal {goal.position}: something to be done, described.",
            responsible=Task.Responsible.CASE_MANAGER,
            due_on=today + timedelta(days=n),
        )
        for goal in made
        for n in range(tasks)
    )
    GoalNote.objects.bulk_create(
        GoalNote(lineage=goal.lineage, text="Progress, as noted.", written_by=worker)
        for goal in made
        for _ in range(5)
    )
    recorded = Contact.objects.bulk_create(
        Contact(
            young_person=young_person,
            started_at=timezone.now() - timedelta(hours=n + 1),
            duration_minutes=30,
            mode=Contact.Mode.PHONE,
            kind=Contact.Kind.OUTREACH,
            notes="A contact.",
            after_hours=False,
            recorded_by=worker,
            recorded_at=timezone.now(),
        )
        for n in range(contacts)
    )
    ContactAdvanced.objects.bulk_create(
        ContactAdvanced(contact=contact, goal_lineage=made[n % goals].lineage)
        for n, contact in enumerate(recorded)
    )
    return plan


@dataclass(frozen=True)
class PageTiming:
    median_ms: float
    p95_ms: float
    queries: int
    kilobytes: float


def time_page(client: Client, url: str, samples: int) -> PageTiming:
    """Fetch `url` `samples` times as a browser would (middleware, policy, audit included)."""
    timings = []
    for _ in range(samples):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return PageTiming(
        median_ms=statistics.median(timings),
        p95_ms=statistics.quantiles(timings, n=20)[-1],
        queries=len(queries),
        kilobytes=len(response.content) / 1024,
    )
