"""Django's PostgreSQL backend, with a deadline on every wait for the server (icms.database)."""

from django.db.backends.postgresql import base
from psycopg2 import OperationalError, extensions

from icms import database

extensions.set_wait_callback(database.wait_for_server)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if (seconds := database.statement_timeout()) is not None:
            timeout = f"-c statement_timeout={round(seconds * 1000)}"
            params["options"] = f"{params.get('options', '')} {timeout}".strip()
        return params

    def connect(self) -> None:
        if database.gave_up():
            raise OperationalError("PostgreSQL did not answer earlier in this page or job")
        # libpq's own connect_timeout, which its non-blocking connect leaves to the caller.
        seconds = float(self.settings_dict["OPTIONS"].get("connect_timeout", 10))
        with database.within(seconds):
            super().connect()

    def is_usable(self) -> bool:
        with database.within(database.HEALTH_CHECK_TIMEOUT):
            return super().is_usable()
