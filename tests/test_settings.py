import pytest
from django.core.exceptions import ImproperlyConfigured

from icms.settings import celery_broker_url, database_from_url, database_owner, redis_url_for_db


@pytest.mark.parametrize(
    ("url", "db", "expected"),
    [
        ("redis://redis:6379/0", 1, "redis://redis:6379/1"),
        ("redis://:secret@redis:6379", 2, "redis://:secret@redis:6379/2"),
        ("unix:///srv/icms/redis.sock", 1, "unix:///srv/icms/redis.sock?db=1"),
        ("unix:///srv/icms/redis.sock?db=0", 3, "unix:///srv/icms/redis.sock?db=3"),
    ],
)
def test_redis_url_for_db_replaces_the_database(url, db, expected):
    assert redis_url_for_db(url, db) == expected


def test_celery_broker_url_spells_a_unix_socket_the_kombu_way():
    assert (
        celery_broker_url("unix:///srv/icms/redis.sock", 0)
        == "redis+socket:///srv/icms/redis.sock?virtual_host=0"
    )
    assert celery_broker_url("redis://redis:6379", 0) == "redis://redis:6379/0"


def test_redis_url_must_be_redis():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must start with"):
        redis_url_for_db("http://redis:6379", 0)


def test_the_tests_run_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"


def test_the_owners_url_gives_another_role_to_the_same_database():
    app = database_from_url("postgres://icms_app:app@pooler.example.org:6432/icms")

    owner = database_owner(
        "postgres://icms_owner:own@db.example.org:5432/icms?sslmode=require", app
    )

    assert owner == {
        "USER": "icms_owner",
        "PASSWORD": "own",
        "HOST": "db.example.org",
        "PORT": 5432,
        "OPTIONS": {"sslmode": "require"},
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://icms_owner@db/other", "DATABASE_OWNER_URL must name the database"),
        ("mysql://icms_owner@db/icms", "DATABASE_OWNER_URL must point to PostgreSQL"),
    ],
)
def test_an_owners_url_that_cannot_serve_is_refused(url, message):
    app = database_from_url("postgres://icms_app@db/icms")

    with pytest.raises(ImproperlyConfigured, match=message):
        database_owner(url, app)
