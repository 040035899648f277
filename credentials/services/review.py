"""Reviewing: blind, load-balanced assignment; rubric scores and the decision (earned
through `assertion_award`); split decisions to a lead; overdue work reassigned;
calibration against exemplars; and telling people."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.email import email_send_on_commit
from credentials.agreement import agreement
from credentials.deadlines import add_business_days
from credentials.models import (
    CalibrationScore,
    CriterionScore,
    Exemplar,
    Notification,
    NotificationSettings,
    PoolMember,
    Review,
    ReviewerPool,
    Submission,
)
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from credentials.services.evidence import EvidenceError, rubric_for
from learning.models import Membership
from learning.selectors import time_zone_of

logger = logging.getLogger(__name__)


class ReviewError(EvidenceError):
    """The review cannot be recorded as sent; `problems` lists why."""


# Telling people.


def notify(
    *,
    user,
    message: str,
    url: str = "",
    email: tuple[str, dict] | None = None,
    essential: bool = True,
) -> Notification:
    """An in-site notification, and (after commit) an e-mail unless the message is
    non-essential and the person turned those off."""
    notification = Notification.objects.create(user=user, message=message[:300], url=url)
    if email is not None:
        opted_out = NotificationSettings.objects.filter(user=user, email_non_essential=False)
        wants = essential or not opted_out.exists()
        if wants:
            template, context = email
            context = {"name": user.display_name, "url": settings.SITE_URL + url, **context}
            subject = render_to_string(f"credentials/email/{template}_subject.txt", context)
            body = render_to_string(f"credentials/email/{template}_message.txt", context)
            email_send_on_commit(
                EmailMultiAlternatives(" ".join(subject.split()), body, to=[user.email])
            )
    return notification


@transaction.atomic
def notifications_mark_read(*, user, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


# Assignment.


def _conflicted_district_ids(submission: Submission) -> list[int]:
    """Districts of the learner whose reviewers must not assess the learner's work."""
    return list(
        Membership.objects.filter(
            user=submission.learner,
            is_active=True,
            district__is_active=True,
            district__reviewers_exclude_same_district=True,
        ).values_list("district_id", flat=True)
    )


