import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_health_is_ok_when_everything_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_checks_the_broker_when_one_is_configured(client, settings):
    if not os.environ.get("REDIS_URL"):
        assert "broker" not in client.get("/health/").json()["checks"]
    else:
        assert client.get("/health/").json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_health_names_an_unreachable_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_health_names_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


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
