"""Container health check for `beat`: has it sent the heartbeat job lately?

beat records each job it sends in the database (django-celery-beat writes the time at least
every three minutes), so a heartbeat sent longer ago than that means beat is stuck or cannot
reach the database. Whether a worker then ran the job is /healthz's question, not beat's.
"""

import os
import sys

import psycopg2

SENT_WITHIN = "5 minutes"

try:
    connection = psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(bool_or(now() - last_run_at < %s::interval), false)"
                " FROM django_celery_beat_periodictask"
                " WHERE task = 'icms.tasks.heartbeat' AND enabled",
                [SENT_WITHIN],
            )
            (sent_lately,) = cursor.fetchone()
    finally:
        connection.close()
except psycopg2.Error:
    sys.exit(1)
sys.exit(0 if sent_lately else 1)
