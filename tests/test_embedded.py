"""The embedded servers start from nothing, are shared, stop on request, and start again
whatever a kill or a power cut left of their state files."""

import json
import os
import subprocess
from pathlib import Path

import psutil
import psycopg2
import pytest
import redis

from icms import embedded
from tests.servers import wait_until


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    embedded.stop(tmp_path)


def test_embedded_redis_starts_once_and_is_shared(data_dir):
    url = embedded.redis_url(data_dir)

    assert embedded.redis_url(data_dir) == url
    client = redis.Redis.from_url(url)
    client.set("icms-test", "shared")
    assert redis.Redis.from_url(embedded.redis_url(data_dir)).get("icms-test") == b"shared"
    client.close()


def test_embedded_redis_keeps_its_socket_short_in_a_deep_folder(tmp_path):
    deep = tmp_path / ("very-long-folder-name-" * 5)
    deep.mkdir()
    try:
        url = embedded.redis_url(deep)

        assert len(url.removeprefix("unix://")) <= embedded.MAX_SOCKET_PATH
        assert redis.Redis.from_url(url).ping()
    finally:
        embedded.stop(deep)


def app_role(database: dict) -> tuple:
    """What the app's role may do, asked over the app's own connection."""
    connection = psycopg2.connect(
        dbname=database["NAME"], user=database["USER"], host=database["HOST"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_database(), current_user, rolsuper, rolcreaterole, rolcreatedb "
            "FROM pg_roles WHERE rolname = current_user"
        )
        role = cursor.fetchone()
    connection.close()
    return role


def test_embedded_postgres_starts_creates_the_database_and_stops(data_dir):
    database = embedded.postgres_database(data_dir)

    assert app_role(database) == ("icms", "icms_app", False, False, False)
    assert embedded.postgres_database(data_dir) == database

    assert embedded.stop(data_dir) == ["PostgreSQL"]
    assert embedded.stop(data_dir) == []


def test_embedded_postgres_gives_a_data_folder_of_before_the_app_role_one(data_dir):
    """A folder made when the app connected as `postgres`: the role is made by the next process
    that starts or finds the server (and `migrate` grants it what it needs)."""
    database = embedded.postgres_database(data_dir)
    owner = psycopg2.connect(dbname="postgres", user=embedded.OWNER_USER, host=database["HOST"])
    owner.autocommit = True
    with owner.cursor() as cursor:
        cursor.execute("DROP ROLE icms_app")
    owner.close()

    assert embedded.postgres_database(data_dir) == database
    assert app_role(database) == ("icms", "icms_app", False, False, False)


# --- After a kill or a power cut ------------------------------------------------------------
# Each server is killed as a power cut kills it (SIGKILL, all its processes), its state files
# are left as such a stop can leave them, and the next process of the app that needs the server
# gets it without a traceback: the file repaired, or set aside with one line saying so.


def power_cut(pid: int) -> None:
    process = psutil.Process(pid)
    everything = [process, *process.children(recursive=True)]
    for each in everything:
        each.kill()
    psutil.wait_procs(everything, timeout=10)


@pytest.fixture(scope="module")
def killed_postgres(tmp_path_factory):
    """A data folder with the app's database in it, its PostgreSQL killed before each test."""
    data_dir = tmp_path_factory.mktemp("pg")
    embedded.postgres_database(data_dir)

    def kill() -> Path:
        pgdata = data_dir / "postgres"
        if (pid := embedded.running_postmaster(pgdata)) is not None:
            power_cut(pid)
        return pgdata

    yield data_dir, kill
    embedded.stop(data_dir)


def set_aside_files(folder: Path, name: str) -> list[str]:
    return sorted(path.name for path in folder.glob(f"{name}.damaged-*"))


@pytest.mark.parametrize(
    "content",
    ["", "[41, 4", "\x00" * 16, '{"pids": [41]}', "[41, null]"],
    ids=["empty", "cut short", "zeros", "not a list", "not PIDs"],
)
def test_a_damaged_list_of_handles_is_set_aside_and_postgres_starts(
    killed_postgres, content, capsys
):
    data_dir, kill = killed_postgres
    pgdata = kill()
    before = set_aside_files(pgdata, ".handle_pids.json")
    (pgdata / ".handle_pids.json").write_text(content)

    database = embedded.postgres_database(data_dir)

    assert app_role(database)[:2] == ("icms", "icms_app")
    (new,) = set(set_aside_files(pgdata, ".handle_pids.json")) - set(before)
    assert (pgdata / new).read_text() == content
    assert capsys.readouterr().err == (
        f"ICMS: {pgdata / '.handle_pids.json'} was damaged; set it aside as {new} and went on "
        "without it.\n"
    )
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]


