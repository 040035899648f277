"""Checks behind GET /health/: can this process reach what it depends on?"""

import logging
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=TIMEOUT_SECONDS,
        socket_timeout=TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def broker_configured() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def run_checks() -> dict[str, bool]:
    """Each part's name mapped to whether it answered. Failures are logged with detail."""
    checks = {"database": check_database, "cache": check_cache}
    if broker_configured():
        checks["broker"] = check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means the part is down; the log keeps the detail
            logger.exception("Health check failed: %s", name)
            results[name] = False
        else:
            results[name] = True
    return results
