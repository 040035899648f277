"""Celery tasks of credentials: thin wrappers around services, queued by name after commit
(`accounts.jobs`) or run by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from credentials.models import Assertion, Submission
from credentials.services import badges, evidence, review


@shared_task
def assertion_bake(assertion_id: int) -> str:
    assertion = Assertion.objects.select_related("badge_class__issuer").get(pk=assertion_id)
    return badges.assertion_bake(assertion=assertion).baked_image.name


@shared_task
def assertions_remind_expiring() -> int:
    """Daily (beat): tell learners 30 days before a badge expires, with a link to renew."""
    return badges.assertions_remind_expiring()


@shared_task
def submission_assign(submission_id: int) -> int:
    """After a submission commits: give it its reviewers."""
    submission = Submission.objects.filter(pk=submission_id).first()
    return len(review.review_assign(submission=submission)) if submission else 0


@shared_task
def reviews_reassign_overdue() -> int:
    """Hourly (beat): reassign overdue reviews and assign submissions still waiting."""
    return review.reviews_reassign_overdue()


@shared_task
def artifacts_purge_orphans() -> int:
    """Daily (beat): delete evidence files no artifact refers to."""
    return evidence.artifacts_purge_orphans()
