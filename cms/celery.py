"""Leap's Celery app: `celery -A cms worker` and `celery -A cms beat` start from here."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

logger = logging.getLogger(__name__)

app = Celery("leap")
# Every CELERY_* Django setting configures Celery (CELERY_BROKER_URL → broker_url, …).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Concept packages with tasks of their own (autodiscovery looks only at <app>.tasks).
app.autodiscover_tasks(["learning.cohorts"])


@worker_ready.connect
def relay_queued_work_on_start(sender=None, **kwargs):
    """A worker that starts asks for one outbox relay pass, so work left by a crash goes
    out as soon as a worker is back, even while beat is down."""
    try:
        app.send_task("accounts.tasks.outbox_relay", expires=60)
    except Exception:  # the broker went away again; beat's next minute will do
        logger.exception("Could not ask for an outbox relay pass at start")
