"""The app as deployed, while its PostgreSQL or its Redis stops answering (issue 19, items 6
and 7): gunicorn with gunicorn.conf.py, DEBUG off, settings from the environment, on a
PostgreSQL and a Redis of these tests' own (tests/servers.py), so the rest of the suite is not
touched. People sign in with their password and authenticator code, then a server is stopped
(SIGSTOP) for 20 s, or Redis killed and started again, and real HTTP requests check that:
nobody is signed out, a contact sent meanwhile is not lost (the 503 page sends it again, and it
is recorded once), every answer comes within 5 s, and all comes back without a restart.
The three outages are subtests of one test, so that they share one app (set up once:
migrations, demo data, static files) in one xdist worker: xdist's loadgroup, which would group
tests, does not on pytest 9.2 (pytest-dev/pytest-xdist#1386)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from base64 import b32decode
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import psycopg2
import pytest
import requests
from django_otp.oath import TOTP

from devtools.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.pages import FormFields
from tests.servers import PostgresServer, RedisServer, wait_until

pytestmark = pytest.mark.faults

BASE_DIR = Path(__file__).resolve().parent.parent
STALL_SECONDS = 20
ANSWER_WITHIN = 5
# Each request of the test gives up after this: a page that hangs fails the test, not the run.
HTTP_TIMEOUT = 15


@dataclass
class App:
    url: str
    postgres: PostgresServer
    redis: RedisServer
    gunicorn: subprocess.Popen
    log: Path
    api_token: str

    def workers(self) -> set[int]:
        return {child.pid for child in psutil.Process(self.gunicorn.pid).children()}

    def full_name(self, username: str) -> str:
        """As the menu shows who is signed in."""
        return self.one(
            "SELECT first_name || ' ' || last_name FROM accounts_user WHERE username = %s",
            username,
        )

    def one(self, sql: str, *params: object) -> object:
        connection = psycopg2.connect(dbname="icms", user="postgres", host=self.postgres.socket_dir)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own manage.py and gunicorn
            [sys.executable, *command], cwd=BASE_DIR, env=env, stdout=output, stderr=output
        )


def tail(log: Path) -> str:
    """The end of the app's log, for a failure's message (the folder goes with the test)."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


def finished(process: subprocess.Popen, log: Path) -> None:
    assert process.wait(timeout=600) == 0, f"{process.args} failed:\n{tail(log)}"


