"""Reviewing evidence: pools of reviewers, assignments with rubric scores, and calibration
against exemplars."""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


class ReviewerPool(models.Model):
    """Reviewers for one micro-credential, or for all of them (no micro-credential)."""

    name = models.CharField(max_length=150)
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for a pool that reviews every micro-credential.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def covers(self, micro_credential_id: int) -> bool:
        return self.micro_credential_id in (None, micro_credential_id)


def covered_by(pools: Iterable[ReviewerPool], *, through: str = "") -> Q:
    """A filter on submissions (or anything with a `micro_credential` field) for the
    micro-credentials the pools cover; a pool with no micro-credential covers them all.
    `through` filters a model related to one, e.g. reviews with `through="submission__"`."""
    pools = list(pools)
    if not pools:
        return Q(pk__in=[])
    field = f"{through}micro_credential_id"
    if any(pool.micro_credential_id is None for pool in pools):
        # A real condition, not an empty Q(), so that it survives being OR-ed with others.
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__in": {pool.micro_credential_id for pool in pools}})


def count_of(queryset: models.QuerySet) -> Coalesce:
    """The number of rows a correlated subquery finds, as an expression (0 for none)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class PoolMemberQuerySet(models.QuerySet):
    """The calibration rule, in one place.

    A member is *calibrated* in their pool when they lead it (leads set the references), or
    when they have scored every exemplar the pool has now: no `Exemplar` of the pool lacks
    a `CalibrationScore` by them. A pool with no exemplars calibrates everyone; a new
    exemplar un-calibrates every non-lead member until they score it. Agreement with the
    references does not decide it: it is shown to the reviewer and to the pool's leads,
    who pause a member whose scores are far from the pool's (`LEAP_CALIBRATION_BAR` marks
    "far"). Only calibrated, active members are assigned live work from the pool."""

    def calibrated(self) -> "PoolMemberQuerySet":
        return self.filter(calibrated_q())

    def uncalibrated(self) -> "PoolMemberQuerySet":
        return self.exclude(calibrated_q())

    def with_calibration(self) -> "PoolMemberQuerySet":
        """Annotate `exemplars_total`, `exemplars_scored` (of the pool's exemplars, by this
        member) and `is_calibrated`, without a query per member."""
        return self.annotate(
            exemplars_total=count_of(Exemplar.objects.filter(pool_id=OuterRef("pool_id"))),
            exemplars_scored=count_of(
                CalibrationScore.objects.filter(
                    exemplar__pool_id=OuterRef("pool_id"), reviewer_id=OuterRef("user_id")
                )
            ),
            is_calibrated=calibrated_q(),
        )


def calibrated_q() -> Q:
    """A filter on `PoolMember`s: calibrated in their pool (see `PoolMemberQuerySet`)."""
    unscored = Exemplar.objects.filter(pool_id=OuterRef("pool_id")).exclude(
        Exists(
            CalibrationScore.objects.filter(
                exemplar_id=OuterRef("pk"), reviewer_id=OuterRef(OuterRef("user_id"))
            )
        )
    )
    return Q(is_lead=True) | ~Exists(unscored)


class PoolMember(models.Model):
    pool = models.ForeignKey(ReviewerPool, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_memberships"
    )
    is_lead = models.BooleanField(
        default=False, help_text="Lead reviewers settle split decisions and run calibration."
    )
    is_active = models.BooleanField(default=True)
    calibrated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the reviewer last finished scoring the pool's exemplars (cleared "
        "when a new one is marked); only calibrated reviewers are assigned work.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = PoolMemberQuerySet.as_manager()

    class Meta:
        ordering = ["pool", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "user"], name="credentials_pool_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.pool}"


class Review(models.Model):
    """One reviewer's assignment to one submission, and, once done, their scores."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        LEAD = "lead", "Lead reviewer (settles a split decision)"

    class State(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        COMPLETED = "completed", "Completed"
        REASSIGNED = "reassigned", "Reassigned"
        CANCELLED = "cancelled", "Cancelled"

    class Decision(models.TextChoices):
        EARNED = "earned", "Earned"
        NOT_YET = "not_yet", "Not yet"

    # Assignments that stand (open or completed; not handed on, not called off): they
    # count for the submission, and their reviewer may see its evidence.
    STANDING_STATES = (State.ASSIGNED, State.COMPLETED)

    submission = models.ForeignKey(
        "credentials.Submission", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reviews",
        help_text="Empty once the reviewer deleted their account; the review stays.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REVIEWER)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ASSIGNED)
    assigned_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer"], name="credentials_review_once_per_reviewer"
            )
        ]
        indexes = [
            models.Index(fields=["reviewer", "state", "due_at"]),
            # Overdue work: the lead report's count and the hourly reassignment.
            models.Index(
                fields=["due_at"], condition=Q(state="assigned"), name="credentials_review_open_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} → {self.reviewer}"


class CriterionScore(models.Model):
    """Meets or not yet on one rubric criterion (keyed by the criterion block's id)."""

    class Result(models.TextChoices):
        MEETS = "meets", "Meets"
        NOT_YET = "not_yet", "Not yet"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion_id = models.CharField(max_length=64)
    title = models.CharField(max_length=150, help_text="The criterion as it was scored.")
    result = models.CharField(max_length=10, choices=Result.choices)
    feedback = models.TextField(max_length=3000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion_id"], name="credentials_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(result="meets") | ~Q(feedback=""),
                name="credentials_not_yet_has_feedback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.result}"


class DoubleReviewTally(models.Model):
    """How one completed review agreed with the other reviewers of the same submission:
    its criterion scores paired with theirs on the same criteria, counted by kind. Written
    under the submission's row lock whenever a reviewer completes a review
    (`credentials.double_review`), so the lead report sums one row a review instead of
    pairing every score of the period. Goes with the review (and the submission)."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, primary_key=True, related_name="double_review_tally"
    )
    # Copies of the review's and the submission's, so the report needs no join.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField()
    # Pairs of (this review's result, the other reviewer's result) on one criterion.
    meets_meets = models.PositiveIntegerField(default=0)
    meets_not_yet = models.PositiveIntegerField(default=0)
    not_yet_meets = models.PositiveIntegerField(default=0)
    not_yet_not_yet = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["submitted_at"], name="credentials_tally_submitted"),
            models.Index(
                fields=["micro_credential", "submitted_at"], name="credentials_tally_mc_submitted"
            ),
        ]

    def __str__(self) -> str:
        return f"Double review tally of review {self.review_id}"


class Exemplar(models.Model):
    """A submission lead reviewers marked as a calibration example, with reference scores
    ({criterion id: "meets" | "not_yet"})."""

    submission = models.OneToOneField(
        "credentials.Submission", on_delete=models.CASCADE, related_name="exemplar"
    )
    pool = models.ForeignKey(ReviewerPool, on_delete=models.CASCADE, related_name="exemplars")
    reference = models.JSONField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Exemplar {self.submission.number}"


class CalibrationScore(models.Model):
    """A reviewer's scores on an exemplar, compared with the reference."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    results = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exemplar", "reviewer"], name="credentials_calibration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.exemplar}"
