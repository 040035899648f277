"""Checks behind GET /health/: can this process reach what it depends on?

Only the database is essential: without it nothing can be served (503). The cache, the
broker and the worker can be down while every page still answers from the database, so
the site is "degraded" and still answers 200 (docs/reliability.md)."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from cms.cache import FailOpenRedisCache

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1  # a load balancer waits for the answer
# Beat asks a worker to write the heartbeat every minute; three missed means trouble.
WORKER_HEARTBEAT_KEY = "leap:worker-heartbeat"
WORKER_LATE_AFTER_SECONDS = 3 * 60
ESSENTIAL = {"database"}


class CheckFailed(Exception):
    """A part answered, but not as it should; the message says how (for the log only)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    backend = caches["default"]
    if isinstance(backend, FailOpenRedisCache):
        backend.ping()  # while Redis is away the cache answers from memory, so ask Redis
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise CheckFailed("the cache did not return what was stored")
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


def worker_heartbeat_record() -> None:
    """Note that a worker is running tasks now (the `worker_heartbeat` task, run by beat)."""
    cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=24 * 60 * 60)


def check_worker() -> None:
    seen = cache.get(WORKER_HEARTBEAT_KEY)
    if seen is None:
        raise CheckFailed("no heartbeat in the cache (worker or beat not running, or cache new)")
    if time.time() - seen > WORKER_LATE_AFTER_SECONDS:
        raise CheckFailed(f"last heartbeat {time.time() - seen:.0f} seconds ago")


def broker_configured() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


OK, UNAVAILABLE, UNKNOWN = "ok", "unavailable", "unknown"
# The worker's heartbeat is kept in the cache: with the cache down, nothing is known.
NEEDS = {"worker": "cache"}


@dataclass(frozen=True)
class Health:
    results: dict[str, str]  # each part: OK, UNAVAILABLE or UNKNOWN

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.results.items() if result == UNAVAILABLE]

    @property
    def status(self) -> str:
        """One of "ok", "degraded" (something is down, pages are served) or "error"."""
        if ESSENTIAL & set(self.failing):
            return "error"
        return "degraded" if self.failing else "ok"


def _checks() -> dict[str, Callable[[], None]]:
    checks = {"database": check_database, "cache": check_cache}
    if broker_configured():
        # A worker exists only with a broker; without one, tasks run in the web process.
        checks["broker"] = check_broker
        checks["worker"] = check_worker
    return checks


def _run(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as error:  # any failure means the part is down; the log says why
        if name in ESSENTIAL:
            logger.exception("Health check failed: %s", name)
        else:
            logger.warning(
                "Health check: %s unavailable (%s: %s)", name, type(error).__name__, error
            )
        return UNAVAILABLE
    return OK


def health_check() -> Health:
    """Each part's name mapped to its state. Failures are logged with detail: one warning
    line per part that is down (a load balancer asks often), the whole traceback only when
    the database fails."""
    results = {}
    for name, check in _checks().items():
        needed = NEEDS.get(name)
        if needed and results.get(needed) != OK:
            results[name] = UNKNOWN
        else:
            results[name] = _run(name, check)
    return Health(results)
