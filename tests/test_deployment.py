"""The docker compose deployment, checked without a container engine: docker-compose.yml (and
deploy/managed.yml) must be valid Compose files, by the Compose Specification's JSON schema
vendored in tests/compose-spec/, and keep what the README's deployment section promises."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jsonschema
import psycopg2
import pytest
import yaml
from axes.helpers import get_client_ip_address
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pgserver._commands import POSTGRES_BIN_PATH
from psycopg2.extensions import make_dsn

from icms import embedded
from icms.schedules import install_schedules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "compose-spec" / "compose-spec.json").read_text())
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def load(name: str) -> dict:
    # safe_load resolves the anchors and `<<:` merge keys the compose file uses.
    return yaml.safe_load((ROOT / name).read_text())


@pytest.fixture
def compose() -> dict:
    return load("docker-compose.yml")


VOLUME = re.compile(r"(?P<source>\$\{\w+:-[^}]*\}|[^:]+):(?P<target>[^:]+)(:\w+)?")


def mounts(service: dict) -> dict[str, str]:
    """Where each volume (short syntax, `source:target[:mode]`) is mounted: {target: source},
    with a source given as `${VARIABLE:-default}` read as its default."""
    found = {}
    for volume in service.get("volumes", []):
        parts = VOLUME.fullmatch(volume)
        found[parts["target"]] = re.sub(r"^\$\{\w+:-(.*)\}$", r"\1", parts["source"])
    return found


@pytest.mark.parametrize(
    "name",
    ["docker-compose.yml", "deploy/managed.yml", "deploy/debian.yml", "deploy/debian/images.yml"],
)
def test_compose_files_follow_the_compose_specification(name):
    jsonschema.validate(load(name), SCHEMA, cls=jsonschema.Draft7Validator)


def test_the_schema_rejects_a_misspelt_key(compose):
    compose["services"]["web"]["healthchek"] = compose["services"]["web"].pop("healthcheck")
    with pytest.raises(jsonschema.ValidationError, match="healthchek"):
        jsonschema.validate(compose, SCHEMA, cls=jsonschema.Draft7Validator)


def has_health_check(service: dict) -> bool:
    check = service.get("healthcheck", {})
    return not check.get("disable") and check.get("test", ["NONE"])[0] != "NONE"


def test_every_long_running_service_has_a_health_check(compose):
    services = compose["services"]
    long_running = [name for name, service in services.items() if service["restart"] != "no"]
    assert long_running == ["postgres", "redis", "web", "worker", "beat", "proxy"]
    assert [name for name in long_running if not has_health_check(services[name])] == []


def test_beat_runs_exactly_once_and_cannot_be_scaled(compose):
    beat = compose["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert beat.get("scale", 1) == 1
    # A container name is unique on a host: `docker compose up --scale beat=2` fails.
    assert beat["container_name"]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_web_and_worker_can_run_several_replicas(compose, name):
    service = compose["services"][name]
    assert "container_name" not in service
    assert "ports" not in service  # a host port is bound by one container only


def test_only_the_proxy_publishes_ports(compose):
    assert [name for name, service in compose["services"].items() if "ports" in service] == [
        "proxy"
    ]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_the_app_starts_after_healthy_servers_and_migrations(compose, name):
    depends_on = compose["services"][name]["depends_on"]
    assert {service: wait["condition"] for service, wait in depends_on.items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "migrate": "service_completed_successfully",
    }


def test_migrations_wait_for_healthy_servers(compose):
    depends_on = compose["services"]["migrate"]["depends_on"]
    assert {service: wait["condition"] for service, wait in depends_on.items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }


def test_the_app_services_share_the_secret_key_and_the_documents(compose):
    services = [compose["services"][name] for name in APP_SERVICES]
    secret_keys = {service["environment"]["SECRET_KEY"] for service in services}
    assert len(secret_keys) == 1
    assert secret_keys.pop().startswith("${SECRET_KEY:?")
    for service in services:
        media_root = service["environment"]["MEDIA_ROOT"]
        assert mounts(service)[media_root] == "media"
    assert "media" in compose["volumes"]


def test_postgres_archives_its_wal_outside_the_container(compose):
    postgres = compose["services"]["postgres"]
    command = postgres["command"]
    settings = dict(command[i + 1].split("=", 1) for i, arg in enumerate(command) if arg == "-c")
    assert settings["wal_level"] in {"replica", "logical"}
    assert settings["archive_mode"] == "on"
    archive = re.fullmatch(r"test ! -f (\S+)/%f && cp %p \1/%f", settings["archive_command"])
    assert archive
    archive_mount = next(target for target in mounts(postgres) if archive[1].startswith(target))
    assert mounts(postgres)[archive_mount].startswith("./")  # on the host, to copy elsewhere
    assert not archive[1].startswith("/var/lib/postgresql/data")


def test_the_managed_override_leaves_out_only_postgres_and_redis(compose):
    override = load("deploy/managed.yml")
    assert override["services"] == {
        "postgres": {"profiles": ["bundled"]},
        "redis": {"profiles": ["bundled"]},
    }
    # Compose refuses to start a service whose required dependency is left out.
    for name, service in compose["services"].items():
        for dependency in set(service.get("depends_on", {})) & set(override["services"]):
            assert service["depends_on"][dependency]["required"] is False, name
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("${DATABASE_URL:-")
    assert environment["REDIS_URL"].startswith("${REDIS_URL:-")
    owner_url = compose["services"]["migrate"]["environment"]["DATABASE_OWNER_URL"]
    assert owner_url.startswith("${DATABASE_OWNER_URL:-")


def test_the_closed_network_override_changes_only_where_images_come_from(compose):
    """deploy/debian.yml: Debian-made stand-ins for the three servers' images, and the app image
    built on Debian's Python; every image it names is one build-images.sh makes."""
    override = load("deploy/debian.yml")
    made = {service["image"] for service in load("deploy/debian/images.yml")["services"].values()}
    services = override["services"]
    assert {services[name]["image"] for name in ("postgres", "redis", "proxy")} <= made
    for name in APP_SERVICES:
        assert services[name] == {"build": {"args": {"BASE_IMAGE": "icms-python:3.11"}}}
        assert made >= {services[name]["build"]["args"]["BASE_IMAGE"]}
        # The base file's build stays as it is, the argument aside: same context, same secret.
        assert compose["services"][name]["build"]["args"]["BASE_IMAGE"].startswith(
            "${BASE_IMAGE:-python:3.11"
        )
    assert set(services) == {"postgres", "redis", "proxy", *APP_SERVICES}


