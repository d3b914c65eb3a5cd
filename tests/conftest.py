"""Shared fixtures: test-only settings, and the personas of DOMAIN.md, each with data that is
theirs and data that is not."""

import math
import os
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Discipline, Role
from icms.celery import app as celery_app
from icms.database_roles import connect_as_app, connect_as_owner
from tests.factories import (
    CareTeamFactory,
    DivisionFactory,
    TeamFactory,
    TOTPDeviceFactory,
    UserFactory,
    YoungPersonFactory,
)


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """The test client and live server speak plain HTTP, static files are not collected, and
    passwords need not resist attack here."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # Local memory: isolated from a running `make run`, and it follows time-machine.
        CACHES={
            alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
            for alias in ("default", "sessions")
        },
        WHITENOISE_AUTOREFRESH=True,
        WHITENOISE_USE_FINDERS=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """The owner's role makes and migrates this worker's test database (pytest-django's
    django_db_setup, next), as `migrate` does in a deployment."""
    with django_db_blocker.unblock():
        connect_as_owner()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then every test connects as the app's role, as web, worker and beat do: the suite proves
    that what `migrate` grants it is enough for all the app does. The owner drops the database
    at the end."""
    connect_as_app()
    yield
    with django_db_blocker.unblock():
        connect_as_owner()


@pytest.fixture(scope="session", autouse=True)
def _own_celery_queue():
    """Tasks sent by tests run at once, in the test (test_tasks.py runs a real worker, with a
    queue of its own, out of reach of a `make run` worker)."""
    celery_app.conf.task_default_queue = f"icms-tests-{os.getpid()}"
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def log_in(client):
    """Log `user` in to the test client as after both steps: password and authenticator."""

    def log_in(user):
        device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return log_in


# --- The people and young people most tests start from ----------------------------------------
# Built by plain functions so that a module can build them once for all its tests (the access
# matrix: tests/test_access_matrix.py), and by one fixture each for the others.


def make_supervisor(team):
    user = UserFactory(
        username="supervisor", role=Role.SUPERVISOR, team=team, discipline=Discipline.SOCIAL_WORK
    )
    team.supervisor = user
    team.save(update_fields=["supervisor"])
    return user


def make_case_manager(team):
    return UserFactory(
        username="case_manager",
        first_name="Casey",
        role=Role.CASE_MANAGER,
        team=team,
        discipline=Discipline.INTENSIVE_CASE_MANAGER,
    )


def make_other_team_case_manager(other_team):
    return UserFactory(
        username="other_case_manager",
        role=Role.CASE_MANAGER,
        team=other_team,
        discipline=Discipline.YOUTH_WORK,
    )


def make_own_young_person(team, case_manager):
    """A young person on the case manager's caseload, in the supervisor's team."""
    return YoungPersonFactory(
        given_name="Jayden", family_name="Own", team=team, primary_case_manager=case_manager
    )


def make_care_team_young_person(team, case_manager):
    """A young person the case manager supports as a care-team member, not as primary."""
    other_worker = UserFactory(role=Role.CASE_MANAGER, team=team)
    young_person = YoungPersonFactory(
        given_name="Noah", family_name="Shared", team=team, primary_case_manager=other_worker
    )
    CareTeamFactory(young_person=young_person, worker=case_manager)
    return young_person


def make_other_young_person(other_team, other_team_case_manager):
    """A young person of the other team: nothing of it may reach the first team's people."""
    return YoungPersonFactory(
        given_name="Zara",
        family_name="Other",
        team=other_team,
        primary_case_manager=other_team_case_manager,
    )


