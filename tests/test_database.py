"""Every wait for PostgreSQL has a deadline (icms/database; issue 19, item 7): connecting,
Django's health check of a kept connection, and statements, whose server-side timeout is a
page's or a job's. Against a PostgreSQL of these tests' own, stopped (SIGSTOP) as a frozen
machine is; tests/test_faults.py does it to the whole app under gunicorn."""

import contextlib
import time

import pytest
from celery.signals import task_prerun
from django.conf import settings
from django.core.signals import request_started
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler
from django.test import Client

from icms import database
from icms.tasks import heartbeat
from tests.servers import PostgresServer


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory):
    server = PostgresServer(tmp_path_factory.mktemp("postgres") / "data")
    server.create_database("bounds")
    yield server
    server.close()


@pytest.fixture
def connection(own_postgres, django_db_blocker):
    """A connection to it, configured as the app's own (ENGINE, OPTIONS, health checks)."""
    own = settings.DATABASES["default"] | {
        "NAME": "bounds",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": own_postgres.socket_dir,
        "PORT": "",
        "TEST": {},
    }
    # In Django's own handler: django.contrib.postgres looks new connections up there by alias.
    connections.settings["own"] = ConnectionHandler(
        {"default": settings.DATABASES["default"], "own": own}
    ).settings["own"]
    with django_db_blocker.unblock():  # a server apart: nothing of the test database to isolate
        yield connections["own"]
    connections["own"].close()
    del connections["own"]
    del connections.settings["own"]


@contextlib.contextmanager
def statements_bounded(seconds: float):
    """As in a page, whose request does this (icms/apps.py)."""
    database.bound_statements(seconds)
    try:
        yield
    finally:
        database.bound_statements(None)


def timed(work):
    started = time.monotonic()
    try:
        work()
    except OperationalError as error:
        return error, time.monotonic() - started
    return None, time.monotonic() - started


def one(connection, sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_page_connection_carries_the_pages_statement_timeout_and_a_command_none(
    connection,
):
    with statements_bounded(7):
        assert one(connection, "SHOW statement_timeout") == "7s"

    connection.close()

    assert one(connection, "SHOW statement_timeout") == "0"


def test_the_server_cancels_a_slow_statement_and_the_connection_is_kept(connection):
    with statements_bounded(1):
        backend = one(connection, "SELECT pg_backend_pid()")

        error, took = timed(lambda: one(connection, "SELECT pg_sleep(5)"))

        assert "statement timeout" in str(error)
        assert took < 2
        assert one(connection, "SELECT pg_backend_pid()") == backend


def test_a_statement_on_a_stopped_server_gives_up_after_the_timeout_and_a_margin(
    connection, own_postgres
):
    with statements_bounded(1):
        one(connection, "SELECT 1")
        with own_postgres.stopped():
            error, took = timed(lambda: one(connection, "SELECT 1"))

    assert "did not answer" in str(error)
    assert 1 + database.SERVER_MARGIN <= took < 1 + database.SERVER_MARGIN + 1
    connection.close_if_unusable_or_obsolete()  # as at the end of every request and job
    assert one(connection, "SELECT 2") == 2  # a new connection, once it answers


def test_a_transaction_on_a_stopped_server_gives_up_once_not_again_on_its_way_out(
    connection, own_postgres
):
    """Leaving a failed transaction, Django rolls back and sets autocommit again, which
    connects anew: on a server already given up on, that would wait a connect timeout more."""
    with statements_bounded(1):
        one(connection, "SELECT 1")
        with own_postgres.stopped():

            def in_a_transaction():
                with transaction.atomic(using="own"):
                    one(connection, "SELECT 1")

            error, took = timed(in_a_transaction)

    assert "did not answer" in str(error)
    assert 1 + database.SERVER_MARGIN <= took < 1 + database.SERVER_MARGIN + 1


def test_a_page_that_gave_up_on_the_server_does_not_wait_for_it_again_and_the_next_page_does(
    connection, own_postgres
):
    with statements_bounded(1):
        one(connection, "SELECT 1")
        with own_postgres.stopped():
            timed(lambda: one(connection, "SELECT 1"))
            connection.close_if_unusable_or_obsolete()

            error, took = timed(lambda: one(connection, "SELECT 1"))

    assert "did not answer earlier" in str(error)
    assert took < 0.5
    with statements_bounded(1):  # the next page
        assert one(connection, "SELECT 2") == 2


def test_connecting_to_a_stopped_server_gives_up_at_the_connect_timeout(connection, own_postgres):
    with own_postgres.stopped():
        error, took = timed(connection.ensure_connection)

    assert "did not answer" in str(error)
    connect_timeout = settings.DATABASES["default"]["OPTIONS"]["connect_timeout"]
    assert connect_timeout <= took < connect_timeout + 1
    assert one(connection, "SELECT 1") == 1


def test_the_health_check_of_a_kept_connection_gives_up_in_a_second(connection, own_postgres):
    one(connection, "SELECT 1")

    with own_postgres.stopped():
        started = time.monotonic()
        usable = connection.is_usable()
        took = time.monotonic() - started

    assert usable is False
    assert database.HEALTH_CHECK_TIMEOUT <= took < database.HEALTH_CHECK_TIMEOUT + 1


def test_a_requests_first_query_on_a_stopped_server_fails_within_the_check_and_a_connect(
    connection, own_postgres
):
    one(connection, "SELECT 1")
    connect_timeout = settings.DATABASES["default"]["OPTIONS"]["connect_timeout"]

    with own_postgres.stopped():
        connection.close_if_unusable_or_obsolete()  # a request starts: check before the query
        error, took = timed(lambda: one(connection, "SELECT 1"))

    assert "did not answer" in str(error)
    assert took < database.HEALTH_CHECK_TIMEOUT + connect_timeout + 1


def test_within_bounds_every_wait_inside_it_together(connection, own_postgres):
    one(connection, "SELECT 1")

    with own_postgres.stopped(), database.within(1.5):
        connection.close_if_unusable_or_obsolete()
        error, took = timed(lambda: one(connection, "SELECT 1"))

    assert "did not answer" in str(error)
    assert took < 2


@pytest.mark.django_db
def test_a_request_bounds_its_statements_until_its_answer_is_sent(client: Client):
    during = []

    def look(**_kwargs: object) -> None:
        during.append(database.statement_timeout())

    request_started.connect(look)  # after icms/apps.py's
    try:
        client.get("/healthz")
    finally:
        request_started.disconnect(look)

    assert during == [settings.DATABASE_STATEMENT_TIMEOUT]
    assert database.statement_timeout() is None


@pytest.mark.django_db
def test_a_job_bounds_its_statements_with_a_jobs_timeout_until_it_ends():
    during = []

    def look(**_kwargs: object) -> None:
        during.append(database.statement_timeout())

    task_prerun.connect(look)  # after icms/celery.py's
    try:
        heartbeat.delay()  # run here and now, as every job in the tests
    finally:
        task_prerun.disconnect(look)

    assert during == [settings.DATABASE_JOB_STATEMENT_TIMEOUT]
    assert database.statement_timeout() is None
