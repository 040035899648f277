"""Self-assessments: a learner rates each element of one framework on the four-level scale.
Every take is kept, so the learner can see how their ratings changed."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

LEVEL_MIN = 0
LEVEL_MAX = 3


class SelfAssessment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments"
    )
    framework = models.ForeignKey("cms.Framework", on_delete=models.PROTECT, related_name="+")
    target_level = models.PositiveSmallIntegerField(
        default=LEVEL_MAX,
        validators=[MinValueValidator(LEVEL_MIN + 1), MaxValueValidator(LEVEL_MAX)],
        help_text="The level the learner is aiming for; gaps are measured up to it.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One take in progress per framework: a second "start" resumes it.
            models.UniqueConstraint(
                fields=["user", "framework"],
                condition=Q(completed_at__isnull=True),
                name="learning_one_open_assessment_per_framework",
            ),
            models.CheckConstraint(
                condition=Q(target_level__gte=LEVEL_MIN + 1, target_level__lte=LEVEL_MAX),
                name="learning_assessment_target_on_scale",
            ),
        ]
        indexes = [
            # A member's latest finished take on a framework (district insights ask it of
            # every member at once).
            models.Index(
                fields=["user", "framework", "completed_at"], name="learning_assessment_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.framework.code} ({self.started_at:%Y-%m-%d})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class Rating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    element = models.ForeignKey("cms.FrameworkElement", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    note = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "element"], name="learning_one_rating_per_element"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="learning_rating_level_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element_id}: {self.level}"
