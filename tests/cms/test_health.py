import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django_celery_beat.schedulers import ModelEntry

from cms.cache import redis_cache
from cms.celery import app
from cms.health import WORKER_HEARTBEAT_KEY, WORKER_LATE_AFTER_SECONDS
from cms.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def worker_seen(db):
    """A worker has just run its heartbeat (beat asks for one every minute)."""
    worker_heartbeat()


def test_health_is_ok_when_everything_answers(client, worker_seen):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert "failing" not in body
    assert "no-cache" in response["Cache-Control"]


def test_health_checks_the_broker_and_worker_when_there_is_one(client, worker_seen):
    checks = client.get("/health/").json()["checks"]
    if not os.environ.get("REDIS_URL"):
        assert "broker" not in checks and "worker" not in checks  # tasks run in-process
    else:
        assert checks["broker"] == "ok" and checks["worker"] == "ok"


@pytest.mark.django_db
def test_an_unreachable_cache_is_degraded_but_still_serving(client, settings, caplog):
    settings.CACHES = {"default": redis_cache(UNREACHABLE_REDIS, key_prefix="leap-health")}
    with caplog.at_level("WARNING"):
        response = client.get("/health/")
    assert response.status_code == 200  # a load balancer keeps sending people here
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    if "worker" in body["checks"]:
        assert body["checks"]["worker"] == "unknown"  # its heartbeat is kept in the cache
    assert "ERROR" not in {record.levelname for record in caplog.records}


def test_an_unreachable_broker_is_degraded_but_still_serving(client, settings, worker_seen):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["broker"]


def test_a_worker_not_heard_from_for_three_minutes_is_named(client, settings, worker_seen):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS  # with a broker, a worker is expected
    cache.set(WORKER_HEARTBEAT_KEY, time.time() - WORKER_LATE_AFTER_SECONDS - 5)
    body = client.get("/health/").json()
    assert body["checks"]["worker"] == "unavailable"
    assert "worker" in body["failing"]
    assert body["status"] == "degraded"
    worker_heartbeat()
    assert client.get("/health/").json()["checks"]["worker"] == "ok"


@pytest.mark.django_db
def test_beat_asks_for_a_heartbeat_every_minute_that_expires_unrun():
    # As beat's database scheduler syncs it when it starts, and sends it.
    entry = ModelEntry.from_entry(
        "worker-heartbeat", app=app, **settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    )
    assert entry.task == "cms.tasks.worker_heartbeat"
    assert entry.schedule.run_every.total_seconds() == 60
    assert entry.options["expires"] == 60


def test_health_names_an_unreachable_database(tmp_path):
    # A separate process, because this one's database connection is the test database.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": "postgres://leap@127.0.0.1:1/leap",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["failing"] == ["database"]
    assert "127.0.0.1:1" not in done.stdout  # the public answer names the part, not internals
