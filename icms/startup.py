"""Start-up checks that turn a misconfiguration into one readable line instead of a traceback.

manage.py, gunicorn (gunicorn.conf.py) and the Celery worker and beat (icms/celery.py) call them.
"""

import sys

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection

from icms.embedded import EmbeddedServerError


def _exit_with(line: str) -> None:
    # The original stream: Celery redirects sys.stderr into its logger.
    sys.__stderr__.write(line + "\n")
    sys.__stderr__.flush()
    raise SystemExit(1)


def setup_django_or_exit() -> None:
    """django.setup(), which reads the environment and starts the embedded servers if needed."""
    try:
        django.setup()
    except (ImproperlyConfigured, EmbeddedServerError) as error:
        _exit_with(f"ICMS cannot start: {error}")


def describe_database(database: dict) -> str:
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{database.get('NAME')} on {host}{port}"


def exit_if_database_unusable() -> None:
    """Exit with one line on stderr when the configured PostgreSQL cannot be reached."""
    try:
        connection.ensure_connection()
    except OperationalError as error:
        message = str(error).strip()
        reason = message.splitlines()[0] if message else "no answer"
        _exit_with(
            f"ICMS cannot reach its database ({describe_database(settings.DATABASES['default'])}): "
            f"{reason}. Check DATABASE_URL, or unset it to use the embedded PostgreSQL."
        )
    finally:
        connection.close()
