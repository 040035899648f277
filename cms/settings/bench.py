"""`make bench` (benchmarks/run.py): production settings, on loopback, against a database
and a Redis database of the benchmark's own, which it drops and fills afresh each run.

Only what loopback and a repeated measurement need differs from production: plain HTTP
(no Secure cookies, no redirect to HTTPS), no rate limits (the benchmark asks the same
pages thousands of times from one address), e-mail handed to a backend that sends nothing,
and a URL conf with one extra view (benchmarks/bench_urls.py). The database and the Redis
database are the benchmark's own, whatever DATABASE_URL and REDIS_URL say in the shell
(the run drops one and empties the other): BENCH_DATABASE_URL and BENCH_REDIS_URL name
others, and benchmarks/run.py still touches no database but leap_bench. Every other value
can come from the environment; the defaults below are for this machine."""

import base64
import hashlib
import os
from pathlib import Path

_BENCH_VAR = Path(__file__).resolve().parents[2] / "var" / "bench"


def _bench_only(name: str) -> str:
    """A fixed value for a bench-only secret: the database it protects is made and dropped
    by the benchmark, so a stable value lets every process of a run (this one, gunicorn's
    workers, the Celery worker) agree without passing secrets around."""
    return hashlib.sha256(f"leap-bench-only:{name}".encode()).hexdigest()


# Set outright, not by default: an exported REDIS_URL is someone's development Redis. The
# processes the run starts (manage.py, gunicorn, Celery) inherit these.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leap_bench"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")

for _name, _value in {
    "CACHE_KEY_PREFIX": "leap-bench",
    "SECRET_KEY": _bench_only("secret-key"),
    "LEAP_KEY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(
        hashlib.sha256(b"leap-bench-only:fernet").digest()
    ).decode(),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SITE_URL": "http://127.0.0.1:8000",
    "ALLOW_HTTP_SITE_URL": "1",
    "EMAIL_HOST": "127.0.0.1",
    "MEDIA_ROOT": str(_BENCH_VAR / "media"),
    "PRIVATE_MEDIA_ROOT": str(_BENCH_VAR / "private"),
    "STATIC_ROOT": str(_BENCH_VAR / "static"),
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(_name, _value)

from cms.settings.production import *  # noqa: E402, F403
from cms.settings.production import LEAP_THROTTLES  # noqa: E402

ROOT_URLCONF = "benchmarks.bench_urls"

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# The timings include rendering each e-mail and queueing it (the outbox row and the Celery
# task); delivery itself is SMTP's business, not Leap's, so nothing is sent.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

ACCOUNT_RATE_LIMITS = False
LEAP_THROTTLES = {
    scope: dict.fromkeys(limits, (10**9, 60)) for scope, limits in LEAP_THROTTLES.items()
}