@pytest.fixture(scope="module")
def app():
    folder = Path(tempfile.mkdtemp(prefix="icms-faults-"))  # short: unix socket paths
    postgres = PostgresServer(folder / "postgres")
    redis = RedisServer(folder / "redis").start()
    static = gunicorn = None
    try:
        postgres.create_database("icms")
        port = free_port()
        env = {
            **{
                name: value
                for name, value in os.environ.items()
                if not name.startswith(("DJANGO", "DATABASE_", "REDIS_"))  # the suite's own
            },
            "DEBUG": "0",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": postgres.url("icms"),
            "REDIS_URL": redis.url,
            "ICMS_DATA_DIR": str(folder / "data"),
            "STATIC_ROOT": str(folder / "static"),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }
        log = folder / "app.log"
        # The pages these tests open need only ICMS's own static files and those of the apps
        # they use; compressing the admin's, the API browser's and Swagger's takes a minute.
        skipped = ["admin", "rest_framework", "drf_spectacular_sidecar", "django_celery_beat"]
        static = run(
            ["manage.py", "collectstatic", "--noinput", "-v0"]
            + [option for app_name in skipped for option in ("-i", app_name)],
            env,
            log,
        )
        finished(run(["manage.py", "migrate", "--noinput", "-v0"], env, log), log)
        finished(run(["manage.py", "seed_demo", "--force"], env, log), log)
        token = subprocess.run(
            [sys.executable, "manage.py", "create_api_token", "cp.demo"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        finished(static, log)
        gunicorn = run(["-m", "gunicorn", "-c", "gunicorn.conf.py", "icms.wsgi"], env, log)
        app = App(f"http://127.0.0.1:{port}", postgres, redis, gunicorn, log, token)
        try:
            wait_until(lambda: health(app) == ("ok", "ok"), within=60, what="gunicorn")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{tail(log)}") from None
        yield app
    finally:
        for process in (static, gunicorn):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        redis.close()
        postgres.close()
        shutil.rmtree(folder, ignore_errors=True)


def health(app: App) -> tuple[str, str] | None:
    try:
        report = requests.get(f"{app.url}/healthz", timeout=HTTP_TIMEOUT).json()
    except (requests.ConnectionError, ValueError):
        return None
    return report["database"], report["broker"]


def both_answering(app: App) -> App:
    """Both servers up (again, after an outage that failed half-way through)."""
    if not app.redis.answers():
        app.redis.start()
    wait_until(lambda: health(app) == ("ok", "ok"), within=30, what="both servers back")
    return app


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def csrf_token(page: requests.Response) -> str:
    return dict(FormFields(page.text).fields)["csrfmiddlewaretoken"]


def signed_in(app: App, username: str) -> requests.Session:
    """A browser of `username`, signed in with their password and authenticator code."""
    browser = requests.Session()
    login = browser.get(f"{app.url}/accounts/login/", timeout=HTTP_TIMEOUT)
    browser.post(
        login.url,
        {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": username,
            "password": DEMO_PASSWORD,
        },
        timeout=HTTP_TIMEOUT,
    )
    code_page = browser.get(f"{app.url}/accounts/login/code/", timeout=HTTP_TIMEOUT)
    code = f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"
    home = browser.post(
        code_page.url,
        {"csrfmiddlewaretoken": csrf_token(code_page), "code": code},
        timeout=HTTP_TIMEOUT,
    )
    assert home.url == f"{app.url}/", f"{username} did not get in: {home.url}"
    return browser


def home_page(app: App, browser: requests.Session) -> str | None:
    """The home page this browser gets, if it gets one."""
    page = browser.get(f"{app.url}/", timeout=HTTP_TIMEOUT, allow_redirects=False)
    if page.status_code != 200:
        return None
    return page.text


def contact_form(app: App, browser: requests.Session, username: str) -> tuple[str, dict]:
    """The address of the contact form for one of `username`'s young people, and a contact."""
    young_person = app.one(
        "SELECT y.id FROM clients_youngperson y JOIN accounts_user u "
        "ON u.id = y.primary_case_manager_id WHERE u.username = %s ORDER BY y.id LIMIT 1",
        username,
    )
    url = f"{app.url}/young-people/{young_person}/contacts/new/"
    started = datetime.now(ZoneInfo("Australia/Melbourne")) - timedelta(hours=1)
    return url, {
        "csrfmiddlewaretoken": csrf_token(browser.get(url, timeout=HTTP_TIMEOUT)),
        "client_reference": str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "30",
        "mode": "phone",
        "location": "community",
        "kind": "outreach",
        "reached_young_person": "on",
        "notes": f"Rang {username}'s young person while a server was down: <b>&</b> kept.",
    }


def recorded(app: App, contact: dict) -> int:
    return app.one(
        "SELECT count(*) FROM clients_contact WHERE client_reference = %s AND notes = %s",
        contact["client_reference"],
        contact["notes"],
    )


def check_promises_while_stopped(app, browser, form_url, contact, health_says):
    """Until STALL_SECONDS have passed: every answer a 503 within ANSWER_WITHIN seconds, the
    session cookie untouched, the contact's page ready to send it again; /healthz within its
    bound saying what is down. Returns the fields the 503 page would send again."""
    stopped_until = time.monotonic() + STALL_SECONDS
    rounds = 0
    while time.monotonic() < stopped_until:
        page, took = timed(lambda: browser.get(f"{app.url}/", timeout=HTTP_TIMEOUT))
        assert (page.status_code, page.headers.get("Retry-After")) == (503, "10")
        assert "Nobody has been signed out" in page.text
        assert took < ANSWER_WITHIN
        assert "sessionid" not in page.cookies

        sent, took = timed(lambda: browser.post(form_url, contact, timeout=HTTP_TIMEOUT))
        assert sent.status_code == 503
        assert took < ANSWER_WITHIN
        assert "Send again" in sent.text
        send_again = FormFields(sent.text).fields
        assert dict(send_again) == contact

        api, took = timed(
            lambda: requests.get(
                f"{app.url}/api/referrals/",
                headers={"Authorization": f"Token {app.api_token}"},
                timeout=HTTP_TIMEOUT,
            )
        )
        assert api.status_code == 503
        assert "unavailable" in api.json()["detail"]
        assert took < ANSWER_WITHIN

        report, took = timed(lambda: health(app))
        assert report == health_says
        assert took < ANSWER_WITHIN
        rounds += 1
    assert rounds >= 2
    return send_again


def stopped_for_20_s(
    app: App, server: PostgresServer | RedisServer, health_says, worker_name, watcher_name
) -> None:
    """A case manager and a supervisor signed in (a code works once: each outage has people of
    its own); the case manager sends a contact while `server` is stopped. Afterwards both are
    still signed in, with the same session cookie, and the contact sent again from the 503 page
    is recorded once however often it is sent."""
    people = {name: signed_in(app, name) for name in (worker_name, watcher_name)}
    cookies = {name: person.cookies["sessionid"] for name, person in people.items()}
    worker = people[worker_name]
    form_url, contact = contact_form(app, worker, worker_name)
    gunicorn_workers = app.workers()

    with server.stopped():
        send_again = check_promises_while_stopped(app, worker, form_url, contact, health_says)

    wait_until(lambda: health(app) == ("ok", "ok"), within=10, what="/healthz ok again")
    for name, person in people.items():
        page = wait_until(
            lambda person=person: home_page(app, person), within=10, what=f"{name}'s home"
        )
        assert app.full_name(name) in page
        assert person.cookies["sessionid"] == cookies[name], f"{name} got a new session"
    assert recorded(app, contact) == 0
    for _ in range(2):  # "Send again", pressed twice
        again = worker.post(form_url, send_again, timeout=HTTP_TIMEOUT, allow_redirects=False)
        assert again.status_code == 302
        assert "/timeline/" in again.headers["Location"]
    assert recorded(app, contact) == 1
    assert app.workers() == gunicorn_workers  # none restarted, none killed by its timeout


def redis_killed_and_started_again(app: App) -> None:
    """Signing in and the API answer 503 (they answered 500), then all works again."""
    person = signed_in(app, "cm3.demo")
    cookie = person.cookies["sessionid"]
    newcomer = requests.Session()
    login = newcomer.get(f"{app.url}/accounts/login/", timeout=HTTP_TIMEOUT)

    app.redis.kill()

    signing_in, took = timed(
        lambda: newcomer.post(
            login.url,
            {
                "csrfmiddlewaretoken": csrf_token(login),
                "username": "cm4.demo",
                "password": DEMO_PASSWORD,
            },
            timeout=HTTP_TIMEOUT,
        )
    )
    assert signing_in.status_code == 503
    assert took < ANSWER_WITHIN
    assert DEMO_PASSWORD not in signing_in.text
    api = requests.get(
        f"{app.url}/api/referrals/",
        headers={"Authorization": f"Token {app.api_token}"},
        timeout=HTTP_TIMEOUT,
    )
    assert (api.status_code, api.headers["Content-Type"]) == (503, "application/json")
    assert person.get(f"{app.url}/", timeout=HTTP_TIMEOUT).status_code == 503

    app.redis.start()

    page = wait_until(lambda: home_page(app, person), within=10, what="home page")
    assert app.full_name("cm3.demo") in page
    assert person.cookies["sessionid"] == cookie
    assert signed_in(app, "cm4.demo")
    api = requests.get(
        f"{app.url}/api/referrals/",
        headers={"Authorization": f"Token {app.api_token}"},
        timeout=HTTP_TIMEOUT,
    )
    assert api.status_code == 200


def test_stopped_and_killed_servers_sign_nobody_out_lose_no_contact_and_answer_503s(app, subtests):
    with subtests.test("Redis stopped for 20 s"):
        stopped_for_20_s(both_answering(app), app.redis, ("ok", "down"), "cm.demo", "sup.demo")
    with subtests.test("PostgreSQL stopped for 20 s"):
        stopped_for_20_s(both_answering(app), app.postgres, ("down", "ok"), "cm2.demo", "sup2.demo")
    with subtests.test("Redis killed and started again"):
        redis_killed_and_started_again(both_answering(app))
