"""Reads about reviewing: a reviewer's queue, who may be assigned, the lead tools' home and
exemplars, and a reviewer's calibration."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cms.pagination import keyset_page
from credentials.agreement import Agreement, agreement
from credentials.models import CalibrationScore, Exemplar, PoolMember, Review, ReviewerPool
from credentials.models.review import count_of, covered_by
from credentials.requirements import rubric_for
from learning import api as learning


@dataclass(frozen=True)
class ReviewingRoles:
    member: bool  # an active member of a pool
    lead: bool  # a lead of one


def navigation_facts() -> dict:
    """The menu's facts about the person (LEAP_NAV_FACTS, read in one query by
    accounts.context_processors.navigation): `nav_is_reviewer`, an active member of a
    reviewer pool, and `nav_is_lead`, a lead of one."""
    active = PoolMember.objects.filter(user=OuterRef("pk"), is_active=True)
    return {"nav_is_reviewer": Exists(active), "nav_is_lead": Exists(active.filter(is_lead=True))}


def reviewing_roles_get(*, user: User) -> ReviewingRoles:
    leads = list(
        PoolMember.objects.filter(user=user, is_active=True).values_list("is_lead", flat=True)
    )
    return ReviewingRoles(member=bool(leads), lead=any(leads))


# A page of the queue, and what it is read in: soonest due first (the pk settles ties).
QUEUE_PAGE_SIZE = 25
QUEUE_ORDERING = ("due_at", "pk")

# What a row of the queue shows: the number, the micro-credential's title, the role and
# dates. Never the submission's answers, pinned requirements or rubric, nor the page's
# body and StreamFields, which a row does not show.
_QUEUE_ROW = ("role", "state", "due_at", "completed_at", "decision")
_QUEUE_ROW_PAGE = ("submission__micro_credential__title",)


def review_queue_get(*, user: User, cursor: str | None = None) -> dict:
    """The reviewer's queue: first their calibration tasks (per pool they are not calibrated
    in, how many exemplars are left to score), then one page of their open assignments,
    soonest due first (`cursor`: the page after or before a row they saw; see
    cms.pagination), with how many are open and overdue in all, and their latest completed
    ones. Four queries, whatever the queue's length or the page."""
    base = (
        Review.objects.filter(reviewer=user)
        .select_related("submission__micro_credential")
        .only(*_QUEUE_ROW, *_QUEUE_ROW_PAGE)
    )
    now = timezone.now()
    page = keyset_page(
        base.filter(state=Review.State.ASSIGNED),
        ordering=QUEUE_ORDERING,
        cursor=cursor,
        size=QUEUE_PAGE_SIZE,
        counts={"overdue": Count("pk", filter=Q(due_at__lt=now))},
    )
    for review in page.items:
        review.is_overdue = review.due_at < now
    memberships = list(
        PoolMember.objects.filter(user=user, is_active=True)
        .with_calibration()
        .select_related("pool")
        .order_by("pool__name", "pk")
    )
    calibration = [m for m in memberships if not m.is_calibrated]
    for member in calibration:
        member.exemplars_left = member.exemplars_total - member.exemplars_scored
    return {
        "is_lead": any(m.is_lead for m in memberships),
        # An active member of some pool (someone paused or removed everywhere is not).
        "in_a_pool": bool(memberships),
        "calibration": calibration,
        # Live work can come from at least one pool.
        "calibrated_anywhere": any(m.is_calibrated for m in memberships),
        "open": page.items,
        "open_page": page,
        "overdue": page.counts["overdue"],
        "done": list(base.filter(state=Review.State.COMPLETED).order_by("-completed_at")[:20]),
    }


