"""Settings of the real worker processes that the outage tests start (tests/outages.py):
the test settings, but tasks really go through the broker, and the database, Redis, media
folders and SMTP server are the ones the test names in the environment."""

from cms.settings.test import *  # noqa: F403
from cms.settings.test import EMAIL_HOST

CELERY_TASK_ALWAYS_EAGER = False
# The task that waits to be killed (tests/worker_tasks.py).
CELERY_IMPORTS = ["tests.worker_tasks"]
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.locmem.EmailBackend"
)
# Short enough to see within a test: a killed run is taken as lost 5 seconds after its
# task's limit, and Redis hands out the killed worker's message again after 30 seconds
# (looking every 2 seconds), so the test also sees that stale copy do nothing.
LEAP_OUTBOX_LOST_GRACE_SECONDS = 5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 30,
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
