"""Reviewing: blind, load-balanced assignment; rubric scores and the decision (earned
through `assertion_award`); split decisions to a lead; overdue work reassigned; pool
members added, changed, paused and removed. Every write that touches a submission's reviews
locks the submission row first, then the review (docs/decisions/0005)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record, person_label
from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import User
from accounts.services import notify
from credentials.deadlines import review_due_at
from credentials.double_review import tallies_write
from credentials.models import (
    CriterionScore,
    DoubleReviewTally,
    PoolMember,
    Review,
    ReviewerPool,
    Submission,
    covered_by,
)
from credentials.requirements import rubric_for
from credentials.selectors.review import pool_covering_list, reviewer_eligible_list
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from learning import api as learning

logger = logging.getLogger(__name__)


# Assignment.


def _review_due(start: datetime, submission: Submission) -> datetime:
    """Due after the review days, counted on the learner's district's calendar."""
    tz = learning.time_zone_of(user=submission.learner_id)
    return review_due_at(start, days=settings.LEAP_REVIEW_DAYS, tz=tz)


def _assign(submission: Submission, *, role: str) -> Review | None:
    reviewer = reviewer_eligible_list(submission=submission, lead=role == Review.Role.LEAD).first()
    if reviewer is None:
        logger.warning("No eligible %s for submission %s", role, submission.number)
        return None
    now = timezone.now()
    review = Review.objects.create(
        submission=submission, reviewer=reviewer, role=role, due_at=_review_due(now, submission)
    )
    notify(
        user=reviewer,
        message=f"Submission {submission.number} is in your review queue.",
        url=reverse("review:detail", args=[review.pk]),
        email_template="credentials/email/review_assigned",
        context={"review": review, "submission": submission},
    )
    return review


def _fill(submission: Submission) -> list[Review]:
    """Assign what the submission still needs (the caller holds its row lock): reviewers
    up to the number the micro-credential asks for, or a lead when the reviewers split.
    Whatever cannot be filled now is filled by the hourly job."""
    reviews = list(submission.reviews.filter(state__in=Review.STANDING_STATES))
    reviewers = [r for r in reviews if r.role == Review.Role.REVIEWER]
    made = []
    for _ in range(submission.micro_credential.reviewers_required - len(reviewers)):
        review = _assign(submission, role=Review.Role.REVIEWER)
        if review is None:
            break
        made.append(review)
    done = [r for r in reviewers if r.state == Review.State.COMPLETED]
    split = (
        len(done) >= submission.micro_credential.reviewers_required
        and len({r.decision for r in done}) > 1
    )
    if split and not any(r.role == Review.Role.LEAD for r in reviews):
        lead = _assign(submission, role=Review.Role.LEAD)
        made += [lead] if lead else []
    return made


@transaction.atomic
def review_assign(*, submission: Submission) -> list[Review]:
    """Give the submission what it still needs (see `_fill`). Safe to call again."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state not in Submission.QUEUE_STATES:
        return []
    made = _fill(submission)
    if made and submission.state == Submission.State.SUBMITTED:
        submission.state = Submission.State.IN_REVIEW
        submission.save(update_fields=["state", "updated_at"])
    return made


# Scoring and deciding.