def reviewer_eligible_list(*, submission, lead: bool = False) -> QuerySet[User]:
    """Active members of a pool for this micro-credential (or for all) who are calibrated
    in that pool (`PoolMemberQuerySet`: someone calibrated in one pool and not in another
    gets the first pool's work only), never the learner, nobody who already had this
    submission, and (where the learner's district says so) nobody from the learner's
    district; the least loaded first."""
    members = PoolMember.objects.calibrated().filter(
        Q(pool__micro_credential=submission.micro_credential_id)
        | Q(pool__micro_credential__isnull=True),
        is_active=True,
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
    """The user's active pool memberships, with the pool's exemplar count
    (`exemplars_total`), how many of them the user scored (`exemplars_scored`) and whether
    they are calibrated there (`is_calibrated`). One query."""
    return list(
        PoolMember.objects.filter(user=user, is_active=True)
        .with_calibration()
        .select_related("pool__micro_credential")
        .order_by("pool__name", "pk")
    )


@dataclass(frozen=True)
class PoolMemberRow:
    """A member of a pool as its leads see it: state, calibration and agreement."""

    member: PoolMember
    agreement: Agreement
    open_reviews: int

    @property
    def below_bar(self) -> bool:
        return self.agreement.percent is not None and not self.agreement.meets(
            settings.LEAP_CALIBRATION_BAR
        )


def calibration_agreement_map(*, pools: list[ReviewerPool]) -> dict[tuple[int, int], Agreement]:
    """Per (pool id, reviewer id): agreement with the references over every exemplar of
    the pool the reviewer scored, criterion by criterion (a criterion the reviewer did not
    score counts as differing). One query for every member of every pool given; a member
    with no scores is absent (use `agreement([])`)."""
    pairs: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for pool_id, reviewer_id, results, reference in CalibrationScore.objects.filter(
        exemplar__pool__in=pools
    ).values_list("exemplar__pool_id", "reviewer_id", "results", "exemplar__reference"):
        pairs[(pool_id, reviewer_id)] += [
            (results.get(cid, ""), expected) for cid, expected in reference.items()
        ]
    return {key: agreement(found) for key, found in pairs.items()}


def _open_reviews_here(pool: ReviewerPool) -> QuerySet[Review]:
    """Open reviews of the work this pool covers (a reviewer's work in other pools is not
    its leads' business)."""
    return Review.objects.filter(
        covered_by([pool], through="submission__"), state=Review.State.ASSIGNED
    )


def pool_member_list(*, pool: ReviewerPool) -> list[PoolMemberRow]:
    """Everyone in the pool, active first, leads first, by name: whether each is calibrated
    (N of M exemplars scored), their agreement with the references, and how many live
    reviews of the work this pool covers they hold open. Two queries, however many members
    and scores."""
    members = list(
        pool.members.with_calibration()
        .select_related("user")
        .annotate(
            open_reviews=count_of(_open_reviews_here(pool).filter(reviewer_id=OuterRef("user_id")))
        )
        .order_by("-is_active", "-is_lead", "user__display_name", "pk")
    )
    agreements = calibration_agreement_map(pools=[pool])
    none = agreement([])
    return [
        PoolMemberRow(
            member=m,
            agreement=agreements.get((pool.pk, m.user_id), none),
            open_reviews=m.open_reviews,
        )
        for m in members
    ]


@dataclass(frozen=True)
class Handover:
    """A member's open reviews of the work a pool covers, when they leave it: `handed_on`
    go to other reviewers, `kept` stay, since another active pool of theirs covers them."""

    handed_on: int
    kept: int

    @property
    def open(self) -> int:
        return self.handed_on + self.kept


def pool_member_handover_get(*, member: PoolMember) -> Handover:
    """What pausing or removing the member would hand on: the rule of
    `services.review.reviews_hand_over`, counted beforehand. Two queries."""
    others = list(
        PoolMember.objects.filter(user_id=member.user_id, is_active=True)
        .exclude(pk=member.pk)
        .values_list("pool__micro_credential_id", "is_lead")
    )
    handed_on = kept = 0
    for micro_credential_id, role in (
        _open_reviews_here(member.pool)
        .filter(reviewer_id=member.user_id)
        .values_list("submission__micro_credential_id", "role")
    ):
        covered = any(
            covers in (None, micro_credential_id) and (is_lead or role != Review.Role.LEAD)
            for covers, is_lead in others
        )
        if covered:
            kept += 1
        else:
            handed_on += 1
    return Handover(handed_on=handed_on, kept=kept)


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


@dataclass(frozen=True)
class CriterionComparison:
    title: str
    yours: str  # "meets", "not_yet", or "" (not scored: the criterion came later)
    reference: str

    @property
    def agreed(self) -> bool:
        return self.yours == self.reference


@dataclass(frozen=True)
class ExemplarResult:
    """One scored exemplar: the reviewer's score and the reference, criterion by criterion."""

    exemplar: Exemplar
    criteria: list[CriterionComparison]

    @property
    def agreed(self) -> int:
        return sum(1 for c in self.criteria if c.agreed)

    @property
    def total(self) -> int:
        return len(self.criteria)


def exemplar_result_get(*, exemplar: Exemplar, score: CalibrationScore) -> ExemplarResult:
    return ExemplarResult(
        exemplar=exemplar,
        criteria=[
            CriterionComparison(
                title=value.get("title", "Criterion"),
                yours=score.results.get(cid, ""),
                reference=exemplar.reference[cid],
            )
            for cid, value in exemplar_criteria_list(exemplar=exemplar)
        ],
    )


@dataclass
class Calibration:
    """Where a pool member stands: the exemplars they are asked to score (a lead is not
    asked to score the ones they marked), the next one to score (None when none is left),
    whether they are calibrated, and for what they scored, the comparison with the
    reference per exemplar and their agreement overall."""

    exemplars: list[Exemplar]
    current: Exemplar | None
    is_calibrated: bool
    results: list[ExemplarResult] = field(default_factory=list)
    overall: Agreement | None = None

    @property
    def position(self) -> int | None:
        return self.exemplars.index(self.current) + 1 if self.current else None

    @property
    def scored(self) -> int:
        return len(self.results)

    @property
    def left(self) -> int:
        return len(self.exemplars) - self.scored

    @property
    def criteria_agreed(self) -> int:
        return sum(result.agreed for result in self.results)

    @property
    def criteria_total(self) -> int:
        return sum(result.total for result in self.results)


def calibration_get(*, member: PoolMember) -> Calibration:
    """The member's calibration in their pool (two queries; the rule is
    `PoolMemberQuerySet`'s, applied to the rows read here)."""
    pool, reviewer = member.pool, member.user_id
    every = list(
        pool.exemplars.select_related("submission__micro_credential").order_by("created_at", "pk")
    )
    scores = {
        score.exemplar_id: score
        for score in CalibrationScore.objects.filter(exemplar__pool=pool, reviewer=reviewer)
    }
    asked = [
        e for e in every if e.pk in scores or not (member.is_lead and e.marked_by_id == reviewer)
    ]
    pending = [e for e in asked if e.pk not in scores]
    state = Calibration(
        exemplars=asked,
        current=pending[0] if pending else None,
        is_calibrated=member.is_lead or all(e.pk in scores for e in every),
        results=[
            exemplar_result_get(exemplar=e, score=scores[e.pk]) for e in asked if e.pk in scores
        ],
    )
    if state.results:
        state.overall = agreement(
            (c.yours, c.reference) for result in state.results for c in result.criteria
        )
    return state


def staff_role_get(*, user: User) -> str | None:
    """For the second-factor rule (LEAP_STAFF_ROLE_RULES): reviewers and leads."""
    roles = reviewing_roles_get(user=user)
    if not roles.member:
        return None
    return "lead reviewer" if roles.lead else "reviewer"


def landing_get(*, user: User) -> str | None:
    """After log-in: a lead reviewer on the lead tools, another pool member on the queue."""
    roles = reviewing_roles_get(user=user)
    if not roles.member:
        return None
    return reverse("review_lead:home") if roles.lead else reverse("review:queue")
