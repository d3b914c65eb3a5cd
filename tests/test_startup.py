"""Start-up from the command line, as an operator meets it: run manage.py in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
        and not key.startswith("DJANGO_")
    }
    env.update(environment)
    return subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], **environment)


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (
            "postgres://icms@127.0.0.1:1/icms",
            "ICMS cannot reach its database (icms on 127.0.0.1:1)",
        ),
        ("postgres://icms@db.invalid:5432/icms", "ICMS cannot reach its database"),
        ("not a url", "ICMS cannot start: DATABASE_URL must point to PostgreSQL"),
        ("mysql://icms@localhost/icms", "ICMS cannot start: DATABASE_URL must point to PostgreSQL"),
        ("postgres://icms@localhost:port/icms", "ICMS cannot start: DATABASE_URL cannot be read"),
    ],
)
def test_an_unusable_database_url_stops_start_up_with_one_line(database_url, expected):
    result = run_manage("migrate", DATABASE_URL=database_url, REDIS_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 1
    assert result.stderr.startswith(expected), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "gunicorn"), "icms.wsgi", "--bind", "127.0.0.1:0"],
        [str(BIN / "celery"), "--app", "icms", "worker", "--pool", "solo"],
        [str(BIN / "celery"), "--app", "icms", "beat", "--schedule", "/dev/null"],
    ],
    ids=["gunicorn", "celery worker", "celery beat"],
)
def test_web_worker_and_beat_refuse_an_unreachable_database_with_one_line(command):
    result = run(
        command, DATABASE_URL="postgres://icms@127.0.0.1:1/icms", REDIS_URL="redis://127.0.0.1:1/0"
    )

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    complaints = [line for line in output.splitlines() if line.startswith("ICMS cannot")]
    # libpq's non-blocking connect (icms/database) names no server: the line does.
    assert complaints == [
        "ICMS cannot reach its database (icms on 127.0.0.1:1): Connection refused. Check "
        "DATABASE_URL, or unset it to use the embedded PostgreSQL."
    ]


def test_a_bad_yes_no_value_stops_start_up_with_one_line():
    result = run_manage("check", DEBUG="maybe", DATABASE_URL="postgres://x@127.0.0.1:1/x")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ICMS cannot start: DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'"
    )


def test_production_settings_pass_the_deployment_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-production-secret-" + "x7Qm2#pL9v" * 6,
        ALLOWED_HOSTS="icms.example.org",
        DATABASE_URL="postgres://icms@db.example.org:5432/icms",
        REDIS_URL="redis://redis.example.org:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_unusable_owners_url_stops_migrate_with_one_line(settings):
    """The app's role connects; the owner's (DATABASE_OWNER_URL) names a role that does not
    exist. Before anything is migrated."""
    app = settings.DATABASES["default"]
    socket = app["HOST"].startswith("/")
    address = "" if socket else f"{app['HOST']}:{app['PORT'] or 5432}"
    result = run_manage(
        "migrate",
        DATABASE_URL=f"postgres://{app['USER']}:{app['PASSWORD'] or ''}@{address}/icms",
        DATABASE_OWNER_URL=f"postgres://nobody_at_all@{address}/icms",
        **({"PGHOST": app["HOST"]} if socket else {}),
    )

    assert result.returncode == 1
    assert result.stderr.startswith(
        "CommandError: ICMS cannot reach its database as the owner's role (DATABASE_OWNER_URL): "
    ), result.stderr
    assert 'role "nobody_at_all" does not exist' in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
