"""pytest: fast hashing, mail kept in memory, media in a temporary folder (see conftest)."""

import os
from urllib.parse import urlsplit, urlunsplit

from cms.cache import redis_cache

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY
from .env import env_str

DEBUG = False
SECRET_KEY = SECRET_KEY or "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL

# Static files straight from the source folders, as in development: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True


def redis_database_of_worker(url: str, worker: str) -> str:
    """pytest-xdist runs tests in processes gw0, gw1, …; each gets a Redis database of its
    own, counting down from the one REDIS_URL names, so one process's cache flush, cached
    pages and queued tasks never reach another's (a shared cache changes query counts, and
    a worker thread would take the other process's tasks)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    database = (database - int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and XDIST_WORKER.startswith("gw"):
    REDIS_URL = redis_database_of_worker(REDIS_URL, XDIST_WORKER)
    CACHES = {"default": redis_cache(REDIS_URL, key_prefix=env_str("CACHE_KEY_PREFIX", "leap"))}
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

# One test process, nothing shared between runs: without Redis, the cache is in memory.
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests run tasks in-process; the worker round trip test switches this off for itself.
CELERY_TASK_ALWAYS_EAGER = True

# allauth's rate limits would make repeated log-ins in tests flaky.
ACCOUNT_RATE_LIMITS = False
# Leap's limits only where a test sets them (tests share one cache and reuse user ids).
LEAP_THROTTLES = {  # noqa: F405
    scope: dict.fromkeys(limits, (10**9, 60))
    for scope, limits in LEAP_THROTTLES.items()  # noqa: F405
}

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# The verifier's tests serve "another site's" badges from a local server on localhost.
LEAP_VERIFY_LOCAL_HOSTS = ["localhost"]
LEAP_VERIFY_TIMEOUT_SECONDS = 1

# The webhook tests run their receiver on loopback, over plain http.
LEAP_WEBHOOK_LOCAL_HOSTS = ["127.0.0.1", "localhost"]
