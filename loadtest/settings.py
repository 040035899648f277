"""The load test's stack (loadtest/run.py): production settings, served over plain HTTP on
loopback. Only what loopback needs differs: cookies without the Secure flag (the load
generator speaks HTTP), no redirect to HTTPS, and e-mail written to files, counted after
the run, instead of sent."""

import os

from cms.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["LOADTEST_MAIL_DIR"]
# The load generator stands in for the proxy: each simulated person sends their own
# X-Forwarded-For, so rate limits count per person as in production (docs/security.md).
LEAP_TRUSTED_PROXIES = ["127.0.0.1"]
