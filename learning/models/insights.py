"""District insights' own records: the PD-hours goals a district sets (`PDGoal`), and
reports shared outside Leap (`SharedReport`): a read-only link to a district's dashboard
or framework coverage, with the filters it was made with, aggregates only (never a name),
that stops working when it expires or a district admin revokes it."""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from learning.models.assessments import LEVEL_MAX, LEVEL_MIN
from learning.models.districts import District


def shared_report_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SharedReport(models.Model):
    class Kind(models.TextChoices):
        DASHBOARD = "dashboard", "Dashboard"
        COVERAGE = "coverage", "Framework coverage"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="shared_reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The filters as the screen took them (its query string's fields).
    filters = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    # Only a fingerprint of the link's secret is kept: the link itself is shown once.
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.district})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PDGoal(models.Model):
    """The professional-learning hours a district asks of its people each school year: of
    everyone, or of one role (the role they chose when they joined Leap)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="pd_goals")
    role = models.ForeignKey(
        "cms.AudienceRole",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for everyone in the district without a goal for their role.",
    )
    hours = models.DecimalField(
        "hours per school year",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role__name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "role"], name="learning_one_goal_per_role"),
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(role__isnull=True),
                name="learning_one_goal_for_everyone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h for {self.role or 'everyone'} ({self.district})"


class InstitutionalAssessment(models.Model):
    """A district team's rating of the district itself against a system framework (the
    CoSN Digital Leap Success Matrix, the ISTE Essential Conditions): one round, with a
    rating and evidence per element and the people who agreed it."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="institutional_assessments"
    )
    framework = models.ForeignKey("cms.Framework", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120, help_text="e.g. “Spring 2026 review”.")
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="The people who agreed these ratings.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.district}, {self.framework.code})"


class InstitutionalRating(models.Model):
    assessment = models.ForeignKey(
        InstitutionalAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    element = models.ForeignKey("cms.FrameworkElement", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    evidence = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "element"], name="learning_one_institutional_rating"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element} at {self.level}"
