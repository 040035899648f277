"""Reads about evidence: a learner's submissions, what a submission shows, what it still
lacks, and attempts."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from cms.models import MicroCredentialPage
from credentials.deadlines import review_due_at
from credentials.models import (
    Assertion,
    AttemptAllowance,
    BadgeClass,
    CriterionScore,
    Review,
    Submission,
)
from credentials.requirements import Requirement, requirements_for, requirements_of
from credentials.uploads import word_count
from learning import api as learning


def submission_list(*, learner: User) -> QuerySet[Submission]:
    return Submission.objects.filter(learner=learner).select_related("micro_credential")


@dataclass
class SubmissionUnderway:
    """A submission the learner still has something to wait for or do: a draft, one in
    review (with the moment a decision is due, in the learner's district's time zone), or
    a "not yet" that no later attempt has followed."""

    submission: Submission
    decision_due: datetime | None

    @property
    def due_day(self):
        """The day a decision is due, on the learner's district's calendar."""
        return self.decision_due.date() if self.decision_due is not None else None

    @property
    def waiting_for_reviewer(self) -> bool:
        return self.submission.state == Submission.State.SUBMITTED and not (
            self.submission.open_reviews
        )


UNDERWAY_STATES = (*Submission.OPEN_STATES, Submission.State.NOT_YET)


def submission_underway_list(*, learner: User) -> list[SubmissionUnderway]:
    """The learner's latest attempt at each micro-credential, when it is underway (see
    `SubmissionUnderway`), most recently changed first: three queries, whatever their number.
    A decision is due when the last open review is due; before a reviewer is assigned, when
    assigning one now would make it due (`deadlines.review_due_at`, counted from now, or
    from when it was sent if that is later), so the day shown is never already past."""
    submissions = (
        Submission.objects.filter(learner=learner)
        .exclude(state=Submission.State.WITHDRAWN)
        .select_related("micro_credential")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(state=Review.State.ASSIGNED),
                to_attr="open_reviews",
            )
        )
        .order_by("micro_credential_id", "-attempt")
    )
    latest: dict[int, Submission] = {}
    for submission in submissions:
        latest.setdefault(submission.micro_credential_id, submission)
    underway = sorted(
        (s for s in latest.values() if s.state in UNDERWAY_STATES),
        key=lambda s: s.updated_at,
        reverse=True,
    )
    zone = learning.time_zone_of(user=learner) if underway else None
    now = timezone.now()
    result = []
    for submission in underway:
        due = None
        if submission.state in Submission.QUEUE_STATES:
            dues = [review.due_at for review in submission.open_reviews]
            if dues:
                due = max(dues)
            elif submission.submitted_at is not None:
                due = review_due_at(
                    submission.submitted_at, days=settings.LEAP_REVIEW_DAYS, tz=zone, now=now
                )
            due = due.astimezone(zone) if due is not None else None
        result.append(SubmissionUnderway(submission, due))
    return result


def submission_latest_get(*, learner: User, page: MicroCredentialPage) -> Submission | None:
    return (
        Submission.objects.filter(learner=learner, micro_credential=page)
        .order_by("-attempt")
        .first()
    )


def evidence_list(*, submission: Submission, answers: dict | None = None) -> list[dict]:
    """Each requirement the submission answers (pinned once submitted) with its answer and
    its artifacts: what the learner, reviewers and leads are shown. One query."""
    artifacts = list(submission.artifacts.all())
    answers = submission.answers if answers is None else answers
    return [
        {
            "requirement": requirement,
            "answer": answers.get(requirement.id, ""),
            "artifacts": [a for a in artifacts if a.slot_id == requirement.id],
        }
        for requirement in requirements_for(submission)
    ]


def decision_score_list(*, submission: Submission) -> list[CriterionScore]:
    """The per-criterion scores that decided a submission (the lead's when a lead decided)."""
    reviews = submission.reviews.filter(state=Review.State.COMPLETED)
    lead = reviews.filter(role=Review.Role.LEAD)
    deciding = lead if lead.exists() else reviews
    return list(CriterionScore.objects.filter(review__in=deciding).order_by("review_id", "pk"))


# What a draft still lacks.


def word_problem_list(*, requirements: list[Requirement], answers: dict[str, str]) -> list[str]:
    """Each answer over its word limit, in words."""
    problems = []
    for requirement in requirements:
        words = word_count(answers.get(requirement.id, ""))
        if requirement.word_limit and words > requirement.word_limit:
            problems.append(
                f"“{requirement.label}”: {words} words; the limit is {requirement.word_limit}."
            )
    return problems


def submission_problem_list(*, submission: Submission) -> list[str]:
    """What still stops the submission, in words: empty required answers and slots, and
    answers over their word limits."""
    requirements = requirements_of(submission.micro_credential)
    filled_slots = set(submission.artifacts.values_list("slot_id", flat=True))
    problems = []
    for requirement in requirements:
        if not requirement.required:
            continue
        if requirement.takes_text and not submission.answers.get(requirement.id, "").strip():
            problems.append(f"Answer “{requirement.label}”.")
        elif requirement.kind == "artifact" and requirement.id not in filled_slots:
            problems.append(
                f"Add {'a file or link' if requirement.allow_link else 'a file'} "
                f"for “{requirement.label}”."
            )
    texts = [r for r in requirements if r.takes_text]
    return problems + word_problem_list(requirements=texts, answers=submission.answers)


# Attempts.


@dataclass
class Attempts:
    used: int
    allowed: int

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.used)


def attempts_get(*, learner: User, page: MicroCredentialPage) -> Attempts:
    """Submitted attempts (a withdrawn one does not count) and how many are allowed."""
    used = Submission.objects.counted().filter(learner=learner, micro_credential=page).count()
    extra = AttemptAllowance.objects.filter(learner=learner, micro_credential=page).count()
    return Attempts(used=used, allowed=page.attempt_limit + extra)


def badge_held(*, learner: User, page: MicroCredentialPage) -> bool:
    """The learner holds a live badge of this micro-credential (any issuer, any version)."""
    return (
        Assertion.objects.live()
        .filter(recipient=learner, badge_family=BadgeClass.family_for(page.pk))
        .exists()
    )
