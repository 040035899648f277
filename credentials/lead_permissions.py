"""Who may use the lead reviewer tools. Every lookup answers 404 to anyone not allowed, and
an object of another pool is simply not found (its existence is not disclosed).

- Lead reviewers (active `PoolMember`s with `is_lead`) see their pools' exemplars, reports
  and the decided work of the micro-credentials their pools cover, and may allow another
  attempt on those micro-credentials.
- Active members of a pool score its exemplars to calibrate, and may download the
  artifacts of those exemplars (nothing else).
- District admins may allow another attempt to their own district's active members.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from credentials.models import Artifact, Exemplar, PoolMember, ReviewerPool, Submission
from learning.models import Membership

DECIDED_STATES = (Submission.State.EARNED, Submission.State.NOT_YET)


def led_pools(user) -> QuerySet[ReviewerPool]:
    """The pools the user leads (active lead membership)."""
    if not user.is_authenticated:
        return ReviewerPool.objects.none()
    return ReviewerPool.objects.filter(
        members__user=user, members__is_lead=True, members__is_active=True
    ).distinct()


def covered_by(pools) -> Q:
    """A filter on submissions (or anything with a `micro_credential` field) for the
    micro-credentials the pools cover; a pool with no micro-credential covers them all."""
    pools = list(pools)
    if not pools:
        return Q(pk__in=[])
    if any(pool.micro_credential_id is None for pool in pools):
        # A real condition, not an empty Q(), so that it survives being OR-ed with others.
        return Q(micro_credential_id__isnull=False)
    return Q(micro_credential_id__in={pool.micro_credential_id for pool in pools})


def pool_covers(pool: ReviewerPool, micro_credential_id: int) -> bool:
    return pool.micro_credential_id in (None, micro_credential_id)


def pool_for_lead(user, pool_id: int) -> ReviewerPool:
    pool = led_pools(user).select_related("micro_credential").filter(pk=pool_id).first()
    if pool is None:
        raise Http404("No such pool.")
    return pool


def member_of(user, pool_id: int) -> PoolMember:
    """The user's active membership of the pool (lead or not), or 404."""
    if not user.is_authenticated:
        raise Http404("No such pool.")
    member = (
        PoolMember.objects.select_related("pool__micro_credential")
        .filter(pool_id=pool_id, user=user, is_active=True)
        .first()
    )
    if member is None:
        raise Http404("No such pool.")
    return member


def decided_for_lead(user, pool: ReviewerPool) -> QuerySet[Submission]:
    """Decided submissions of the micro-credentials the pool covers, never the lead's own."""
    return (
        Submission.objects.filter(covered_by([pool]), state__in=DECIDED_STATES)
        .exclude(learner=user)
        .select_related("micro_credential")
    )


def submission_for_lead(user, pool: ReviewerPool, submission_id: int) -> Submission:
    submission = decided_for_lead(user, pool).filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def exemplar_for_member(member: PoolMember, exemplar_id) -> Exemplar:
    exemplar = (
        Exemplar.objects.select_related("submission__micro_credential")
        .filter(pool_id=member.pool_id, pk=exemplar_id)
        .first()
    )
    if exemplar is None:
        raise Http404("No such exemplar.")
    return exemplar


def artifact_for(user, pool_id: int, artifact_id: int) -> Artifact:
    """A file artifact the user may download through this pool: a lead's, of decided work
    the pool covers; any active member's, of one of the pool's exemplars."""
    member = member_of(user, pool_id)
    artifact = (
        Artifact.objects.select_related("submission")
        .filter(pk=artifact_id)
        .exclude(file="")
        .first()
    )
    if artifact is None:
        raise Http404("No such artifact.")
    submission = artifact.submission
    is_exemplar = Exemplar.objects.filter(pool_id=pool_id, submission_id=submission.pk).exists()
    lead_may = (
        member.is_lead
        and submission.state in DECIDED_STATES
        and submission.learner_id != user.pk
        and pool_covers(member.pool, submission.micro_credential_id)
    )
    if not (lead_may or is_exemplar):
        raise Http404("No such artifact.")
    return artifact


def admin_district_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(
            user=user,
            role=Membership.Role.DISTRICT_ADMIN,
            is_active=True,
            district__is_active=True,
        ).values_list("district_id", flat=True)
    )


def district_learner_ids(district_ids: list[int]) -> QuerySet:
    """Active members of these districts, as a subquery of user ids."""
    return Membership.objects.filter(district_id__in=district_ids, is_active=True).values("user_id")


def may_allow_attempt(user, *, learner, micro_credential_id: int) -> bool:
    """A lead of a pool covering the micro-credential, or an admin of the learner's
    district; never for one's own attempts."""
    if not user.is_authenticated or learner.pk == user.pk:
        return False
    if any(pool_covers(pool, micro_credential_id) for pool in led_pools(user)):
        return True
    districts = admin_district_ids(user)
    return bool(districts) and (
        Membership.objects.filter(user=learner, district_id__in=districts, is_active=True).exists()
    )


def must(allowed: bool) -> None:
    if not allowed:
        raise Http404("Not found.")
