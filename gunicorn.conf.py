"""gunicorn settings for the `web` service; every value can be overridden on the command line."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two workers per core, as measured in the README's Performance section.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: object) -> None:
    """Refuse to start, with one line, when the database is unreachable (before forking)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icms.settings")
    from icms.startup import exit_if_database_unusable, setup_django_or_exit

    setup_django_or_exit()
    exit_if_database_unusable()