@transaction.atomic
def review_record(*, review: Review, scores: dict[str, tuple[str, str]]) -> Review:
    """Record a reviewer's scores ({criterion id: ("meets" | "not_yet", feedback)}) and,
    when the submission has what it needs, decide it. The submission row is locked first,
    so reviewers recording at the same moment make one decision and one badge."""
    submission = Submission.objects.select_for_update().get(pk=review.submission_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != Review.State.ASSIGNED:
        raise LeapError(
            "This review is no longer yours to record: it was completed, reassigned or the "
            "learner withdrew."
        )
    criteria = rubric_for(submission)
    problems = []
    for criterion_id, value in criteria:
        result, feedback = scores.get(criterion_id, ("", ""))
        if result not in CriterionScore.Result.values:
            problems.append(f"Score “{value['title']}”: meets or not yet.")
        elif result == CriterionScore.Result.NOT_YET and not (feedback or "").strip():
            problems.append(f"Give feedback on “{value['title']}”: what would meet it?")
    if problems:
        raise LeapError(problems)
    CriterionScore.objects.bulk_create(
        CriterionScore(
            review=review,
            criterion_id=criterion_id,
            title=value["title"][:150],
            result=scores[criterion_id][0],
            feedback=(scores[criterion_id][1] or "").strip(),
        )
        for criterion_id, value in criteria
    )
    all_meet = all(scores[cid][0] == CriterionScore.Result.MEETS for cid, _ in criteria)
    review.decision = Review.Decision.EARNED if all_meet else Review.Decision.NOT_YET
    review.state = Review.State.COMPLETED
    review.completed_at = timezone.now()
    review.save(update_fields=["decision", "state", "completed_at"])
    if review.role == Review.Role.REVIEWER:
        _double_review_tally(Submission.objects.filter(pk=submission.pk))
    _audit_review(review, submission)
    _decide_if_ready(submission, review)
    return review


def _double_review_tally(submissions) -> None:
    """Tally again how these submissions' completed reviews agree with each other, for the
    lead report. The caller holds the submissions' row locks."""
    tallies_write(
        tally_model=DoubleReviewTally, score_model=CriterionScore, submissions=submissions
    )


MEND_DAYS = 7
MEND_CHUNK = 500


def double_review_tallies_mend(*, now: datetime | None = None) -> int:
    """Daily (beat): tally the submissions where a reviewer's review completed in the last
    week has no tally though another reviewer's completed review is beside it. Those are
    reviews the code before the tallies recorded while a deploy was under way (after the
    migration's backfill read them); the lead report would otherwise count them out for
    good. Locks each chunk's submissions, as `review_record` does. Returns how many
    submissions were tallied (a review whose criteria share nothing with the other's is
    tallied again each day of its week, to no rows)."""
    now = now or timezone.now()
    done = Review.objects.filter(role=Review.Role.REVIEWER, state=Review.State.COMPLETED)
    beside = done.filter(submission=OuterRef("submission_id")).exclude(pk=OuterRef("pk"))
    found = list(
        done.filter(
            Exists(beside),
            completed_at__gte=now - timedelta(days=MEND_DAYS),
            double_review_tally__isnull=True,
        )
        .order_by("submission_id")
        .values_list("submission_id", flat=True)
        .distinct()
    )
    for start in range(0, len(found), MEND_CHUNK):
        chunk = found[start : start + MEND_CHUNK]
        with transaction.atomic():
            list(
                Submission.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            _double_review_tally(Submission.objects.filter(pk__in=chunk))
    return len(found)


def _audit_review(review: Review, submission: Submission) -> None:
    """The reviewer's decision, for platform staff only (no district: a district's admins
    would learn who reviewed their people's work, which review keeps blind)."""
    audit_record(
        action=Action.REVIEW_DECIDED,
        actor=review.reviewer,
        target=submission,
        target_label=f"Submission {submission.number}",
        summary=(
            f"{'Lead reviewer' if review.role == Review.Role.LEAD else 'Reviewer'} decided: "
            f"{review.get_decision_display()}"
        ),
        details={"review": review.pk, "role": review.role, "decision": review.decision},
    )


def _decide_if_ready(submission: Submission, latest: Review) -> None:
    if submission.state != Submission.State.IN_REVIEW:
        return
    if latest.role == Review.Role.LEAD:
        _decide(submission, latest.decision, deciding=[latest])
        return
    done = list(submission.reviews.filter(role=Review.Role.REVIEWER, state=Review.State.COMPLETED))
    if len(done) < submission.micro_credential.reviewers_required:
        return
    decisions = {r.decision for r in done}
    if len(decisions) == 1:
        _decide(submission, decisions.pop(), deciding=done)
    else:
        _fill(submission)  # a lead settles it


def _decide(submission: Submission, decision: str, *, deciding: list[Review]) -> None:
    submission.state = decision
    submission.decided_at = timezone.now()
    page = submission.micro_credential
    if decision == Review.Decision.EARNED:
        badge_class = submission.badge_class or badge_class_for_micro_credential(
            page=page, recipient=submission.learner
        )
        submission.assertion = assertion_award(
            recipient=submission.learner,
            badge_class=badge_class,
            narrative=(
                f"Evidence (submission {submission.number}, attempt {submission.attempt}) met "
                "every criterion of the public rubric, assessed blind by trained reviewers."
            ),
            notify=False,  # the decision e-mail below carries the news and the link
            how=f"Earned: submission {submission.number} met every criterion",
        )
    submission.save(update_fields=["state", "decided_at", "assertion", "updated_at"])
    Review.objects.filter(submission=submission, state=Review.State.ASSIGNED).update(
        state=Review.State.CANCELLED
    )
    earned = decision == Review.Decision.EARNED
    notify(
        user=submission.learner,
        message=(
            f"You earned “{page.title}”."
            if earned
            else f"“{page.title}”: not yet. Read the feedback."
        ),
        url=reverse("submissions:detail", args=[submission.pk]),
        email_template="credentials/email/submission_decided",
        context={
            "submission": submission,
            "earned": earned,
            "scores": CriterionScore.objects.filter(review__in=deciding),
        },
    )


# Overdue work.


def _reassign(review_id: int, submission_id: int, *, why: str, still: Q | None = None) -> bool:
    """Take one review away from its reviewer and give the submission someone else, in one
    transaction that locks the submission before the review (the order `review_record`
    uses, so the two never deadlock). `still` re-checks, under the lock, why it is done."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        review = (
            Review.objects.select_for_update(of=("self",))
            .filter(still or Q(), pk=review_id, state=Review.State.ASSIGNED)
            .select_related("reviewer")
            .first()
        )
        if review is None:  # recorded or reassigned meanwhile
            return False
        review.state = Review.State.REASSIGNED
        review.save(update_fields=["state"])
        _fill(submission)
        notify(
            user=review.reviewer,
            message=f"Submission {submission.number} {why} and has been reassigned.",
            url=reverse("review:queue"),
            email_template="credentials/email/review_reassigned",
            context={"submission": submission, "why": why},
            essential=False,
        )
        return True


def reviews_reassign_overdue(*, now: datetime | None = None) -> int:
    """Hourly: reassign work overdue by more than the margin, telling both reviewers, then
    give every submission still short of a reviewer or a lead what it needs. Returns how
    many reviews were reassigned."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.LEAP_REVIEW_OVERDUE_MARGIN_DAYS)
    overdue = Review.objects.filter(state=Review.State.ASSIGNED, due_at__lt=cutoff)
    reassigned = sum(
        _reassign(review_id, submission_id, why="was overdue", still=Q(due_at__lt=cutoff))
        for review_id, submission_id in overdue.values_list("pk", "submission_id")
    )
    waiting = (
        Submission.objects.in_queue()
        .exclude(reviews__state=Review.State.ASSIGNED)
        .values_list("pk", flat=True)
    )
    for submission_id in waiting:
        review_assign(submission=Submission(pk=submission_id))
    return reassigned


@transaction.atomic
def pool_member_update(*, member: PoolMember, is_lead: bool, is_active: bool) -> PoolMember:
    """Change a member's lead role or take them out of the pool. Someone made a lead is
    calibrated (they set the exemplars); someone taken out loses the open work they no
    longer qualify for, which goes to another reviewer at once."""
    member = (
        PoolMember.objects.select_for_update(of=("self",))
        .select_related("user", "pool")
        .get(pk=member.pk)
    )
    changes = _pool_changes(member, is_lead=is_lead, is_active=is_active)
    member.is_lead = is_lead
    member.is_active = is_active
    if is_lead and member.calibrated_at is None:
        member.calibrated_at = timezone.now()
    member.save(update_fields=["is_lead", "is_active", "calibrated_at"])
    if changes:
        _audit_pool(member, "; ".join(changes))
    if not is_active:
        _hand_over_after_commit(member.user_id, member.pool)
    return member


def _pool_changes(member: PoolMember, *, is_lead: bool, is_active: bool) -> list[str]:
    changes = []
    if is_active != member.is_active:
        changes.append("Resumed" if is_active else "Paused")
    if is_lead != member.is_lead:
        changes.append("Made a lead" if is_lead else "No longer a lead")
    return changes


def _audit_pool(member: PoolMember, summary: str) -> None:
    """A change to who reviews in a pool (pools are the platform's: no district)."""
    audit_record(
        action=Action.POOL_CHANGED,
        target=member.pool,
        target_label=f"{person_label(member.user)} in {member.pool.name}",
        summary=summary,
        details={"pool": member.pool_id, "user": member.user_id, "lead": member.is_lead},
    )


def _hand_over_after_commit(user_id: int, pool: ReviewerPool) -> None:
    job_enqueue_on_commit(
        "credentials.tasks.reviews_hand_over",
        user_id,
        pool.pk,
        label=f"handing over the open reviews of user {user_id} who left pool {pool.pk}",
    )


def reviews_hand_over(*, user_id: int, pool: ReviewerPool) -> int:
    """After someone leaves `pool` (paused or removed; run by a task after that commits):
    their open reviews of work the pool covers that no other active pool of theirs covers
    go to other reviewers (`pool_member_handover_get` counts the same reviews beforehand).
    Safe to run again: reviews already handed over are no longer theirs."""
    moved = 0
    open_reviews = Review.objects.filter(
        covered_by([pool], through="submission__"), reviewer_id=user_id, state=Review.State.ASSIGNED
    )
    for review in open_reviews.select_related("submission"):
        covering = pool_covering_list(
            user=user_id,
            micro_credential_id=review.submission.micro_credential_id,
            lead=review.role == Review.Role.LEAD,
        )
        if not covering.exists():
            moved += _reassign(review.pk, review.submission_id, why="left your pools")
    return moved


@transaction.atomic
def pool_member_add(*, pool: ReviewerPool, user: User, is_lead: bool = False) -> PoolMember:
    """Add a reviewer. Leads, and members of a pool with no exemplars yet, start
    calibrated; everyone else scores the exemplars first."""
    member, created = PoolMember.objects.get_or_create(pool=pool, user=user)
    changes = ["Added" + (" as a lead" if is_lead else "")] if created else []
    if not created:
        changes = _pool_changes(member, is_lead=is_lead or member.is_lead, is_active=True)
    member.is_lead = is_lead or member.is_lead
    member.is_active = True
    if member.calibrated_at is None and (member.is_lead or not pool.exemplars.exists()):
        member.calibrated_at = timezone.now()
    member.save()
    if changes:
        _audit_pool(member, "; ".join(changes))
    return member


# Pool members, as the pool's leads manage them (the lead tools).


def lead_refusal(member: PoolMember, *, doing: str) -> str:
    """Why the lead tools leave a lead alone (the confirmation page says it too)."""
    return (
        f"{member.user.display_name or member.user.email} is a lead of {member.pool.name}, "
        f"so cannot be {doing} here. Leads are changed by the platform staff."
    )


def _lock_for_lead_tools(member: PoolMember, *, doing: str) -> PoolMember:
    """Lock the pool row, then the member's (every change a lead makes to a pool's members
    takes them in this order, so two leads acting at once take turns), and refuse a lead:
    leads are made, paused and removed by the platform staff, so a lead cannot pause or
    remove a co-lead and the pool keeps the leads staff gave it."""
    ReviewerPool.objects.select_for_update().get(pk=member.pool_id)
    found = (
        PoolMember.objects.select_for_update().select_related("user", "pool").filter(pk=member.pk)
    ).first()
    if found is None:  # another lead removed them a moment ago
        raise LeapError(
            f"{member.user.display_name or member.user.email} is no longer in {member.pool.name}."
        )
    member = found
    if member.is_lead:
        raise LeapError(lead_refusal(member, doing=doing))
    return member


@transaction.atomic
def pool_member_join(*, pool: ReviewerPool, user: User, added_by: User) -> PoolMember:
    """A lead adds a reviewer to their pool (not as a lead: that stays with staff). The
    reviewer is told, and asked to score the pool's exemplars first when it has any."""
    pool = ReviewerPool.objects.select_for_update().get(pk=pool.pk)  # as _lock_for_lead_tools
    existing = PoolMember.objects.filter(pool=pool, user=user).first()
    if existing is not None:
        name = user.display_name or user.email
        if existing.is_active:
            raise LeapError(f"{name} is already a member of {pool.name}.")
        raise LeapError(f"{name} is already in {pool.name}, paused: resume them instead.")
    member = pool_member_add(pool=pool, user=user)
    exemplars = pool.exemplars.count()
    notify(
        user=user,
        message=(
            f"You are a reviewer in {pool.name}. "
            + (
                f"Score {exemplars} example{'s' if exemplars != 1 else ''} before live work."
                if exemplars
                else "Live work will come to your queue."
            )
        ),
        url=(
            reverse("review_lead:calibration", args=[pool.pk])
            if exemplars
            else reverse("review:queue")
        ),
        email_template="credentials/email/pool_joined",
        context={
            "pool": pool,
            "exemplars": exemplars,
            "added_by": added_by.display_name or "A lead reviewer",
        },
    )
    return member


@transaction.atomic
def pool_member_set_active(*, member: PoolMember, active: bool) -> PoolMember:
    """Pause a member (they get no work from the pool, and the open reviews they no longer
    qualify for go to other reviewers at once) or resume them. Leads are refused: they are
    the staff's to change."""
    member = _lock_for_lead_tools(member, doing="paused" if not active else "resumed")
    if member.is_active == active:
        return member
    return pool_member_update(member=member, is_lead=member.is_lead, is_active=active)


@transaction.atomic
def pool_member_remove(*, member: PoolMember) -> None:
    """Take someone out of the pool. Their completed reviews and calibration scores stay
    (added again, they need not score the same exemplars twice); their open reviews that
    no other pool of theirs covers go to other reviewers at once. Refused for a lead:
    leads are the staff's to change."""
    member = _lock_for_lead_tools(member, doing="removed")
    user_id, pool = member.user_id, member.pool
    _audit_pool(member, "Removed")
    member.delete()
    _hand_over_after_commit(user_id, pool)
