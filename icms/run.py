"""`make run`: ICMS for trying it and for development, in one terminal, on PORT (default 8000).

First it takes the data folder's lease (one `make run` per data folder) and ends what an
earlier run of the same folder left running: web, worker and beat carry ICMS_RUN_OF=<data
folder> in their environment, so they are found however that run ended (make killed, a power
cut), and nobody else's processes are touched. Then migrate, install_schedules and seed_demo,
then web, worker and beat, each line of their output prefixed with its name. Ctrl-C, SIGTERM,
a closed terminal (SIGHUP) or the death of make stop them all, then the embedded servers.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import psutil

from icms import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_OF = "ICMS_RUN_OF"
STOP_WITHIN = 10  # seconds for a process to stop when asked, before it is killed
LEASE_WITHIN = 30  # seconds to wait for a run of the same folder that is stopping
SETUP = [["migrate", "--noinput"], ["install_schedules"], ["seed_demo"]]
COLOURS = {"web": 36, "worker": 33, "beat": 35}
PR_SET_PDEATHSIG = 1


class CannotStart(Exception):
    """`make run` cannot start; the message says what to do, in one line."""


class Stopped(Exception):
    """Asked to stop: Ctrl-C, SIGTERM, a closed terminal, or make gone."""


_output = threading.Lock()
_stopping = False


def say(line: str, name: str = "") -> None:
    if name:
        prefix = f"{name:<6} | "  # their own log lines say when
        if sys.stdout.isatty():
            prefix = f"\033[{COLOURS[name]}m{prefix}\033[0m"
        line = prefix + line
    with _output:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):  # the terminal has gone
            _detach_from_terminal()


def _detach_from_terminal() -> None:
    """A closed terminal fails every later write: write to nowhere instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.dup2(devnull, sys.stderr.fileno())
    os.close(devnull)


def _on_signal(signum: int, _frame: object) -> None:
    global _stopping
    if signum == signal.SIGHUP:
        _detach_from_terminal()
    if not _stopping:
        _stopping = True
        raise Stopped