def test_dead_processes_are_dropped_from_the_list_of_handles(killed_postgres, capsys):
    data_dir, kill = killed_postgres
    pgdata = kill()
    dead = subprocess.Popen(["true"])  # noqa: S607
    dead.wait()
    (pgdata / ".handle_pids.json").write_text(json.dumps([dead.pid, os.getpid()]))

    embedded.postgres_database(data_dir)

    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]
    assert capsys.readouterr().err == ""


@pytest.fixture
def another_process_of_postgres_user(killed_postgres):
    """A process that has the PID the killed PostgreSQL had, as after a reboot: it runs as
    PostgreSQL's user (pgserver's own under root), so PostgreSQL's own check of its lock files
    (may it signal that PID?) takes it for a live server too."""
    data_dir, _kill = killed_postgres
    owner = (data_dir / "postgres").stat().st_uid
    process = subprocess.Popen(["sleep", "600"], user=owner)  # noqa: S607
    yield process.pid
    process.kill()
    process.wait()


def test_a_postmaster_pid_naming_a_pid_now_reused_does_not_stop_postgres(
    killed_postgres, another_process_of_postgres_user
):
    data_dir, kill = killed_postgres
    pgdata = kill()
    for lock_file in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):
        lines = lock_file.read_text().splitlines()
        lock_file.write_text("\n".join([str(another_process_of_postgres_user), *lines[1:]]))

    database = embedded.postgres_database(data_dir)

    assert app_role(database)[:2] == ("icms", "icms_app")
    assert embedded.running_postmaster(pgdata) not in {None, another_process_of_postgres_user}


@pytest.mark.parametrize(
    "damage",
    [lambda text: "", lambda text: text[:10], lambda text: "not a pid\n" + text],
    ids=["empty", "cut short", "garbage"],
)
def test_a_damaged_postmaster_pid_does_not_stop_postgres(killed_postgres, damage):
    data_dir, kill = killed_postgres
    pgdata = kill()
    pid_file = pgdata / "postmaster.pid"
    pid_file.write_text(damage(pid_file.read_text()))

    assert embedded.stop(data_dir) == []  # nothing runs, and that is no error
    database = embedded.postgres_database(data_dir)

    assert app_role(database)[:2] == ("icms", "icms_app")


def test_a_data_folder_that_initdb_never_finished_is_set_aside(data_dir, capsys):
    """The very first start killed half-way: initdb needs an empty folder."""
    pgdata = data_dir / "postgres"
    (pgdata / "base").mkdir(parents=True)
    (pgdata / "postgresql.conf").write_text("# half written")

    database = embedded.postgres_database(data_dir)

    assert app_role(database)[:2] == ("icms", "icms_app")
    (set_aside,) = data_dir.glob("postgres.damaged-*")
    assert (set_aside / "postgresql.conf").read_text() == "# half written"
    assert "made a new one" in capsys.readouterr().err


