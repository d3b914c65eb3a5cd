"""`make run` starts again after any way it was stopped (issue 21): the real `make run`, in a
data folder of its own, on a free PORT, in its own session as a terminal starts it. It is
stopped one way, started again, and each time it serves and a demo user signs in (password and
authenticator code), and nothing of the run before is left, let alone holding the port.
The ways are subtests of one test because each start follows the one before (the demo is
seeded once, by the first)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from base64 import b32decode
from pathlib import Path

import psutil
import pytest
import requests
from django_otp.oath import TOTP

from devtools.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from icms import embedded
from icms.run import leftovers
from tests.pages import FormFields
from tests.servers import wait_until

pytestmark = pytest.mark.faults

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_START_WITHIN = 240  # an empty folder: initdb, every migration, the demo agency
START_WITHIN = 90
HTTP_TIMEOUT = 15
# A code works once per user: each start signs in a demo user of its own.
PEOPLE = ["cm.demo", "sup.demo", "cp.demo", "reg.demo", "reg2.demo", "admin.demo", "cm2.demo"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MakeRun:
    """`make run` as a person starts it in a terminal: its own session and process group."""

    def __init__(self, data_dir: Path, port: int, log: Path | None = None) -> None:
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log or data_dir.parent / "make-run.log"
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DATABASE_", "REDIS_", "DJANGO", "MAKE", "ICMS_"))
            and name not in {"MFLAGS", "PORT", "SITE_URL", "DEBUG"}
        } | {"ICMS_DATA_DIR": str(data_dir), "PORT": str(port), "DEBUG": "1"}
        self.make: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as log:
            log.write(f"\n===== make run, at {time.strftime('%H:%M:%S')} =====\n")
            log.flush()
            self.log_start = log.tell()
            self.make = subprocess.Popen(
                ["make", "--no-print-directory", "run"],  # noqa: S607
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def serving(self) -> bool:
        """This start serves (not what a run before it may have left)."""
        assert self.make.poll() is None, f"make run ended ({self.make.returncode}):\n{self.tail()}"
        if f"ICMS is starting on {self.url}" not in self.said():
            return False
        try:
            return requests.get(f"{self.url}/accounts/login/", timeout=HTTP_TIMEOUT).ok
        except requests.ConnectionError:
            return False

    def wait_serving(self, within: float) -> float:
        started = time.monotonic()
        try:
            wait_until(self.serving, within=within, what="make run serving", every=0.25)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.tail()}") from None
        return time.monotonic() - started

    def processes(self) -> list[psutil.Process]:
        """Every process this `make run` started, whatever session or group it is in now."""
        make = psutil.Process(self.make.pid)
        return [make, *make.children(recursive=True)]

    def embedded_servers(self) -> list[psutil.Process]:
        """The embedded PostgreSQL (all its processes) and Redis of the data folder: they
        work in their data folders."""
        folders = {str(self.data_dir / "postgres"), str(self.data_dir / "redis")}
        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.cwd() in folders:
                    found.append(process)
        return found

    def port_holders(self) -> set[int]:
        return {
            connection.pid
            for connection in psutil.net_connections("tcp")
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == self.port
        }

    def said(self) -> str:
        """What this start of `make run` has printed so far."""
        with open(self.log, "rb") as log:
            log.seek(self.log_start)
            return log.read().decode(errors="replace")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def signed_in(run: MakeRun, username: str) -> None:
    """`username` signs in with their password and authenticator code, and lands at home."""
    browser = requests.Session()
    login = browser.get(f"{run.url}/accounts/login/", timeout=HTTP_TIMEOUT)
    browser.post(
        login.url,
        {
            "csrfmiddlewaretoken": dict(FormFields(login.text).fields)["csrfmiddlewaretoken"],
            "username": username,
            "password": DEMO_PASSWORD,
        },
        timeout=HTTP_TIMEOUT,
    )
    code_page = browser.get(f"{run.url}/accounts/login/code/", timeout=HTTP_TIMEOUT)
    home = browser.post(
        code_page.url,
        {
            "csrfmiddlewaretoken": dict(FormFields(code_page.text).fields)["csrfmiddlewaretoken"],
            "code": f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}",
        },
        timeout=HTTP_TIMEOUT,
    )
    assert home.url == f"{run.url}/", f"{username} did not get in: {home.url}\n{run.tail()}"
    assert "Log out" in home.text


def kill_all(processes: list[psutil.Process], sig: signal.Signals) -> None:
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)


def ctrl_c(run: MakeRun) -> None:
    os.killpg(run.make.pid, signal.SIGINT)
    run.make.wait(timeout=60)


def service_manager_stop(run: MakeRun) -> None:
    """As systemd stops a unit (and docker a container): SIGTERM to everything the service
    started, the embedded servers too, then SIGKILL to whatever is still alive 2 s later."""
    everything = run.processes() + run.embedded_servers()
    kill_all(everything, signal.SIGTERM)
    time.sleep(2)
    kill_all([process for process in everything if process.is_running()], signal.SIGKILL)
    run.make.wait(timeout=10)


def closed_terminal(run: MakeRun) -> None:
    os.killpg(run.make.pid, signal.SIGHUP)
    run.make.wait(timeout=60)


def power_cut(run: MakeRun, reused_pid: int) -> None:
    """Everything killed at once, the embedded servers too; then their state files as a power
    cut leaves them: pgserver's list of handles empty (written, not yet flushed), the stale
    postmaster.pid naming a PID that another process now has, the tail of Redis's append-only
    file lost mid-command and filled with zeros."""
    kill_all(run.processes() + run.embedded_servers(), signal.SIGKILL)
    run.make.wait(timeout=10)
    wait_until(lambda: not run.embedded_servers(), within=10, what="servers dead")
    pgdata = run.data_dir / "postgres"
    (pgdata / ".handle_pids.json").write_text("")
    for lock_file in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):
        lines = lock_file.read_text().splitlines()
        lock_file.write_text("\n".join([str(reused_pid), *lines[1:]]) + "\n")
    append_only = run.data_dir / "redis" / "appendonly.aof"
    kept = append_only.read_bytes()
    assert len(kept) > 100, "Redis had written nothing to lose"
    append_only.write_bytes(kept[:-7] + bytes(4096))


def make_alone_killed(run: MakeRun) -> None:
    """Only make: what it started is not told, and is not waited for here."""
    run.make.kill()
    run.make.wait(timeout=10)


def make_and_its_supervisor_killed(run: MakeRun) -> None:
    """SIGKILL to the terminal's process group: make and icms.run, not web, worker and beat,
    which are in sessions of their own, and live on, holding the port."""
    before = {process.pid for process in run.processes()}
    os.killpg(run.make.pid, signal.SIGKILL)
    run.make.wait(timeout=10)
    assert run.port_holders() & before, "nothing was left holding the port"


@pytest.fixture
def run():
    folder = Path(tempfile.mkdtemp(prefix="icms-restarts-"))  # short: unix socket paths
    run = MakeRun(folder / "data", free_port())
    try:
        yield run
    finally:
        if run.make is not None and run.make.poll() is None:
            os.killpg(run.make.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.make.wait(timeout=60)
            with contextlib.suppress(psutil.NoSuchProcess):
                kill_all(run.processes(), signal.SIGKILL)
        kill_all(leftovers(run.data_dir), signal.SIGKILL)  # of a way that failed
        embedded.stop(run.data_dir)
        kill_all(run.embedded_servers(), signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def started_again(run: MakeRun, before: list[psutil.Process], username: str, way: str) -> None:
    run.start()
    took = run.wait_serving(START_WITHIN)
    sys.stderr.write(f"after {way}: serving again {took:.1f} s after `make run`\n")
    signed_in(run, username)
    ours = {process.pid for process in run.processes()}
    assert run.port_holders() <= ours, f"the port is held by {run.port_holders() - ours}"
    left = [process for process in before if process.is_running()]
    assert not left, f"still running from before {way}: {left}"


def test_make_run_starts_again_after_any_way_it_was_stopped(run, subtests):
    run.start()
    took = run.wait_serving(FIRST_START_WITHIN)
    sys.stderr.write(f"first start, from an empty folder: serving {took:.1f} s after `make run`\n")
    people = iter(PEOPLE)
    signed_in(run, next(people))

    # The process that has the PID of the killed PostgreSQL after the power cut, as after a
    # reboot: it runs as the user PostgreSQL runs as (pgserver's own under root), so that
    # PostgreSQL's own check of its lock file would take it for a live server too.
    pgdata_owner = (run.data_dir / "postgres").stat().st_uid
    sleeper = subprocess.Popen(["sleep", "600"], user=pgdata_owner)  # noqa: S607
    try:
        ways = {
            "Ctrl-C": ctrl_c,
            "a service manager's stop": service_manager_stop,
            "a closed terminal": closed_terminal,
            "a power cut": lambda run: power_cut(run, sleeper.pid),
            "make alone killed": make_alone_killed,
            "make and its supervisor killed": make_and_its_supervisor_killed,
        }
        for way, stop in ways.items():
            with subtests.test(way):
                if run.make.poll() is not None:  # a way before failed: start afresh
                    run.start()
                    run.wait_serving(START_WITHIN)
                before = run.processes()
                stop(run)
                started_again(run, before, next(people), way)
                if way == "make and its supervisor killed":
                    assert "that the make run before left running." in run.said()
                if way == "a power cut":
                    damaged = [line for line in run.said().splitlines() if "was damaged" in line]
                    assert [line.split(" was damaged")[0] for line in damaged] == [
                        f"ICMS: {run.data_dir / 'postgres' / '.handle_pids.json'}",
                        f"ICMS: {run.data_dir / 'redis' / 'appendonly.aof'}",
                    ], run.said()
    finally:
        sleeper.kill()
        sleeper.wait()


def one_line_of(run: MakeRun) -> str:
    """What a `make run` that cannot start says: one line, no traceback."""
    run.start()
    run.make.wait(timeout=60)
    said = run.said()
    assert run.make.returncode != 0
    assert "Traceback" not in said
    (complaint,) = [line for line in said.splitlines() if line.startswith("ICMS")]
    return complaint


def test_make_run_on_a_port_another_program_holds_says_so_in_one_line(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]

        said = one_line_of(MakeRun(tmp_path / "data", port))

    assert said == (
        f"ICMS cannot start: port {port} is taken by {psutil.Process().name()} (process "
        f"{os.getpid()}): stop it, or start ICMS on another port, e.g. make run PORT={port + 1}"
    )


def test_make_run_in_a_folder_it_cannot_use_or_on_no_port_says_so_in_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    cannot_be_a_folder = tmp_path / "file" / "data"
    assert one_line_of(MakeRun(cannot_be_a_folder, free_port(), tmp_path / "log")) == (
        f"ICMS cannot start: cannot use {cannot_be_a_folder} (Not a directory): set "
        "ICMS_DATA_DIR to a folder you can write to"
    )

    no_port = MakeRun(tmp_path / "data", free_port())
    no_port.env["PORT"] = "eighty"
    assert one_line_of(no_port) == (
        "ICMS cannot start: PORT must be a port number (1-65535), not 'eighty'"
    )
