"""Celery tasks of cohorts: thin wrappers around services, run by beat
(CELERY_BEAT_SCHEDULE in cms/settings/base.py)."""

from celery import shared_task

from learning.cohorts import alerts, completion, reminders


@shared_task
def cohorts_remind_meetings() -> int:
    """Every quarter hour: meeting reminders two days and three hours ahead."""
    return reminders.cohorts_remind_meetings()


@shared_task
def cohorts_completion_check() -> int:
    """Nightly: complete members who have met their cohort's rule, and credit later meetings."""
    return completion.cohorts_completion_check()


@shared_task
def cohorts_nudge_quiet_members() -> int:
    """Every quarter hour: a day before a meeting, members who have not posted yet."""
    return alerts.cohorts_nudge_quiet_members()


@shared_task
def cohorts_alert_missed_meetings() -> int:
    """Hourly: facilitators hear when a member misses two meetings in a row."""
    return alerts.cohorts_alert_missed_meetings()


@shared_task
def cohorts_send_weekly_digests() -> int:
    """Every quarter hour: the facilitators' weekly digest, Monday 8 am cohort time."""
    return alerts.cohorts_send_weekly_digests()