@pytest.fixture
def killed_redis(data_dir):
    """The data folder's Redis, holding three keys in its append-only file, killed."""
    client = redis.Redis.from_url(embedded.redis_url(data_dir))
    for number in range(3):
        client.set(f"key{number}", "kept")
    client.close()
    # Redis may put off writing its append-only file while a background fsync runs: the keys
    # are on file before the power goes, as the tests below take them to be.
    append_only = data_dir / "redis" / "appendonly.aof"
    wait_until(lambda: b"key2" in append_only.read_bytes(), within=10, what="keys on file")
    power_cut(embedded.running_redis(data_dir / "redis"))
    return data_dir


def keys(data_dir: Path) -> list[bytes]:
    client = redis.Redis.from_url(embedded.redis_url(data_dir))
    try:
        return sorted(client.keys())
    finally:
        client.close()


@pytest.mark.parametrize(
    "content",
    ["", "garbage\n", "0\x00", str(os.getpid())],
    ids=["empty", "garbage", "cut", "reused"],
)
def test_a_stale_or_damaged_redis_pid_file_does_not_stop_redis(killed_redis, content, capsys):
    redis_dir = killed_redis / "redis"
    (redis_dir / "redis.pid").write_text(content)

    assert keys(killed_redis) == [b"key0", b"key1", b"key2"]
    assert embedded.running_redis(redis_dir) not in {None, os.getpid()}
    assert capsys.readouterr().err == ""


def test_an_append_only_file_cut_short_loads_what_it_holds(killed_redis, capsys):
    append_only = killed_redis / "redis" / "appendonly.aof"
    append_only.write_bytes(append_only.read_bytes()[:-7])  # the last command cut in half

    assert keys(killed_redis) == [b"key0", b"key1"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "damage",
    [lambda kept: kept + bytes(4096), lambda kept: kept + b"\xff garbage\r\n"],
    ids=["zeros after it", "garbage after it"],
)
def test_an_append_only_file_with_a_damaged_end_is_cut_back_and_kept(killed_redis, damage, capsys):
    append_only = killed_redis / "redis" / "appendonly.aof"
    original = damage(append_only.read_bytes())
    append_only.write_bytes(original)

    assert keys(killed_redis)[:2] == [b"key0", b"key1"]
    (set_aside,) = append_only.parent.glob("appendonly.aof.damaged-*")
    assert set_aside.read_bytes() == original
    assert capsys.readouterr().err == (
        f"ICMS: {append_only} was damaged; set it aside as {set_aside.name} and kept the "
        "commands before the damage.\n"
    )


def test_a_data_folder_that_cannot_be_one_stops_start_up_with_one_line(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")

    with pytest.raises(embedded.EmbeddedServerError) as postgres:
        embedded.postgres_database(not_a_folder / "data")
    with pytest.raises(embedded.EmbeddedServerError) as redis_error:
        embedded.redis_url(not_a_folder / "data")

    for error in (postgres.value, redis_error.value):
        assert "Not a directory" in str(error)
        assert "\n" not in str(error)


def test_a_postgres_that_cannot_start_says_why_in_one_line(killed_postgres):
    data_dir, kill = killed_postgres
    pgdata = kill()
    settings = pgdata / "postgresql.auto.conf"
    kept = settings.read_text()
    settings.write_text(kept + "shared_buffers = 'plenty'\n")
    try:
        with pytest.raises(embedded.EmbeddedServerError) as error:
            embedded.postgres_database(data_dir)
    finally:
        settings.write_text(kept)

    assert str(error.value) == (
        f"the embedded PostgreSQL in {pgdata} did not start "
        f'(FATAL:  configuration file "{settings}" contains errors); see {pgdata / "log"}'
    )


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB file system, too small for a PostgreSQL cluster (root only: it mounts one)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root?)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)  # noqa: S603, S607


def test_a_full_disk_stops_postgres_with_one_line_saying_so(small_disk):
    with pytest.raises(embedded.EmbeddedServerError) as error:
        embedded.postgres_database(small_disk / "data")

    assert "No space left on device" in str(error.value)
    assert str(error.value).endswith(
        f"the disk holding {small_disk / 'data'} is full: free some space and start again"
    )
    assert "\n" not in str(error.value)
