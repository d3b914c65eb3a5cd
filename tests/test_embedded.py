"""The embedded servers start from nothing, are shared, and stop on request."""

import psycopg2
import pytest
import redis

from icms import embedded


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
