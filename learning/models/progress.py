"""The personal plan, pathway enrolments and step progress."""

from django.conf import settings
from django.db import models


class PlanItem(models.Model):
    """A pathway or micro-credential the learner has put in their plan, in their order."""

    class Source(models.TextChoices):
        RECOMMENDED = "recommended", "Recommended"
        CHOSEN = "chosen", "Chosen from the catalogue"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_items"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=20, choices=Source.choices)
    reason = models.TextField(blank=True, help_text="Why it was recommended, when it was.")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="learning_plan_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} in {self.user}'s plan"


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    # Kept when the page is deleted: the learner's history and reflections are theirs.
    pathway = models.ForeignKey(
        "cms.PathwayPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pathway_title = models.CharField(max_length=255, help_text="As it was when enrolling.")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "pathway"], name="learning_one_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.pathway_title}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def is_available(self) -> bool:
        """The pathway is still there and published."""
        return self.pathway is not None and self.pathway.live


class StepProgress(models.Model):
    """One step of an enrolled pathway, keyed by the step block's stable id. A reflection
    written on a reflect step is private to the learner."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="steps")
    step_id = models.CharField(max_length=64)
    completed_at = models.DateTimeField(null=True, blank=True)
    reflection = models.TextField(max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "step_id"], name="learning_step_unique")
        ]

    def __str__(self) -> str:
        return f"step {self.step_id} of {self.enrolment_id}"