def test_the_image_build_takes_the_ca_certificates_as_a_secret_not_into_the_image(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["build"]["secrets"] == ["ca_certificates"]
    assert compose["secrets"]["ca_certificates"]["file"].startswith("${BUILD_CA_CERTIFICATES:-")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--mount=type=secret,id=ca_certificates" in dockerfile
    assert "ca_certificates" not in dockerfile.split("pip install -r requirements.txt")[1]


def default_url(value: str) -> re.Match:
    """The bundled server's URL a compose value falls back on: user, password variable, rest."""
    url = re.fullmatch(r"\$\{\w+:-postgres://(\w+):\$\{(\w+):-\}@(postgres:5432/icms)\}", value)
    assert url, value
    return url


def test_the_app_connects_as_its_own_role_and_only_migrate_as_the_owner(compose):
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    app = default_url(services["web"]["environment"]["DATABASE_URL"])
    owner = default_url(services["migrate"]["environment"]["DATABASE_OWNER_URL"])

    assert (owner[1], owner[2]) == (postgres["POSTGRES_USER"], "POSTGRES_PASSWORD")
    assert (app[1], app[2]) == ("icms_app", "POSTGRES_APP_PASSWORD")
    assert app[3] == owner[3]
    assert postgres["POSTGRES_APP_PASSWORD"] == "${POSTGRES_APP_PASSWORD:-}"
    for name in ["web", "worker", "beat"]:
        environment = services[name]["environment"]
        assert "DATABASE_OWNER_URL" not in environment, name
        assert not [value for value in environment.values() if "POSTGRES_PASSWORD" in value]
    # migrate gets all the others get, and the owner.
    assert services["migrate"]["environment"] == services["web"]["environment"] | {
        "DATABASE_OWNER_URL": services["migrate"]["environment"]["DATABASE_OWNER_URL"]
    }


def run_script(script: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        ["/bin/sh", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_the_bundled_postgres_makes_the_apps_role(compose, tmp_path):
    """deploy/postgres-app-role.sh, as the postgres image runs it on a new database (and an
    operator on an older one), against a PostgreSQL of its own without the role."""
    postgres = compose["services"]["postgres"]
    script = next(
        source
        for target, source in mounts(postgres).items()
        if target.startswith("/docker-entrypoint-initdb.d/")
    )
    database = embedded.postgres_database(tmp_path)
    try:
        owner = psycopg2.connect(dbname="icms", user=embedded.OWNER_USER, host=database["HOST"])
        owner.autocommit = True
        owner.cursor().execute("DROP ROLE icms_app")
        environment = os.environ | {
            "POSTGRES_USER": embedded.OWNER_USER,
            "POSTGRES_DB": "icms",
            "PGHOST": database["HOST"],
            "PATH": f"{POSTGRES_BIN_PATH}:{os.environ['PATH']}",
        }
        without_password = run_script(script, environment)
        assert without_password.returncode != 0
        assert "set POSTGRES_APP_PASSWORD in .env" in without_password.stderr

        for password in ["first 'secret'", "second"]:  # again: the password from .env again
            environment["POSTGRES_APP_PASSWORD"] = password
            made = run_script(script, environment)
            assert made.returncode == 0, made.stderr

        with owner.cursor() as cursor:
            cursor.execute(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, "
                "rolbypassrls, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'icms_app'"
            )
            assert cursor.fetchall() == [(True, False, False, False, False, False, True)]
        owner.close()
    finally:
        embedded.stop(tmp_path)


def test_the_example_env_sets_both_database_roles():
    lines = (ROOT / "deploy/env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    assert values["POSTGRES_PASSWORD"] != values["POSTGRES_APP_PASSWORD"]
    # The managed server's, commented out: two roles, the owner's for migrate.
    app, owner = (
        values[f"# {name}"].split("@")[0] for name in ("DATABASE_URL", "DATABASE_OWNER_URL")
    )
    assert app != owner


def test_every_deploy_file_is_used_or_documented():
    named = "".join(
        (ROOT / name).read_text() for name in ["docker-compose.yml", "README.md", "Dockerfile"]
    )
    files = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "deploy").rglob("*")
        if path.is_file() and path.suffix not in {".crt", ".key", ".pyc"}  # never committed
    ]
    assert [path for path in files if path not in named] == []
    mentioned = re.findall(r"deploy/[\w./-]*\w", (ROOT / "docker-compose.yml").read_text())
    assert [path for path in mentioned if not (ROOT / path).exists()] == []


def test_the_image_leaves_out_secrets_and_backups():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if not line.startswith("#")}
    assert {".env", "deploy/certs/*.key", "backups"} <= ignored


CLIENT_ADDRESS_SETTINGS = [
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "IPWARE_STRICT",
]
SETTINGS_SCRIPT = f"""
import json
from django.conf import settings
names = ["STORAGES", "MIDDLEWARE", "SESSION_ENGINE", "SESSION_CACHE_ALIAS", "CACHES"]
names += ["CELERY_BROKER_URL", *{CLIENT_ADDRESS_SETTINGS!r}]
print(json.dumps({{name: getattr(settings, name, None) for name in names}}))
"""


def configured(**environment: str) -> dict:
    """The settings a container gets (DEBUG off), read by a fresh process: this test run's own
    are overridden by tests/conftest.py."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DEBUG", "REDIS_", "DATABASE_", "TRUSTED_PROXY_COUNT"))
    }
    env = inherited | {
        "DJANGO_SETTINGS_MODULE": "icms.settings",
        "SECRET_KEY": "deployment-test",
        "DATABASE_URL": "postgres://icms:password@postgres:5432/icms",
        "REDIS_URL": "redis://redis:6379/0",
        **environment,
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, our script
        [sys.executable, "-c", SETTINGS_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_static_files_are_served_by_whitenoise():
    settings = configured()
    assert (
        settings["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    middleware = settings["MIDDLEWARE"]
    # Before the session middleware: a static file costs no trip to Redis.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


@pytest.mark.parametrize(
    ("environment", "broker", "cache", "sessions"),
    [
        ({}, "redis://redis:6379/0", "redis://redis:6379/1", "redis://redis:6379/2"),
        (
            # A managed Redis over TLS that offers database 0 only (see the README).
            {
                "REDIS_URL": "rediss://:pw@redis.example.org:6380/0?ssl_cert_reqs=required",
                "REDIS_CACHE_DB": "0",
                "REDIS_SESSION_DB": "0",
            },
            "rediss://:pw@redis.example.org:6380/0?ssl_cert_reqs=required",
            "rediss://:pw@redis.example.org:6380/0?ssl_cert_reqs=required",
            "rediss://:pw@redis.example.org:6380/0?ssl_cert_reqs=required",
        ),
    ],
)
def test_sessions_and_cache_live_in_redis(environment, broker, cache, sessions):
    settings = configured(**environment)
    redis_cache = "django.core.cache.backends.redis.RedisCache"
    # Django's cache store, telling "Redis did not answer" from "no session" (icms/sessions.py).
    assert settings["SESSION_ENGINE"] == "icms.sessions"
    session_cache = settings["CACHES"][settings["SESSION_CACHE_ALIAS"]]
    assert (session_cache["BACKEND"], session_cache["LOCATION"]) == (redis_cache, sessions)
    default_cache = settings["CACHES"]["default"]
    assert (default_cache["BACKEND"], default_cache["LOCATION"]) == (redis_cache, cache)
    assert settings["CELERY_BROKER_URL"] == broker


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        ("1", "203.0.113.9", "203.0.113.9"),  # nginx appended the browser's address
        ("1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the browser sent the first one
        ("1", "10.20.30.40", "10.20.30.40"),  # a closed network's own address
        ("2", "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),  # a balancer, then nginx
    ],
)
def test_behind_proxies_the_client_is_the_address_the_first_proxy_saw(
    rf, proxies, forwarded_for, client
):
    settings = configured(TRUSTED_PROXY_COUNT=proxies)
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="172.18.0.7")
    with override_settings(**{name: settings[name] for name in CLIENT_ADDRESS_SETTINGS}):
        assert get_client_ip_address(request) == client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("sent_minutes_ago", "healthy"), [(1, True), (10, False)])
def test_beat_health_check_asks_when_beat_last_sent_the_heartbeat(sent_minutes_ago, healthy):
    install_schedules()
    sent = timezone.now() - timedelta(minutes=sent_minutes_ago)
    assert PeriodicTask.objects.filter(task="icms.tasks.heartbeat").update(last_run_at=sent) == 1
    database = connection.settings_dict
    dsn = make_dsn(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
    )
    result = subprocess.run(
        [sys.executable, "deploy/beat_alive.py"], cwd=ROOT, env=os.environ | {"DATABASE_URL": dsn}
    )
    assert (result.returncode == 0) is healthy
