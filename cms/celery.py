"""Leap's Celery app: `celery -A cms worker` and `celery -A cms beat` start from here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("leap")
# Every CELERY_* Django setting configures Celery (CELERY_BROKER_URL → broker_url, …).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Concept packages with tasks of their own (autodiscovery looks only at <app>.tasks).
app.autodiscover_tasks(["learning.cohorts"])
