"""Celery tasks of cohorts: thin wrappers around services, run by beat
(CELERY_BEAT_SCHEDULE in cms/settings/base.py)."""

from celery import shared_task

from learning.cohorts import completion, reminders


@shared_task
def cohorts_remind_meetings() -> int:
    """Every quarter hour: meeting reminders two days and three hours ahead."""
    return reminders.cohorts_remind_meetings()


@shared_task
def cohorts_completion_check() -> int:
    """Nightly: complete members of cohorts whose meetings have all ended."""
    return completion.cohorts_completion_check()
