"""The deployment drill (`make deploy-test`, README "The deployment drill"): the compose stack
built on the closed-network path (deploy/debian.yml), brought up with three web replicas and two
workers, and broken on purpose while signed-in people log contacts through nginx over TLS.

It kills a web replica, kills a worker in the middle of a job, restarts Redis, freezes
PostgreSQL for 20 s and tries a second beat; then checks that every contact the load was told
was saved is in the database exactly once, that no job's effect is doubled or half-written, and
drills the backups: a nightly-style dump and the documents restored into a fresh stack, and the
WAL archive replayed to a moment. It prints its figures and exits non-zero on any broken
promise. Everything runs in compose projects of its own, torn down at the end.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from base64 import b32decode
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools.demo_logins import DEMO_PASSWORD, DEMO_TOTP_SECRET  # noqa: E402

PROJECT = "icms-drill"
RESTORED = "icms-drill-restored"
# Who logs contacts during the drill (demo case managers, each with young people of their own).
CASE_MANAGERS = ["cm.demo", "cm2.demo", "cm3.demo"]
HTTP_TIMEOUT = 30
# Under any of the faults, every answer comes within this: failing over or failing fast. The
# slowest is a page whose statement was already sent when PostgreSQL froze: it is given up
# after DATABASE_STATEMENT_TIMEOUT (10 s) and two seconds more, once for the whole page (README,
# "When PostgreSQL or Redis is down"); a page that starts while it is frozen says so within
# three seconds.
ANSWER_WITHIN = 14
# A job killed mid-run comes back once the broker's visibility timeout has passed (an hour by
# default); the drill's stack sets it to this so that the drill sees it come back.
VISIBILITY_TIMEOUT = 45
LOCAL = ZoneInfo("Australia/Melbourne")


class DrillFailed(AssertionError):
    pass


def check(condition: bool, promise: str) -> None:
    if not condition:
        raise DrillFailed(promise)
    print(f"  ok: {promise}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(what: str, within: float, probe, every: float = 1.0):
    deadline = time.monotonic() + within
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DrillFailed(f"{what}: not within {within:.0f} s")
        time.sleep(every)


# --- The stack --------------------------------------------------------------------------------


@dataclass
class Stack:
    project: str
    env_file: Path

    def compose(self, *args: str, check: bool = True, stdin=None, timeout: float = 900):
        command = ["docker", "compose", "--project-name", self.project]
        command += ["--env-file", str(self.env_file), *args]
        result = subprocess.run(
            command, cwd=ROOT, stdin=stdin, capture_output=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            output = (result.stderr or result.stdout).decode(errors="replace")
            raise DrillFailed(f"`docker compose {' '.join(args)}` failed:\n{output[-3000:]}")
        return result

    def sql(self, statement: str) -> str:
        """What psql prints for `statement`, as the owner, unaligned."""
        result = self.compose(
            "exec", "-T", "postgres", "psql", "--no-psqlrc", "--username", "icms",
            "--dbname", "icms", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1",
            "--command", statement,
        )  # fmt: skip
        return result.stdout.decode().strip()

    def containers(self, service: str) -> list[str]:
        result = self.compose("ps", "--quiet", service)
        return result.stdout.decode().split()

    def health(self) -> dict[str, str]:
        """Each running container's name and health."""
        result = self.compose("ps", "--format", "json")
        text = result.stdout.decode().strip()
        rows = (
            json.loads(text)
            if text.startswith("[")
            else [json.loads(line) for line in text.splitlines()]
        )
        return {row["Name"]: row.get("Health") or row["State"] for row in rows}

    def wait_healthy(self, within: float) -> float:
        started = time.monotonic()

        def all_healthy():
            health = self.health()
            return health and all(state == "healthy" for state in health.values())

        wait_until(f"every container of {self.project} healthy", within, all_healthy, every=2)
        return time.monotonic() - started