def make_people() -> dict:
    """Everything the fixtures below make, made at once, by fixture name."""
    people = {"north": DivisionFactory(name="North"), "west": DivisionFactory(name="West")}
    team = people["team"] = TeamFactory(name="ICMS North", division=people["north"])
    other_team = people["other_team"] = TeamFactory(name="ICMS West", division=people["west"])
    case_manager = people["case_manager"] = make_case_manager(team)
    other_team_case_manager = make_other_team_case_manager(other_team)
    return people | {
        "supervisor": make_supervisor(team),
        "other_team_case_manager": other_team_case_manager,
        "practitioner": make_practitioner(people["north"]),
        "register_coordinator": make_register_coordinator(people["north"]),
        "administrator": make_administrator(),
        "own_young_person": make_own_young_person(team, case_manager),
        "care_team_young_person": make_care_team_young_person(team, case_manager),
        "other_young_person": make_other_young_person(other_team, other_team_case_manager),
    }


def make_practitioner(north):
    return UserFactory(username="practitioner", role=Role.PRACTITIONER, division=north)


def make_register_coordinator(north):
    return UserFactory(username="coordinator", role=Role.REGISTER_COORDINATOR, division=north)


def make_administrator():
    return UserFactory(username="administrator", role=Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def north(db):
    return DivisionFactory(name="North")


@pytest.fixture
def west(db):
    return DivisionFactory(name="West")


@pytest.fixture
def team(north):
    return TeamFactory(name="ICMS North", division=north)


@pytest.fixture
def other_team(west):
    return TeamFactory(name="ICMS West", division=west)


@pytest.fixture
def supervisor(team):
    return make_supervisor(team)


@pytest.fixture
def case_manager(team):
    return make_case_manager(team)


@pytest.fixture
def other_team_case_manager(other_team):
    return make_other_team_case_manager(other_team)


@pytest.fixture
def practitioner(north):
    return make_practitioner(north)


@pytest.fixture
def register_coordinator(north):
    return make_register_coordinator(north)


@pytest.fixture
def administrator(db):
    return make_administrator()


@pytest.fixture
def own_young_person(team, case_manager):
    return make_own_young_person(team, case_manager)


@pytest.fixture
def care_team_young_person(team, case_manager):
    return make_care_team_young_person(team, case_manager)


@pytest.fixture
def other_young_person(other_team, other_team_case_manager):
    return make_other_young_person(other_team, other_team_case_manager)


# --- Running on every CPU (pytest-xdist: `-n auto` in pyproject.toml) --------------------------


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity mask, capped by a cgroup CPU quota (a
    container given `--cpus 2` on a 64-core host sees 64 CPUs but may use two)."""
    count = len(os.sched_getaffinity(0))  # Linux, as the rest of ICMS
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            count = min(count, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(count, 1)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """One worker per usable CPU. xdist's own count is of physical cores when psutil is installed
    (pgserver needs it), and the two vCPUs of a CI machine are often one core's two threads."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook obeys it
    return usable_cpus()


ACCESS_MATRIX_SIZE = pytest.StashKey[int]()
# The lines of tests/browser/test_accessibility.py's table of the pages axe checked.
ACCESSIBILITY_REPORT = pytest.StashKey[list[str]]()


def _access_matrix_size() -> int | None:
    """The size of the access matrix, if this process collected it."""
    matrix = sys.modules.get("tests.test_access_matrix")
    return None if matrix is None else matrix.MATRIX_SIZE


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker: tell the controller, which collects no tests and prints the summary.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and (size := _access_matrix_size()) is not None:
        workeroutput["access_matrix_size"] = size
    if workeroutput is not None and ACCESSIBILITY_REPORT in session.config.stash:
        workeroutput["accessibility_report"] = session.config.stash[ACCESSIBILITY_REPORT]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    size = getattr(node, "workeroutput", {}).get("access_matrix_size")
    if size is not None:
        node.config.stash[ACCESS_MATRIX_SIZE] = size
    report = getattr(node, "workeroutput", {}).get("accessibility_report")
    if report is not None:
        node.config.stash[ACCESSIBILITY_REPORT] = report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    size = config.stash.get(ACCESS_MATRIX_SIZE, None) or _access_matrix_size()
    if size is not None:
        terminalreporter.write_line(f"access matrix: {size} cases (URL x role x object)")
    report = config.stash.get(ACCESSIBILITY_REPORT, None)
    if report is not None:
        terminalreporter.section("pages checked by axe")
        for line in report:
            terminalreporter.write_line(line)
