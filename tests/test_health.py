from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from icms.celery import app as celery_app
from icms.models import TaskRun
from icms.tasks import HEARTBEAT, heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_broker_and_beat_are_up(client):
    heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "broker", "beat")} == {
        "database": "ok",
        "broker": "ok",
        "beat": "ok",
    }
    last_run = TaskRun.objects.get(name=HEARTBEAT).last_run_at
    assert body["beat_last_run"] == timezone.localtime(last_run).isoformat()


def test_healthz_needs_no_login_and_is_never_cached(client):
    heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_beat_as_never_run_before_the_first_heartbeat(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["beat"] == "never run"
    assert response.json()["beat_last_run"] is None


def test_healthz_reports_a_stale_heartbeat(client, settings):
    settings.HEARTBEAT_STALE_AFTER_MINUTES = 3
    with time_machine.travel(timezone.now() - timedelta(minutes=4)):
        heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["beat"] == "stale"
    assert response.json()["database"] == "ok"


def test_healthz_names_the_broker_when_redis_is_unreachable(client, tmp_path, monkeypatch):
    heartbeat()
    monkeypatch.setitem(
        celery_app.conf, "broker_url", f"redis+socket://{tmp_path}/no-redis-here.sock"
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"
    assert response.json()["beat"] == "ok"


def test_healthz_rejects_other_methods(client):
    assert client.post("/healthz").status_code == 405
