"""Reads about reviewing: a reviewer's queue, who may be assigned, the lead tools' home and
exemplars, and a reviewer's calibration."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from credentials.agreement import Agreement, agreement
from credentials.models import CalibrationScore, Exemplar, PoolMember, Review, ReviewerPool
from credentials.requirements import rubric_for
from learning import api as learning


@dataclass(frozen=True)
class ReviewingRoles:
    member: bool  # an active member of a pool
    lead: bool  # a lead of one


def reviewing_roles_get(*, user: User) -> ReviewingRoles:
    leads = list(
        PoolMember.objects.filter(user=user, is_active=True).values_list("is_lead", flat=True)
    )
    return ReviewingRoles(member=bool(leads), lead=any(leads))


def review_queue_get(*, user: User) -> dict:
    """The reviewer's open assignments, soonest due first, their latest completed ones, and
    whether they lead a pool: three queries, whatever the queue's length."""
    base = Review.objects.filter(reviewer=user).select_related(
        "submission", "submission__micro_credential"
    )
    open_reviews = list(base.filter(state=Review.State.ASSIGNED).order_by("due_at"))
    now = timezone.now()
    for review in open_reviews:
        review.is_overdue = review.due_at < now
    memberships = list(
        PoolMember.objects.filter(user=user, is_active=True).values_list("is_lead", "calibrated_at")
    )
    return {
        "is_lead": any(is_lead for is_lead, _ in memberships),
        "needs_calibration": any(calibrated is None for _, calibrated in memberships),
        "open": open_reviews,
        "overdue": sum(1 for review in open_reviews if review.is_overdue),
        "done": list(base.filter(state=Review.State.COMPLETED).order_by("-completed_at")[:20]),
    }


def reviewer_eligible_list(*, submission, lead: bool = False) -> QuerySet[User]:
    """Active, calibrated members of a pool for this micro-credential (or for all), never
    the learner, nobody who already had this submission, and (where the learner's district
    says so) nobody from the learner's district; the least loaded first."""
    members = PoolMember.objects.filter(
        Q(pool__micro_credential=submission.micro_credential_id)
        | Q(pool__micro_credential__isnull=True),
        is_active=True,
        calibrated_at__isnull=False,
        user__is_active=True,
    )
    if lead:
        members = members.filter(is_lead=True)
    user_ids = set(members.values_list("user_id", flat=True))
    user_ids.discard(submission.learner_id)
    user_ids -= set(submission.reviews.values_list("reviewer_id", flat=True))
    districts = learning.district_ids_excluding_own_reviewers(user=submission.learner)
    if districts:
        user_ids -= set(
            learning.district_member_ids(district_ids=districts).values_list("user_id", flat=True)
        )
    return (
        User.objects.filter(pk__in=user_ids)
        .annotate(load=Count("reviews", filter=Q(reviews__state=Review.State.ASSIGNED)))
        .order_by("load", "pk")
    )


def pool_covering_list(*, user: User, micro_credential_id: int, lead: bool) -> QuerySet:
    """The user's active memberships of pools that cover the micro-credential (lead ones
    only, when `lead`)."""
    members = PoolMember.objects.filter(
        Q(pool__micro_credential=micro_credential_id) | Q(pool__micro_credential__isnull=True),
        user=user,
        is_active=True,
    )
    return members.filter(is_lead=True) if lead else members


# Lead tools and calibration.


def membership_list(*, user: User) -> list[PoolMember]:
    """The user's active pool memberships with, per pool, how many exemplars it has
    (`exemplar_count`) and how many of them the user scored (`scored`). Two queries."""
    memberships = list(
        PoolMember.objects.filter(user=user, is_active=True)
        .select_related("pool__micro_credential")
        .annotate(exemplar_count=Count("pool__exemplars"))
        .order_by("pool__name", "pk")
    )
    scored = dict(
        CalibrationScore.objects.filter(reviewer=user)
        .values("exemplar__pool_id")
        .annotate(n=Count("pk"))
        .values_list("exemplar__pool_id", "n")
    )
    for member in memberships:
        member.scored = scored.get(member.pool_id, 0)
    return memberships


def exemplar_list(*, pool: ReviewerPool) -> list[Exemplar]:
    """The pool's exemplars, oldest first, with how many reviewers scored each
    (`scored_by`) and their reference's meets / not-yet counts."""
    marked = list(
        pool.exemplars.select_related("submission__micro_credential")
        .annotate(scored_by=Count("scores"))
        .order_by("created_at", "pk")
    )
    for exemplar in marked:
        values = list(exemplar.reference.values())
        exemplar.meets = values.count("meets")
        exemplar.not_yet = len(values) - exemplar.meets
    return marked


def exemplar_criteria_list(*, exemplar: Exemplar) -> list[tuple[str, dict]]:
    """The criteria the exemplar was referenced on, in rubric order (a criterion later
    taken out of the rubric is still scored, under a neutral title)."""
    rubric = dict(rubric_for(exemplar.submission))
    ordered = [cid for cid in rubric if cid in exemplar.reference]
    ordered += [cid for cid in exemplar.reference if cid not in rubric]
    return [(cid, rubric.get(cid, {"title": "A criterion since removed"})) for cid in ordered]


def calibration_agreement_get(*, pool: ReviewerPool, reviewer: User) -> Agreement:
    """The reviewer's agreement with the references over every exemplar they scored."""
    pairs = []
    for score in CalibrationScore.objects.filter(
        exemplar__pool=pool, reviewer=reviewer
    ).select_related("exemplar"):
        for criterion_id, expected in score.exemplar.reference.items():
            pairs.append((score.results.get(criterion_id, ""), expected))
    return agreement(pairs)


@dataclass
class Calibration:
    """Where a pool member stands in calibrating: the exemplar to score next (None when
    there is none, or they are calibrated), and once they have scored, their agreement and
    the criteria where they differed from the reference."""

    exemplars: list[Exemplar]
    scores: dict[int, CalibrationScore]
    current: Exemplar | None
    result: Agreement | None = None
    differences: list[dict] = field(default_factory=list)

    @property
    def position(self) -> int | None:
        return self.exemplars.index(self.current) + 1 if self.current else None


def calibration_get(*, member: PoolMember) -> Calibration:
    pool, reviewer = member.pool, member.user_id
    exemplars = list(
        pool.exemplars.select_related("submission__micro_credential").order_by("created_at", "pk")
    )
    scores = {
        score.exemplar_id: score
        for score in CalibrationScore.objects.filter(exemplar__pool=pool, reviewer=reviewer)
    }
    pending = [e for e in exemplars if e.pk not in scores]
    current = pending[0] if member.calibrated_at is None and pending else None
    state = Calibration(exemplars=exemplars, scores=scores, current=current)
    if current is None and scores:
        state.result = calibration_agreement_get(pool=pool, reviewer=reviewer)
        for exemplar in exemplars:
            if exemplar.pk not in scores:
                continue
            for cid, value in exemplar_criteria_list(exemplar=exemplar):
                yours = scores[exemplar.pk].results.get(cid, "")
                if yours != exemplar.reference[cid]:
                    state.differences.append(
                        {
                            "number": exemplar.submission.number,
                            "criterion": value.get("title", "Criterion"),
                            "yours": yours,
                            "reference": exemplar.reference[cid],
                        }
                    )
    return state


def landing_get(*, user: User) -> str | None:
    """After log-in: a lead reviewer on the lead tools, another pool member on the queue."""
    roles = reviewing_roles_get(user=user)
    if not roles.member:
        return None
    return reverse("review_lead:home") if roles.lead else reverse("review:queue")
