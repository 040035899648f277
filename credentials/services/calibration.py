"""Calibration: lead reviewers mark decided submissions as exemplars with reference
scores; the pool's reviewers score them blind, and are calibrated (and receive the pool's
live work) once they have scored every one (the rule: `PoolMemberQuerySet`)."""

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


@transaction.atomic
def exemplar_mark(
    *, submission: Submission, pool: ReviewerPool, reference: dict, marked_by: User
) -> Exemplar:
    """A lead marks a decided submission as an exemplar with reference scores. Every member
    of the pool who is not a lead then has it to score before more live work."""
    criteria = [cid for cid, _ in rubric_for(submission)]
    if set(reference) != set(criteria) or not set(reference.values()) <= set(
        CriterionScore.Result.values
    ):
        raise LeapError("Give a reference score (meets or not yet) for every criterion.")
    try:
        with transaction.atomic():
            exemplar = Exemplar.objects.create(
                submission=submission, pool=pool, reference=reference, marked_by=marked_by
            )
    except IntegrityError:
        raise LeapError("This submission is an exemplar already.") from None
    pool.members.filter(is_lead=False).update(calibrated_at=None)
    return exemplar


@transaction.atomic
def calibration_record(*, exemplar: Exemplar, reviewer: User, results: dict) -> CalibrationScore:
    """Score an exemplar blind ({criterion id: "meets" | "not_yet"}). Scoring the last one
    the pool has makes the reviewer calibrated there, whatever their agreement (leads see
    it, and pause a reviewer who needs to talk it through)."""
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
        raise LeapError("You have scored this example already.") from None
    PoolMember.objects.calibrated().filter(
        pool_id=exemplar.pool_id, user=reviewer, calibrated_at__isnull=True
    ).update(calibrated_at=timezone.now())
    return score
