"""PostgreSQL that answers within a bound, or is given up on (issue 19, item 7).

A stopped server (SIGSTOP, a frozen virtual machine, a path that drops packets) still has its
kernel accept connections and acknowledge what is sent, so libpq would wait for ever: TCP
keepalives are answered, libpq's connect_timeout does not apply in the non-blocking mode used
here, and the server's own statement_timeout cannot fire in a server that does not run. So
every wait for the server goes through `wait_for_server`, psycopg2's wait callback (libpq
non-blocking, poll() with a deadline), which gives up with an OperationalError; psycopg2 then
closes that connection and Django makes a new one when next asked.

The deadlines (icms.database.base applies them):
- connecting and setting the connection up: DATABASE_CONNECT_TIMEOUT;
- Django's health check of a kept connection (CONN_HEALTH_CHECKS, before a request's first
  query): HEALTH_CHECK_TIMEOUT, as `SELECT 1` on a server that runs takes a millisecond;
- a statement: the server's own statement_timeout, given to each connection when it is made
  (DATABASE_STATEMENT_TIMEOUT for pages, DATABASE_JOB_STATEMENT_TIMEOUT for Celery's jobs and
  beat, none in management commands such as migrate), and SERVER_MARGIN more on this side. The
  server cancels a slow statement itself and the connection stays usable; this side's deadline
  matters only when the server does not answer at all.
A page on a stopped database therefore fails within the health check and one connect timeout,
and icms.errors answers it with a 503. Once a page or a job has given up on the server, it does
not wait for it again: a later connection it asks for (Django makes one on its way out of a
failed transaction, to set autocommit again) fails at once, so one bound holds for the whole
page. The next page or job tries again.
"""

import contextlib
import select
import time
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass

from psycopg2 import OperationalError, extensions

HEALTH_CHECK_TIMEOUT = 1.0
SERVER_MARGIN = 2.0


@dataclass
class _Bound:
    """A page's or a job's: the seconds its statements get, and whether it gave up waiting."""

    statement_timeout: float
    gave_up: bool = False


_deadline: ContextVar[float | None] = ContextVar("database_deadline", default=None)
_bound: ContextVar[_Bound | None] = ContextVar("statement_bound", default=None)
_process_statement_timeout: float | None = None


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every wait for the server inside ends at most `seconds` from now (or earlier, inside
    another `within`)."""
    deadline = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def statement_timeout() -> float | None:
    """Seconds a statement may run here: a page's, a job's, or None (management commands)."""
    bound = _bound.get()
    return _process_statement_timeout if bound is None else bound.statement_timeout


def bound_statements(seconds: float | None) -> Token:
    """Statements run from here on (in this request, thread or job) get `seconds`, until
    `end_bound` is given the token returned; None ends the bound."""
    return _bound.set(None if seconds is None else _Bound(seconds))


def end_bound(token: Token) -> None:
    _bound.reset(token)


def gave_up() -> bool:
    """Whether this page or job has already given up waiting for the server."""
    bound = _bound.get()
    return bound is not None and bound.gave_up


def bound_statements_of_this_process(seconds: float) -> None:
    """Celery beat: every statement of the process."""
    global _process_statement_timeout
    _process_statement_timeout = seconds


def wait_for_server(connection: extensions.connection) -> None:
    """psycopg2's wait callback: wait for the server as libpq would, until the deadline."""
    deadline = _deadline.get()
    if (seconds := statement_timeout()) is not None:
        by_statement = time.monotonic() + seconds + SERVER_MARGIN
        deadline = by_statement if deadline is None else min(deadline, by_statement)
    started = time.monotonic()
    while (state := connection.poll()) != extensions.POLL_OK:
        poller = select.poll()
        if state == extensions.POLL_READ:
            poller.register(connection.fileno(), select.POLLIN)
        elif state == extensions.POLL_WRITE:
            poller.register(connection.fileno(), select.POLLOUT)
        else:
            raise OperationalError(f"unexpected state from psycopg2's poll(): {state}")
        left = None if deadline is None else max(deadline - time.monotonic(), 0) * 1000
        if not poller.poll(left):
            if (bound := _bound.get()) is not None:
                bound.gave_up = True
            raise OperationalError(
                f"PostgreSQL did not answer within {time.monotonic() - started:.1f} s"
            )


@contextlib.contextmanager
def without_deadlines() -> Iterator[None]:
    """Wait as libpq does, without a deadline: psycopg2 cannot COPY while a wait callback is
    installed. The callback is the process's, so only for single-threaded commands."""
    extensions.set_wait_callback(None)
    try:
        yield
    finally:
        extensions.set_wait_callback(wait_for_server)
