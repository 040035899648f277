"""Celery tasks of credentials: thin wrappers around services, queued by name after commit
(`accounts.jobs`) or run by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import transaction

from accounts.outbox import outbox_task
from credentials.models import Assertion, ReviewerPool, Submission
from credentials.openbadges import baking
from credentials.services import badges, evidence, external, review


@outbox_task()
def assertion_bake(assertion_id: int) -> str:
    """After an award commits: bake the image (again: the same one file)."""
    assertion = Assertion.objects.select_related("badge_class__issuer").get(pk=assertion_id)
    return baking.assertion_bake(assertion=assertion).baked_image.name


@outbox_task()
def assertions_bake(assertion_ids: list[int]) -> int:
    """After a bulk award's chunk commits: bake its images, in one run."""
    # The badge class for its image and id; an assertion's JSON names its issuer through it.
    found = Assertion.objects.select_related("badge_class").filter(pk__in=assertion_ids)
    return baking.assertions_bake(assertions=list(found.order_by("pk")))


@shared_task
def assertion_email_awarded(assertion_id: int) -> int:
    """Kept for one release: awards queued by the previous version under this name are
    still told (new awards tell the learner in their own transaction)."""
    assertion = Assertion.objects.select_related("badge_class", "recipient").get(pk=assertion_id)
    with transaction.atomic():
        badges.assertion_notify_awarded(assertion=assertion)
    return 1


@shared_task
def assertion_email_expiring(assertion_id: int) -> int:
    """Kept for one release: reminders the previous version claimed and queued under this
    name are still given (new ones are given as they are claimed)."""
    assertion = Assertion.objects.select_related("badge_class", "recipient").get(pk=assertion_id)
    with transaction.atomic():
        badges.assertion_notify_expiring(assertion=assertion)
    return 1


@shared_task
def assertions_remind_expiring() -> int:
    """Daily (beat): tell learners 30 days before a badge expires, with a link to renew."""
    return badges.assertions_remind_expiring()


@outbox_task()
def submission_assign(submission_id: int) -> int:
    """After a submission commits: give it its reviewers."""
    submission = Submission.objects.filter(pk=submission_id).first()
    return len(review.review_assign(submission=submission)) if submission else 0


@outbox_task()
def reviews_hand_over(user_id: int, pool_id: int) -> int:
    """After a reviewer leaves a pool: their open work there goes to other reviewers."""
    pool = ReviewerPool.objects.filter(pk=pool_id).first()
    return review.reviews_hand_over(user_id=user_id, pool=pool) if pool else 0


@shared_task
def reviews_reassign_overdue() -> int:
    """Hourly (beat): reassign overdue reviews and assign submissions still waiting."""
    return review.reviews_reassign_overdue()


@shared_task
def double_review_tallies_mend() -> int:
    """Daily (beat): tally reviews recorded without one while a deploy was under way."""
    return review.double_review_tallies_mend()


@shared_task
def artifacts_purge_orphans() -> int:
    """Daily (beat): delete evidence files no artifact refers to."""
    return evidence.artifacts_purge_orphans()


@outbox_task()
def cohort_badge_award(member_id: int) -> str:
    """After a cohort member completes: award the cohort's completion badge (idempotent)."""
    assertion = badges.cohort_badge_award(member_id=member_id)
    return str(assertion.uuid) if assertion else ""


@shared_task
def external_badges_recheck() -> int:
    """Daily (beat): verify again the badges learners added from other issuers."""
    return external.external_badges_recheck_due()
