"""Sessions in Redis that a Redis outage does not end (issue 19, item 6).

Django's cache session store reads a cache that does not answer as an empty session: a stalled
Redis then looked like "not signed in", sent everyone to the login page and, with a save on
every request, replaced their session cookie. Here Redis not answering is an error of its own,
SessionStoreUnavailable, which icms.errors answers with a 503 that leaves the cookie alone, so
the session is there again when Redis is.
"""

import contextlib
import logging
from collections.abc import Iterator

import redis
from django.contrib.sessions.backends import cache

logger = logging.getLogger(__name__)

REDIS_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


class SessionStoreUnavailable(Exception):
    """Redis, which holds the sessions, did not answer: the session is unknown, not empty."""


class SessionStore(cache.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._unreachable: str | None = None

    @contextlib.contextmanager
    def _reaching_redis(self) -> Iterator[None]:
        # Tried once per request: after a failure, a second look at the lazily read user (by
        # a middleware on the way out, say) must not wait for the timeout again.
        if self._unreachable is not None:
            raise SessionStoreUnavailable(self._unreachable)
        try:
            yield
        except REDIS_UNREACHABLE as error:
            self._unreachable = f"Redis (sessions) did not answer: {error}"
            raise SessionStoreUnavailable(self._unreachable) from error

    def load(self) -> dict:
        with self._reaching_redis():
            session_data = self._cache.get(self.cache_key)
        if session_data is not None:
            return session_data
        self._session_key = None  # unknown or expired: a new session, as Django's store does
        return {}

    def exists(self, session_key: str) -> bool:
        with self._reaching_redis():
            return super().exists(session_key)

    def save(self, must_create: bool = False) -> None:
        try:
            with self._reaching_redis():
                super().save(must_create=must_create)
        except SessionStoreUnavailable:
            if must_create or self.modified:
                raise
            # Only the renewal of the idle timer is lost; the page it came with is made, and
            # after a POST its work is done: answering 503 would invite sending it twice.
            logger.warning("A session's idle timer was not renewed: Redis did not answer.")

    def delete(self, session_key: str | None = None) -> None:
        with self._reaching_redis():
            super().delete(session_key)