def _end_with_parent() -> None:
    """make killed (SIGKILL, which it cannot pass on) is as SIGTERM to this process: Linux's
    parent-death signal. Make runs this recipe's one command itself, without a shell."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def _take_lease(data_dir: Path) -> IO[str]:
    """An exclusive lock on the data folder's `make-run.pid`, held while this process lives
    (the kernel drops it however the process ends); the file names the holder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lease = open(data_dir / "make-run.pid", "a+")  # noqa: SIM115 - held until the process ends
    deadline = time.monotonic() + LEASE_WITHIN
    waiting = False
    while True:
        try:
            fcntl.flock(lease, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            lease.seek(0)
            holder = lease.read().strip() or "?"
            if time.monotonic() > deadline:
                raise CannotStart(
                    f"a make run of {data_dir} is running (process {holder}): stop it first "
                    f"(Ctrl-C in its terminal, or kill {holder}), or give this one a data folder "
                    "of its own with ICMS_DATA_DIR"
                ) from None
            if not waiting:
                say(f"Waiting for the make run before (process {holder}) to finish stopping...")
                waiting = True
            time.sleep(0.2)
    lease.seek(0)
    lease.truncate()
    lease.write(f"{os.getpid()}\n")
    lease.flush()
    return lease


def leftovers(data_dir: Path) -> list[psutil.Process]:
    """Web, worker and beat of an earlier run of this data folder, and what they started,
    still running. Not the embedded servers: they are shared, and stopped on their own."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if (
                process.pid != os.getpid()
                and process.environ().get(RUN_OF) == str(data_dir)
                and process.name() not in {"postgres", "redis-server"}
            ):
                found.append(process)
    return found


def _end_leftovers(data_dir: Path) -> None:
    left = leftovers(data_dir)
    if not left:
        return
    say(f"Ending {len(left)} processes that the make run before left running.")
    for process in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _gone, alive = psutil.wait_procs(left, timeout=STOP_WITHIN)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=STOP_WITHIN)


def _check_port(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise CannotStart(
                    f"cannot listen on 127.0.0.1:{port} ({error.strerror}): "
                    f"choose another port, e.g. make run PORT={port + 1}"
                ) from None
            raise CannotStart(
                f"port {port} is taken by {_holder(port)}: stop it, or start ICMS on "
                f"another port, e.g. make run PORT={port + 1}"
            ) from None


def _holder(port: int) -> str:
    with contextlib.suppress(psutil.Error):
        for connection in psutil.net_connections("tcp"):
            if connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
                if connection.pid is None:  # another user's
                    break
                return f"{psutil.Process(connection.pid).name()} (process {connection.pid})"
    return "another program"


def _run_step(arguments: list[str], env: dict[str, str]) -> None:
    # In a session of its own, as web, worker and beat are: stopped by this process.
    step = subprocess.Popen(  # noqa: S603 - this virtualenv's python
        [sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=env, start_new_session=True
    )
    try:
        returncode = step.wait()
    except Stopped:
        _stop([step])
        raise
    if returncode != 0:  # it said why
        raise SystemExit(returncode)


def _start(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """One of web, worker and beat, in a session of its own: the terminal's Ctrl-C or hang-up
    comes to this process alone, which stops them all and waits for them."""
    process = subprocess.Popen(  # noqa: S603 - this virtualenv's python
        command,
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    threading.Thread(target=_relay, args=(name, process.stdout), daemon=True).start()
    return process


def _relay(name: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        say(line.decode(errors="replace").rstrip("\n"), name)


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each process's group, SIGKILL to those not gone within STOP_WITHIN seconds
    (and to what they started: Django's autoreloader leaves its child if killed itself)."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WITHIN
    while any(process.poll() is None for process in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _serve(port: int, env: dict[str, str]) -> int:
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [sys.executable, "-m", "celery", "--app", "icms", "worker", "--loglevel",
                   "INFO", "--concurrency", "2"],
        "beat": [sys.executable, "-m", "celery", "--app", "icms", "beat", "--loglevel", "INFO"],
    }  # fmt: skip
    processes = {name: _start(name, command, env) for name, command in commands.items()}
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    say(f"ICMS: {name} ended (exit code {process.returncode}); stopping the rest.")
                    return 1
            time.sleep(0.2)
    finally:
        _stopping_now()
        say("Stopping web, worker and beat.")
        _stop(list(processes.values()))


def _stopping_now() -> None:
    """From here on a signal changes nothing: what is being stopped is stopped to the end."""
    global _stopping
    _stopping = True


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    _end_with_parent()
    data_dir = embedded.data_dir_from_environment(BASE_DIR)
    lease = None
    try:
        given = os.environ.get("PORT") or "8000"
        if not given.isdigit() or not 0 < int(given) < 65536:
            raise CannotStart(f"PORT must be a port number (1-65535), not {given!r}")
        port = int(given)
        try:
            lease = _take_lease(data_dir)
        except OSError as error:
            otherwise = "set ICMS_DATA_DIR to a folder you can write to"
            raise CannotStart(
                f"cannot use {error.filename or data_dir} ({error.strerror}): "
                f"{embedded.what_to_do(error, data_dir, otherwise)}"
            ) from None
        _end_leftovers(data_dir)
        _check_port(port)
        env = os.environ | {"ICMS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        for arguments in SETUP:
            _run_step(arguments, env)
        say(f"ICMS is starting on http://127.0.0.1:{port} (Ctrl-C stops it).")
        return _serve(port, env | {RUN_OF: str(data_dir)})
    except CannotStart as error:
        sys.stderr.write(f"ICMS cannot start: {error}\n")
        return 1
    except Stopped:
        return 0
    finally:
        _stopping_now()
        if lease is not None:
            _stop_embedded_servers(data_dir)


def _stop_embedded_servers(data_dir: Path) -> None:
    try:
        names = embedded.stop(data_dir)
    except (embedded.EmbeddedServerError, OSError) as error:
        say(f"ICMS: {error}")
    else:
        if names:
            say(f"Stopped the embedded {' and '.join(names)}.")


if __name__ == "__main__":
    sys.exit(main())
