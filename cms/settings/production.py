"""Production: every secret from the environment, HTTPS only, hashed static files."""

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    EMAIL_HOST,
    LEAP_KEY_ENCRYPTION_KEYS,
    REDIS_URL,
    SECRET_KEY,
    SITE_URL,
)
from .env import ConfigurationError, env_bool, env_int, env_str

DEBUG = False

if not SECRET_KEY:
    raise ConfigurationError(
        "SECRET_KEY must be set in the environment to a long random value in production."
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ConfigurationError("SECRET_KEY must be at least 50 random characters in production.")
if not ALLOWED_HOSTS:
    raise ConfigurationError(
        "ALLOWED_HOSTS must list the site's host names (comma-separated) in production."
    )
if env_str("SITE_URL") is None:
    raise ConfigurationError(
        "SITE_URL must be set to the site's public https:// address in production."
    )
if not SITE_URL.startswith("https://") and not env_bool("ALLOW_HTTP_SITE_URL", False):
    raise ConfigurationError("SITE_URL must start with https:// in production.")
if not REDIS_URL:
    raise ConfigurationError(
        "REDIS_URL must point at Redis in production: the cache and the task queue are shared "
        "by every web and worker process."
    )
if not LEAP_KEY_ENCRYPTION_KEYS:
    raise ConfigurationError(
        "LEAP_KEY_ENCRYPTION_KEYS must hold a Fernet key in production (it encrypts the badge "
        "signing keys)."
    )
if not EMAIL_HOST:
    raise ConfigurationError("EMAIL_HOST must name the SMTP server in production.")

CSRF_TRUSTED_ORIGINS = [SITE_URL]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405  (default and private, from base)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
