"""Who may use the lead reviewer tools. Every lookup answers 404 to anyone not allowed, and
an object of another pool is simply not found (its existence is not disclosed).

- Lead reviewers (active `PoolMember`s with `is_lead`) see their pools' exemplars, reports
  and the decided work of the micro-credentials their pools cover, and may allow another
  attempt on those micro-credentials.
- Lead reviewers manage their pools' members: add by e-mail, pause, resume, remove.
- Active members of a pool score its exemplars to calibrate, and may download the
  artifacts of those exemplars (nothing else).
- District admins may allow another attempt to their own district's active members.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from credentials.models import Artifact, Exemplar, PoolMember, ReviewerPool, Submission, covered_by
from learning import api as learning


def led_pools(user: User) -> QuerySet[ReviewerPool]:
    """The pools the user leads (active lead membership)."""
    if not user.is_authenticated:
        return ReviewerPool.objects.none()
    return ReviewerPool.objects.filter(
        members__user=user, members__is_lead=True, members__is_active=True
    ).distinct()


def pool_for_lead(user: User, pool_id: int) -> ReviewerPool:
    pool = led_pools(user).select_related("micro_credential").filter(pk=pool_id).first()
    if pool is None:
        raise Http404("No such pool.")
    return pool


def member_for_lead(pool: ReviewerPool, member_id: int) -> PoolMember:
    """A member of a pool the user leads (looked up with `pool_for_lead` first), or 404:
    a member of another pool is not found."""
    member = PoolMember.objects.select_related("user").filter(pool=pool, pk=member_id).first()
    if member is None:
        raise Http404("No such member.")
    member.pool = pool
    return member


def member_of(user: User, pool_id: int) -> PoolMember:
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


def decided_for_lead(user: User, pool: ReviewerPool) -> QuerySet[Submission]:
    """Decided submissions of the micro-credentials the pool covers, never the lead's own."""
    return (
        Submission.objects.decided()
        .filter(covered_by([pool]))
        .exclude(learner=user)
        .select_related("micro_credential")
    )


def submission_for_lead(user: User, pool: ReviewerPool, submission_id: int) -> Submission:
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


def artifact_for(user: User, pool_id: int, artifact_id: int) -> Artifact:
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
        and submission.is_decided
        and submission.learner_id != user.pk
        and member.pool.covers(submission.micro_credential_id)
    )
    if not (lead_may or is_exemplar):
        raise Http404("No such artifact.")
    return artifact


def may_allow_attempt(user: User, *, learner: User, micro_credential_id: int) -> bool:
    """A lead of a pool covering the micro-credential, or an admin of the learner's
    district; never for one's own attempts."""
    if not user.is_authenticated or learner.pk == user.pk:
        return False
    if any(pool.covers(micro_credential_id) for pool in led_pools(user)):
        return True
    districts = learning.district_ids_administered(user)
    return bool(districts) and learning.is_member_of_any(user=learner, district_ids=districts)


def must(allowed: bool) -> None:
    if not allowed:
        raise Http404("Not found.")


def attempts_scope(user: User) -> tuple[Q, bool, list[int]]:
    """The submissions whose learners the user may allow another attempt (a filter), and
    why: whether they lead a pool, and the districts they administer. 404 for anyone
    with neither."""
    led = list(led_pools(user))
    districts = learning.district_ids_administered(user)
    must(bool(led or districts))
    scope = Q(pk__in=[])
    if led:
        scope |= covered_by(led)
    if districts:
        scope |= Q(learner_id__in=learning.district_member_ids(district_ids=districts))
    return scope, bool(led), districts
