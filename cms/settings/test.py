"""pytest: fast hashing, mail kept in memory, media in a temporary folder (see conftest)."""

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY

DEBUG = False
SECRET_KEY = SECRET_KEY or "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL

# Static files straight from the source folders, as in development: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

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