def eligible_reviewers(submission: Submission, *, lead: bool = False):
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
    districts = _conflicted_district_ids(submission)
    if districts:
        user_ids -= set(
            Membership.objects.filter(district_id__in=districts, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    from accounts.models import User

    return (
        User.objects.filter(pk__in=user_ids)
        .annotate(load=Count("reviews", filter=Q(reviews__state=Review.State.ASSIGNED)))
        .order_by("load", "pk")
    )


def _review_due(start: datetime, submission: Submission) -> datetime:
    tz = time_zone_of(user=submission.learner_id)  # business days of the learner's district
    return add_business_days(start, settings.LEAP_REVIEW_DAYS, tz=tz)


def _assign(submission: Submission, *, role: str) -> Review | None:
    reviewer = eligible_reviewers(submission, lead=role == Review.Role.LEAD).first()
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
        url=f"/review/{review.pk}/",
        email=("review_assigned", {"review": review, "submission": submission}),
    )
    return review


def _fill(submission: Submission) -> list[Review]:
    """Assign what the submission still needs (the caller holds its row lock): reviewers
    up to the number the micro-credential asks for, or a lead when the reviewers split.
    Whatever cannot be filled now is filled by the hourly job."""
    reviews = list(
        submission.reviews.exclude(state__in=[Review.State.REASSIGNED, Review.State.CANCELLED])
    )
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
    if submission.state not in (Submission.State.SUBMITTED, Submission.State.IN_REVIEW):
        return []
    made = _fill(submission)
    if made and submission.state == Submission.State.SUBMITTED:
        submission.state = Submission.State.IN_REVIEW
        submission.save(update_fields=["state", "updated_at"])
    return made


def after_submit(submission: Submission) -> None:
    """Receipt now; assignment by the worker after commit."""
    notify(
        user=submission.learner,
        message=f"We received your evidence for “{submission.micro_credential.title}”.",
        url=f"/my/submissions/{submission.pk}/",
        email=("submission_received", {"submission": submission}),
    )

    def enqueue():
        from credentials.tasks import submission_assign

        submission_assign.delay(submission.pk)

    transaction.on_commit(enqueue)


# Scoring and deciding.


@transaction.atomic
def review_record(*, review: Review, scores: dict[str, tuple[str, str]]) -> Review:
    """Record a reviewer's scores ({criterion id: ("meets" | "not_yet", feedback)}) and,
    when the submission has what it needs, decide it. The submission row is locked first,
    so reviewers recording at the same moment make one decision and one badge."""
    submission = Submission.objects.select_for_update().get(pk=review.submission_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != Review.State.ASSIGNED:
        raise ReviewError(
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
        raise ReviewError(problems)
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
    _decide_if_ready(submission, review)
    return review


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
        url=f"/my/submissions/{submission.pk}/",
        email=(
            "submission_decided",
            {
                "submission": submission,
                "earned": earned,
                "scores": CriterionScore.objects.filter(review__in=deciding),
            },
        ),
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
            url="/review/",
            email=("review_reassigned", {"submission": submission, "why": why}),
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
        Submission.objects.filter(
            state__in=[Submission.State.SUBMITTED, Submission.State.IN_REVIEW]
        )
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
    member = PoolMember.objects.select_for_update().get(pk=member.pk)
    member.is_lead = is_lead
    member.is_active = is_active
    if is_lead and member.calibrated_at is None:
        member.calibrated_at = timezone.now()
    member.save(update_fields=["is_lead", "is_active", "calibrated_at"])
    if not is_active:
        transaction.on_commit(lambda: _reassign_ineligible(member.user_id))
    return member


def _reassign_ineligible(user_id: int) -> int:
    moved = 0
    open_reviews = Review.objects.filter(reviewer_id=user_id, state=Review.State.ASSIGNED)
    for review in open_reviews.select_related("submission"):
        covering = PoolMember.objects.filter(
            Q(pool__micro_credential=review.submission.micro_credential_id)
            | Q(pool__micro_credential__isnull=True),
            user_id=user_id,
            is_active=True,
        )
        if review.role == Review.Role.LEAD:
            covering = covering.filter(is_lead=True)
        if not covering.exists():
            moved += _reassign(review.pk, review.submission_id, why="left your pools")
    return moved


# Calibration.


@transaction.atomic
def exemplar_mark(
    *, submission: Submission, pool: ReviewerPool, reference: dict, marked_by
) -> Exemplar:
    """A lead marks a decided submission as an exemplar with reference scores."""
    criteria = [cid for cid, _ in rubric_for(submission)]
    if set(reference) != set(criteria) or not set(reference.values()) <= set(
        CriterionScore.Result.values
    ):
        raise ReviewError("Give a reference score (meets or not yet) for every criterion.")
    try:
        with transaction.atomic():
            return Exemplar.objects.create(
                submission=submission, pool=pool, reference=reference, marked_by=marked_by
            )
    except IntegrityError:
        raise ReviewError("This submission is an exemplar already.") from None


def calibration_agreement(*, pool: ReviewerPool, reviewer):
    """The reviewer's agreement with the references over every exemplar they scored."""
    pairs = []
    for score in CalibrationScore.objects.filter(
        exemplar__pool=pool, reviewer=reviewer
    ).select_related("exemplar"):
        for criterion_id, expected in score.exemplar.reference.items():
            pairs.append((score.results.get(criterion_id, ""), expected))
    return agreement(pairs)


@transaction.atomic
def calibration_record(*, exemplar: Exemplar, reviewer, results: dict) -> CalibrationScore:
    """Score an exemplar; once every exemplar of the pool is scored and agreement reaches
    the bar, the reviewer is calibrated and starts receiving work."""
    if set(results) != set(exemplar.reference) or not set(results.values()) <= set(
        CriterionScore.Result.values
    ):
        raise ReviewError("Score every criterion: meets or not yet.")
    try:
        with transaction.atomic():
            score = CalibrationScore.objects.create(
                exemplar=exemplar, reviewer=reviewer, results=results
            )
    except IntegrityError:
        raise ReviewError("You have scored this exemplar already.") from None
    pool = exemplar.pool
    scored = CalibrationScore.objects.filter(exemplar__pool=pool, reviewer=reviewer).count()
    if scored >= pool.exemplars.count():
        result = calibration_agreement(pool=pool, reviewer=reviewer)
        if result.meets(settings.LEAP_CALIBRATION_BAR):
            PoolMember.objects.filter(pool=pool, user=reviewer, calibrated_at__isnull=True).update(
                calibrated_at=timezone.now()
            )
    return score


@transaction.atomic
def pool_member_add(*, pool: ReviewerPool, user, is_lead: bool = False) -> PoolMember:
    """Add a reviewer. Leads, and members of a pool with no exemplars yet, start
    calibrated; everyone else scores the exemplars first."""
    member, _ = PoolMember.objects.get_or_create(pool=pool, user=user)
    member.is_lead = is_lead or member.is_lead
    member.is_active = True
    if member.calibrated_at is None and (member.is_lead or not pool.exemplars.exists()):
        member.calibrated_at = timezone.now()
    member.save()
    return member


__all__ = [
    "ReviewError",
    "calibration_agreement",
    "calibration_record",
    "eligible_reviewers",
    "exemplar_mark",
    "notifications_mark_read",
    "notify",
    "pool_member_add",
    "pool_member_update",
    "review_assign",
    "review_record",
    "reviews_reassign_overdue",
]