def container_name(container_id: str) -> str:
    result = subprocess.run(
        ["docker", "inspect", "--format", "{{.Name}}", container_id],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().strip().lstrip("/")


def docker(*args: str) -> None:
    subprocess.run(["docker", *args], capture_output=True, check=True)


# --- People using it --------------------------------------------------------------------------


class FormFields:
    """The csrf token of a page's form."""

    pattern = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    @classmethod
    def csrf(cls, page: str) -> str:
        found = cls.pattern.search(page)
        if not found:
            raise DrillFailed("a form without its CSRF token")
        return found[1]


class FilledForm(HTMLParser):
    """What a page's forms send as a browser fills them: inputs (boxes only when ticked), each
    list's chosen option (else its first), the text of each text area."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        kind = attributes.get("type", "text")
        if tag == "input" and name and kind not in {"submit", "button", "file", "reset"}:
            if kind not in {"checkbox", "radio"} or "checked" in attributes:
                self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attributes.get("value") or "", "selected" in attributes))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [
                value for value, _ in self.options[:1]
            ]
            self.fields += [(self.select, value) for value in chosen]
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)


def signed_in(url: str, ca: Path, username: str) -> requests.Session:
    browser = requests.Session()
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise win over `verify`
    browser.verify = str(ca)
    browser.headers["Referer"] = f"{url}/"  # as a browser sends it: Django checks it over HTTPS
    login = browser.get(f"{url}/accounts/login/", timeout=HTTP_TIMEOUT)
    browser.post(
        login.url,
        {"csrfmiddlewaretoken": FormFields.csrf(login.text), "username": username,
         "password": DEMO_PASSWORD},
        timeout=HTTP_TIMEOUT,
    )  # fmt: skip
    code_page = browser.get(f"{url}/accounts/login/code/", timeout=HTTP_TIMEOUT)
    code = f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"
    home = browser.post(
        code_page.url,
        {"csrfmiddlewaretoken": FormFields.csrf(code_page.text), "code": code},
        timeout=HTTP_TIMEOUT,
    )
    if home.url != f"{url}/":
        raise DrillFailed(f"{username} could not sign in through nginx: ended at {home.url}")
    return browser


@dataclass
class Tally:
    """Answers seen in one phase of the drill, by kind."""

    answers: collections.Counter = field(default_factory=collections.Counter)
    slowest: float = 0.0
    slowest_request: str = ""

    def add(self, kind: str, took: float, request: str) -> None:
        self.answers[kind] += 1
        if took > self.slowest:
            self.slowest, self.slowest_request = took, request


def kind_of(response: requests.Response | None, error: Exception | None) -> str:
    if isinstance(error, requests.Timeout):
        return "timeout"
    if error is not None:
        return "connection error"
    if response.status_code == 503:
        return "503 page"
    if response.status_code >= 500:
        return str(response.status_code)
    if response.status_code in (301, 302) and "/accounts/login" in response.headers.get(
        "Location", ""
    ):
        return "signed out"
    if response.status_code >= 400:
        return str(response.status_code)
    return "ok"


class Load:
    """A few case managers, each in a thread: their home page, a young person's record, and a
    contact logged, sent again (same reference, as the phone does) until it is recorded."""

    def __init__(self, url: str, people: dict[str, tuple[requests.Session, int]]):
        self.url = url
        self.people = people
        self.phase = "steady"
        self.tallies: dict[str, Tally] = collections.defaultdict(Tally)
        self.recorded: dict[str, float] = {}  # reference: when the load was told (epoch)
        self.first_sent: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.work, args=(name,), daemon=True) for name in people
        ]

    def request(self, browser: requests.Session, method: str, path: str, **kwargs):
        started = time.monotonic()
        response = error = None
        try:
            response = browser.request(
                method, f"{self.url}{path}", timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as problem:
            error = problem
        kind = kind_of(response, error)
        with self.lock:
            self.tallies[self.phase].add(kind, time.monotonic() - started, f"{method} {path}")
        return response if kind == "ok" else None, kind

    def work(self, name: str) -> None:
        browser, young_person = self.people[name]
        while not self.stopping.is_set():
            self.request(browser, "GET", "/")
            self.request(browser, "GET", f"/young-people/{young_person}/")
            self.log_contact(name, browser, young_person)
            time.sleep(0.3)

    def log_contact(self, name: str, browser: requests.Session, young_person: int) -> None:
        path = f"/young-people/{young_person}/contacts/new/"
        reference = str(uuid.uuid4())
        started = datetime.now(LOCAL) - timedelta(minutes=30)
        contact = {
            "client_reference": reference,
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "20",
            "mode": "phone",
            "location": "community",
            "kind": "outreach",
            "reached_young_person": "on",
            "notes": f"Drill contact by {name}, reference {reference}.",
        }
        while not self.stopping.is_set():
            form, _ = self.request(browser, "GET", path)
            if form is None:
                time.sleep(1)
                continue
            contact["csrfmiddlewaretoken"] = FormFields.csrf(form.text)
            self.first_sent.setdefault(reference, time.time())
            sent, kind = self.request(browser, "POST", path, data=contact)
            if kind == "ok" and sent.status_code == 302:
                self.recorded[reference] = time.time()
                return
            if kind == "ok":
                raise DrillFailed(f"a contact was refused: {sent.status_code}")
            time.sleep(1)  # the phone sends it again a moment later

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


# --- The drill --------------------------------------------------------------------------------


@dataclass
class Drill:
    folder: Path
    figures: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.https_port = free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.certs = self.folder / "certs"
        self.backups = self.folder / "backups"
        self.env_file = self.folder / "env"
        self.stack = Stack(PROJECT, self.env_file)
        self.restored = Stack(RESTORED, self.env_file)

    def prepare(self) -> None:
        self.certs.mkdir()
        self.backups.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
             "-keyout", str(self.certs / "icms.key"), "-out", str(self.certs / "icms.crt")],
            capture_output=True, check=True,
        )  # fmt: skip
        (self.certs / "icms.key").chmod(0o644)  # read by nginx's own user in the container
        ca_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        self.env_file.write_text(
            "\n".join(
                [
                    "COMPOSE_FILE=docker-compose.yml:deploy/debian.yml",
                    f"SECRET_KEY={uuid.uuid4().hex * 2}",
                    f"POSTGRES_PASSWORD={uuid.uuid4().hex}",
                    f"POSTGRES_APP_PASSWORD={uuid.uuid4().hex}",
                    "ALLOWED_HOSTS=localhost",
                    f"CSRF_TRUSTED_ORIGINS={self.url}",
                    f"SITE_URL={self.url}",
                    f"HTTP_PORT={free_port()}",
                    f"HTTPS_PORT={self.https_port}",
                    f"TLS_CERT_DIR={self.certs}",
                    f"BACKUP_DIR={self.backups}",
                    f"CELERY_VISIBILITY_TIMEOUT={VISIBILITY_TIMEOUT}",
                    f"BUILD_CA_CERTIFICATES={ca_bundle if ca_bundle.exists() else '/dev/null'}",
                    "",
                ]
            )
        )

    def step(self, title: str) -> None:
        print(f"\n== {title}", flush=True)

    def build(self) -> None:
        self.step("Images from Debian's archive (deploy/debian/build-images.sh), then the app's")
        started = time.monotonic()
        subprocess.run(["sh", str(ROOT / "deploy/debian/build-images.sh")], check=True)
        self.stack.compose("build")
        self.figures["Images built"] = f"{time.monotonic() - started:.0f} s"

    def up(self) -> None:
        self.step("The stack: 3 web replicas, 2 workers, one beat, behind nginx")
        started = time.monotonic()
        self.stack.compose("up", "--detach", "--scale", "web=3", "--scale", "worker=2")
        self.stack.wait_healthy(within=240)
        self.figures["Up to every container healthy"] = f"{time.monotonic() - started:.0f} s"
        health = self.stack.health()
        check(
            sorted(re.sub(r"-\d+$", "", name.removeprefix(f"{PROJECT}-")) for name in health)
            == ["icms-beat", "postgres", "proxy", "redis", "web", "web", "web", "worker", "worker"],
            "3 web replicas, 2 workers, beat, PostgreSQL, Redis and nginx, all healthy",
        )
        self.stack.compose("run", "--rm", "migrate", "python", "manage.py", "seed_demo", "--force")
        self.stack.compose(
            "exec", "-T", "postgres", "pg_basebackup", "--username", "icms",
            "--pgdata", "/backups/base/drill", "--format", "tar", "--gzip",
            "--wal-method", "stream", "--checkpoint", "fast",
        )  # fmt: skip

    def sign_in(self) -> dict[str, tuple[requests.Session, int]]:
        self.step("Signing in through nginx over TLS")
        people = {}
        for name in CASE_MANAGERS:
            young_person = int(
                self.stack.sql(
                    "SELECT y.id FROM clients_youngperson y JOIN accounts_user u"
                    " ON u.id = y.primary_case_manager_id"
                    f" WHERE u.username = '{name}' AND y.status = 'active' ORDER BY y.id LIMIT 1"
                )
            )
            people[name] = (signed_in(self.url, self.certs / "icms.crt", name), young_person)
        check(len(people) == len(CASE_MANAGERS), f"{len(people)} case managers signed in")
        return people

    def attach_documents(self) -> dict[str, str]:
        """A practitioner attaches documents to their draft referral through nginx, as a browser
        does; each then reads the same from whichever web replica answers. Returns each
        document's download address and digest."""
        self.step("Documents attached to a referral, on the volume every web replica shares")
        practitioner = signed_in(self.url, self.certs / "icms.crt", "cp.demo")
        referral = self.stack.sql(
            "SELECT r.id FROM referrals_referral r JOIN accounts_user u ON u.id = r.referred_by_id"
            " WHERE u.username = 'cp.demo' AND r.status = 'draft' ORDER BY r.id LIMIT 1"
        )
        edit = f"{self.url}/referrals/{referral}/edit/"
        for number in range(1, 4):
            page = practitioner.get(edit, timeout=HTTP_TIMEOUT)
            letter = b"%PDF-1.4\n% drill letter\n" + os.urandom(50_000) + b"\n%%EOF\n"
            sent = practitioner.post(
                edit,
                data=[*FilledForm(page.text).fields, ("action", "attach")],
                files={"document": (f"drill-letter-{number}.pdf", letter, "application/pdf")},
                timeout=HTTP_TIMEOUT,
            )
            if f"drill-letter-{number}.pdf” is attached" not in sent.text:
                raise DrillFailed(f"document {number} was not attached: {sent.status_code}")
        rows = self.stack.sql(
            f"SELECT id FROM referrals_referralattachment WHERE referral_id = {referral}"
        ).split()
        digests = {}
        for attachment in rows:
            address = f"{self.url}/referrals/{referral}/documents/{attachment}/"
            seen = {
                hashlib.sha256(practitioner.get(address, timeout=HTTP_TIMEOUT).content).hexdigest()
                for _ in range(6)  # spread over the replicas by nginx
            }
            check(len(seen) == 1, f"document {attachment} reads the same from every replica")
            digests[address] = seen.pop()
        check(len(digests) >= 3, f"{len(digests)} documents attached through nginx")
        return digests

    def phase(self, load: Load, name: str) -> None:
        load.phase = name
        print(f"-- {name}", flush=True)

    def kill_a_web_replica(self, load: Load) -> None:
        self.phase(load, "web replica killed")
        victim = container_name(self.stack.containers("web")[1])
        docker("kill", victim)
        time.sleep(10)
        docker("start", victim)
        self.stack.wait_healthy(within=120)

    def kill_a_worker_mid_job(self, load: Load) -> int:
        """The contact reminders job, held at its write by a lock on the notifications table,
        then its worker killed: nothing of it may be written, and it must come back once."""
        self.phase(load, "worker killed mid-job")
        key = f"contact-overdue-%-{datetime.now(LOCAL):%Y%m%d}"
        count_sql = f"SELECT count(*) FROM notifications_notification WHERE key LIKE '{key}'"
        before = int(self.stack.sql(count_sql))
        locker = subprocess.Popen(
            ["docker", "compose", "--project-name", PROJECT, "--env-file", str(self.env_file),
             "exec", "-T", "postgres", "psql", "--no-psqlrc", "--username", "icms",
             "--dbname", "icms", "--set", "ON_ERROR_STOP=1"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        locker.stdin.write("BEGIN; LOCK TABLE notifications_notification IN EXCLUSIVE MODE;\n")
        locker.stdin.flush()
        try:
            self.stack.compose(
                "exec", "-T", "worker", "celery", "--app", "icms", "call",
                "clients.tasks.contact_reminders",
            )  # fmt: skip
            waiting = wait_until(
                "the job waiting on its write",
                30,
                lambda: self.stack.sql(
                    "SELECT host(client_addr) FROM pg_stat_activity a JOIN pg_locks l"
                    " ON l.pid = a.pid AND NOT l.granted"
                    " WHERE l.relation = 'notifications_notification'::regclass"
                    " AND a.query LIKE 'INSERT%' LIMIT 1"
                ),
                every=0.5,
            )
            for worker in self.stack.containers("worker"):
                address = subprocess.run(
                    ["docker", "inspect", "--format",
                     "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", worker],
                    capture_output=True, check=True, text=True,
                ).stdout.strip()  # fmt: skip
                if address == waiting:
                    break
            else:
                raise DrillFailed(f"no worker container has the address {waiting}")
            docker("kill", worker)
        finally:
            locker.stdin.write("COMMIT;\n")
            locker.stdin.close()
            locker.wait(timeout=30)
        check(int(self.stack.sql(count_sql)) == before, "the killed job wrote nothing")
        docker("start", worker)
        return before

    def restart_redis(self, load: Load) -> None:
        self.phase(load, "Redis restarted")
        self.stack.compose("restart", "redis")
        time.sleep(5)
        self.stack.wait_healthy(within=180)

    def freeze_postgres(self, load: Load) -> float:
        self.phase(load, "PostgreSQL frozen 20 s")
        postgres = self.stack.containers("postgres")[0]
        docker("pause", postgres)
        frozen_until = time.monotonic() + 20
        answers = []
        while time.monotonic() < frozen_until - 5:
            started = time.monotonic()
            answers.append((self.healthz(), time.monotonic() - started))
            time.sleep(1)
        time.sleep(max(0.0, frozen_until - time.monotonic()))
        docker("unpause", postgres)
        slowest = max(took for _, took in answers)
        self.figures["/healthz while PostgreSQL was frozen"] = (
            f"503 in {', '.join(f'{took:.1f}' for _, took in answers)} s"
        )
        check(
            {status for status, _ in answers} == {503} and slowest < ANSWER_WITHIN,
            f"/healthz said 503 within {ANSWER_WITHIN} s while frozen (slowest {slowest:.1f} s)",
        )
        thawed = time.monotonic()
        wait_until("/healthz ok again", 60, lambda: self.healthz() == 200, every=0.2)
        return time.monotonic() - thawed

    def healthz(self) -> int | None:
        monitor = requests.Session()
        monitor.trust_env = False
        try:
            return monitor.get(
                f"{self.url}/healthz", verify=str(self.certs / "icms.crt"), timeout=HTTP_TIMEOUT
            ).status_code
        except requests.RequestException:
            return None

    def second_beat(self, load: Load) -> None:
        self.phase(load, "a second beat tried")
        result = self.stack.compose("up", "--detach", "--no-recreate", "--scale", "beat=2", "beat",
                                    check=False)  # fmt: skip
        check(result.returncode != 0, "`--scale beat=2` is refused")
        check(len(self.stack.containers("beat")) == 1, "one beat runs")

    def run(self) -> None:
        self.prepare()
        self.build()
        self.up()
        people = self.sign_in()
        documents = self.attach_documents()
        heartbeat_sql = (
            "SELECT total_run_count FROM django_celery_beat_periodictask"
            " WHERE task = 'icms.tasks.heartbeat'"
        )
        heartbeats_before, beat_started = int(self.stack.sql(heartbeat_sql)), time.monotonic()
        self.step("Faults, with the case managers logging contacts")
        with Load(self.url, people) as load:
            time.sleep(10)
            self.kill_a_web_replica(load)
            reminders_before = self.kill_a_worker_mid_job(load)
            self.restart_redis(load)
            self.phase(load, "steady again")
            time.sleep(5)
            target = self.stack.sql("SELECT now()")
            target_at = time.time()
            time.sleep(2)
            recovered_in = self.freeze_postgres(load)
            self.second_beat(load)
            self.phase(load, "after")
            time.sleep(10)
        self.figures["Back to /healthz ok after PostgreSQL thawed"] = f"{recovered_in:.1f} s"
        self.print_answers(load)
        self.check_load(load)
        self.check_jobs(reminders_before, heartbeats_before, beat_started, heartbeat_sql)
        self.backup_and_restore(documents)
        self.recover_to(target, target_at, load)
        self.print_figures(load)

    def check_load(self, load: Load) -> None:
        self.step("Every contact the load was told was saved, once")
        references = list(load.first_sent)
        rows = self.stack.sql(
            "SELECT client_reference, count(*) FROM clients_contact WHERE client_reference IN ("
            + ",".join(f"'{reference}'" for reference in references)
            + ") GROUP BY client_reference"
        )
        stored = dict(line.split("|") for line in rows.splitlines())
        told = set(load.recorded)
        check(len(told) > 20, f"{len(told)} contacts recorded during the drill")
        check(all(stored.get(reference) == "1" for reference in told), "each of them once")
        check(set(stored) <= set(references) and all(count == "1" for count in stored.values()),
              "no contact recorded twice, however often it was sent")  # fmt: skip
        answers = collections.Counter()
        for tally in load.tallies.values():
            answers.update(tally.answers)
        for bad in ("500", "timeout", "connection error", "signed out"):
            check(answers[bad] == 0, f"no {bad} in {sum(answers.values())} answers")
        slowest = max(tally.slowest for tally in load.tallies.values())
        check(
            slowest < ANSWER_WITHIN,
            f"every answer within {ANSWER_WITHIN} s (slowest {slowest:.1f} s)",
        )
        frozen = load.tallies["PostgreSQL frozen 20 s"].answers
        check(frozen["503 page"] > 0, f"{frozen['503 page']} clear 503 pages while frozen")
        half_written = self.stack.sql(
            "SELECT count(*) FROM clients_contact c WHERE NOT EXISTS (SELECT 1 FROM"
            " clients_contactworker w WHERE w.contact_id = c.id)"
            " AND c.notes LIKE 'Drill contact%'"
        )
        check(half_written == "0", "no contact without its worker (nothing half-written)")

    def check_jobs(self, reminders_before, heartbeats_before, beat_started, heartbeat_sql):
        self.step("Periodic jobs: once per due time, none doubled")
        key = f"contact-overdue-%-{datetime.now(LOCAL):%Y%m%d}"
        wait_until(
            "the killed job back and done",
            VISIBILITY_TIMEOUT + 120,
            lambda: (
                int(
                    self.stack.sql(
                        f"SELECT count(*) FROM notifications_notification WHERE key LIKE '{key}'"
                    )
                )
                > reminders_before
            ),
            every=3,
        )
        print("  ok: the killed job came back and finished")
        doubled = self.stack.sql(
            "SELECT count(*) FROM (SELECT recipient_id, key FROM notifications_notification"
            " WHERE key <> '' GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        check(doubled == "0", "no reminder sent twice to anyone")
        doubled = self.stack.sql(
            "SELECT count(*) FROM (SELECT entry_id, due_on FROM register_registerreview"
            " GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        check(doubled == "0", "no register review made twice")
        elapsed = time.monotonic() - beat_started
        sent = int(self.stack.sql(heartbeat_sql)) - heartbeats_before
        check(
            sent <= elapsed / 30 + 2, f"heartbeat sent {sent} times in {elapsed:.0f} s (every 30 s)"
        )
        self.figures["Heartbeats sent"] = f"{sent} in {elapsed:.0f} s (due every 30 s)"

    def table_counts(self, stack: Stack) -> dict[str, str]:
        tables = stack.sql(
            "SELECT string_agg(format('SELECT %L, count(*) FROM %I', tablename, tablename),"
            " ' UNION ALL ') FROM pg_tables WHERE schemaname = 'public'"
        )
        return dict(line.split("|") for line in stack.sql(tables).splitlines())

    def documents(self, stack: Stack) -> str:
        result = stack.compose(
            "run", "--rm", "--no-deps", "-T", "--entrypoint", "sh", "web", "-c",
            "cd /data/media && find . -type f -exec sha256sum {} + | sort",
        )  # fmt: skip
        return result.stdout.decode()

    def backup_and_restore(self, documents: dict[str, str]) -> None:
        self.step("A nightly dump and the documents, restored into a fresh stack")
        self.stack.compose("stop", "web", "worker", "beat")
        dump, media = self.backups / "icms.dump", self.backups / "media.tar.gz"
        result = self.stack.compose(
            "exec", "-T", "postgres", "pg_dump", "--username", "icms", "--dbname", "icms",
            "--format", "custom",
        )  # fmt: skip
        dump.write_bytes(result.stdout)
        result = self.stack.compose(
            "run", "--rm", "--no-deps", "-T", "web", "tar", "-C", "/data/media", "-czf", "-", "."
        )
        media.write_bytes(result.stdout)
        counts, files = self.table_counts(self.stack), self.documents(self.stack)
        check(bool(files.strip()), f"{len(files.splitlines())} documents to keep")
        self.stack.compose("down")  # its volumes stay, for the point-in-time recovery

        started = time.monotonic()
        restored = self.restored
        restored.compose("up", "--detach", "postgres", "redis")
        restored.wait_healthy(within=120)
        with open(dump, "rb") as source:
            restored.compose(
                "exec", "-T", "postgres", "pg_restore", "--username", "icms", "--dbname", "icms",
                "--no-owner", "--exit-on-error", stdin=source,
            )  # fmt: skip
        with open(media, "rb") as source:
            restored.compose(
                "run", "--rm", "--no-deps", "-T", "web", "tar", "-C", "/data/media", "-xzf", "-",
                stdin=source,
            )  # fmt: skip
        restored_counts = self.table_counts(restored)
        restored.compose("up", "--detach")
        restored.wait_healthy(within=240)
        self.figures["Restore (RTO): dump and documents to a healthy fresh stack"] = (
            f"{time.monotonic() - started:.0f} s"
        )
        differing = {
            table: (count, restored_counts.get(table))
            for table, count in counts.items()
            if restored_counts.get(table) != count
        }
        check(not differing, f"equal row counts in all {len(counts)} tables {differing or ''}")
        check(self.documents(restored) == files, "the same documents, byte for byte")
        practitioner = signed_in(self.url, self.certs / "icms.crt", "cp.demo")
        check(
            all(
                hashlib.sha256(practitioner.get(address, timeout=HTTP_TIMEOUT).content).hexdigest()
                == digest
                for address, digest in documents.items()
            ),
            "the practitioner signs in to the restored stack and opens the same documents",
        )
        restored.compose("down", "--volumes")

    def recover_to(self, target: str, target_at: float, load: Load) -> None:
        self.step(f"The WAL archive replayed to {target}")
        stack = self.stack
        stack.compose("up", "--detach", "postgres")
        stack.wait_healthy(within=120)
        # The segment holding the last contacts is archived, so that only the target stops them.
        segment = stack.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        stack.sql("SELECT pg_switch_wal()")
        wait_until(
            "the last WAL segment archived",
            60,
            lambda: stack.sql("SELECT last_archived_wal FROM pg_stat_archiver") >= segment,
        )
        stack.compose("stop", "postgres")
        started = time.monotonic()
        with open(ROOT / "deploy/recover_to.sh", "rb") as script:
            stack.compose(
                "run", "--rm", "--no-deps", "-T", "--entrypoint", "sh", "postgres", "-s",
                "drill", target, stdin=script,
            )  # fmt: skip
        stack.compose("up", "--detach", "postgres")
        wait_until(
            "recovery finished",
            180,
            lambda: stack.compose(
                "exec", "-T", "postgres", "psql", "--username", "icms", "--dbname", "icms",
                "-Atc", "SELECT NOT pg_is_in_recovery()", check=False,
            ).stdout.strip() == b"t",
            every=2,
        )  # fmt: skip
        self.figures["Point-in-time recovery (RTO)"] = f"{time.monotonic() - started:.0f} s"
        before = [ref for ref, told in load.recorded.items() if told < target_at - 1]
        after = [ref for ref, sent in load.first_sent.items() if sent > target_at + 1]
        present = set(
            stack.sql(
                "SELECT client_reference FROM clients_contact WHERE client_reference IN ("
                + ",".join(f"'{reference}'" for reference in before + after)
                + ")"
            ).split()
        )
        check(set(before) <= present, f"all {len(before)} contacts recorded before it present")
        check(not (set(after) & present), f"none of the {len(after)} sent after it")
        last = max(load.recorded[ref] for ref in before)
        self.figures["Point-in-time recovery (RPO)"] = (
            f"0: nothing recorded before the target lost (the latest, {target_at - last:.1f} s"
            " before it, is there)"
        )

    def print_answers(self, load: Load) -> None:
        print(f"\n  {'phase':<24} {'answers':>7}  {'slowest':>7}  by kind; the slowest request")
        for phase, tally in load.tallies.items():
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.answers.items()))
            total = sum(tally.answers.values())
            slowest = f"{tally.slowest:>6.1f}s"
            print(f"  {phase:<24} {total:>7}  {slowest}  {kinds}; {tally.slowest_request}")

    def print_figures(self, load: Load) -> None:
        print("\n== Figures")
        for name, value in self.figures.items():
            print(f"  {name}: {value}")
        self.print_answers(load)

    def tear_down(self) -> None:
        for stack in (self.stack, self.restored):
            with contextlib.suppress(DrillFailed, subprocess.TimeoutExpired):
                stack.compose("down", "--volumes", "--remove-orphans", check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack up at the end")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="icms-drill-"))
    drill = Drill(folder)
    try:
        drill.run()
    except DrillFailed as failure:
        print(f"\nDRILL FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if not options.keep:
            drill.tear_down()
            shutil.rmtree(folder, ignore_errors=True)
    print("\nThe drill passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
