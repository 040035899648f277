"""Calibration: lead reviewers mark decided submissions as exemplars with reference
scores; reviewers joining a pool score them, and are calibrated (and start receiving work)
when their agreement reaches the bar."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from credentials.models import (
    CalibrationScore,
    CriterionScore,
    Exemplar,
    PoolMember,
    ReviewerPool,
    Submission,
)
from credentials.requirements import rubric_for
from credentials.selectors.review import calibration_agreement_get


@transaction.atomic
def exemplar_mark(
    *, submission: Submission, pool: ReviewerPool, reference: dict, marked_by: User
) -> Exemplar:
    """A lead marks a decided submission as an exemplar with reference scores."""
    criteria = [cid for cid, _ in rubric_for(submission)]
    if set(reference) != set(criteria) or not set(reference.values()) <= set(
        CriterionScore.Result.values
    ):
        raise LeapError("Give a reference score (meets or not yet) for every criterion.")
    try:
        with transaction.atomic():
            return Exemplar.objects.create(
                submission=submission, pool=pool, reference=reference, marked_by=marked_by
            )
    except IntegrityError:
        raise LeapError("This submission is an exemplar already.") from None


@transaction.atomic
def calibration_record(*, exemplar: Exemplar, reviewer: User, results: dict) -> CalibrationScore:
    """Score an exemplar; once every exemplar of the pool is scored and agreement reaches
    the bar, the reviewer is calibrated and starts receiving work."""
    if set(results) != set(exemplar.reference) or not set(results.values()) <= set(
        CriterionScore.Result.values
    ):
        raise LeapError("Score every criterion: meets or not yet.")
    try:
        with transaction.atomic():
            score = CalibrationScore.objects.create(
                exemplar=exemplar, reviewer=reviewer, results=results
            )
    except IntegrityError:
        raise LeapError("You have scored this exemplar already.") from None
    pool = exemplar.pool
    scored = CalibrationScore.objects.filter(exemplar__pool=pool, reviewer=reviewer).count()
    if scored >= pool.exemplars.count():
        result = calibration_agreement_get(pool=pool, reviewer=reviewer)
        if result.meets(settings.LEAP_CALIBRATION_BAR):
            PoolMember.objects.filter(pool=pool, user=reviewer, calibrated_at__isnull=True).update(
                calibrated_at=timezone.now()
            )
    return score
