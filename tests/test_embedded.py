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


def test_embedded_postgres_starts_creates_the_database_and_stops(data_dir):
    database = embedded.postgres_database(data_dir)

    connection = psycopg2.connect(
        dbname=database["NAME"], user=database["USER"], host=database["HOST"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone() == ("icms",)
    connection.close()
    assert embedded.postgres_database(data_dir) == database

    assert embedded.stop(data_dir) == ["PostgreSQL"]
    assert embedded.stop(data_dir) == []
