"""Published frameworks Leap maps its content to, and the self-assessment scale.

Codes are natural keys: seeding matches on them and never overwrites an editor's rows.

Frameworks, categories and elements go through moderation like pages: an edit is a draft
revision until it is published, and the row itself holds what is live. So learners and the
public read the rows of live objects only (`.live()`), never a draft: a changed element
weight moves every learner's recommendations only once a content reviewer publishes it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index


class Status(models.TextChoices):
    VERIFIED = "verified", "Verified"
    PARTIAL = "partial", "Partly verified"
    RECONSTRUCTED = "reconstructed", "Leap's breakdown"


# Codes appear in URLs (the explorer, Open Badges alignments): letters, digits, dots, hyphens.
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "Use letters, digits, dots and hyphens only, e.g. CTO-2 or 2.7.",
)

STATUS_HELP = (
    "Verified: the publisher's own name and place. Partly verified: one detail rests on a "
    "single source. Leap's breakdown: not published by the framework's owner; shown as Leap's."
)


# The levels of the self-assessment scale that each element describes (AssessmentLevel values).
DESCRIPTOR_LEVELS = (0, 1, 2, 3)


class FrameworkQuerySet(models.QuerySet):
    def live(self):
        """Published frameworks (a new one is a draft until a content reviewer publishes it)."""
        return self.filter(live=True)

    def with_element_counts(self):
        """`rated_count`: the published elements a learner rates in the self-assessment;
        `unrated_count`: published ones they do not (such as the CTO core values). The
        explorer and the self-assessment both count this way, so they give one number."""
        return self.annotate(
            rated_count=models.Count(
                "elements", filter=models.Q(elements__live=True, elements__is_assessed=True)
            ),
            unrated_count=models.Count(
                "elements", filter=models.Q(elements__live=True, elements__is_assessed=False)
            ),
        )


class InFrameworkQuerySet(models.QuerySet):
    def live(self):
        """Published, in a published framework: what learners and the public may see."""
        return self.filter(live=True, framework__live=True)


class CrosswalkQuerySet(models.QuerySet):
    def live(self):
        """Links whose two elements learners and the public may see."""
        return self.filter(
            source__live=True,
            source__framework__live=True,
            target__live=True,
            target__framework__live=True,
        )


class Moderated(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """Drafts, locking, revisions and the moderation workflow, in the order Wagtail needs."""

    class Meta:
        abstract = True


class Framework(Moderated, index.Indexed, models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text="Stable key, e.g. CTO.")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True, help_text="e.g. “CoSN CTO”.")
    publisher = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=200, blank=True)
    scope = models.CharField(
        max_length=120, blank=True, help_text="Who or what is assessed, e.g. “individual leader”."
    )
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    objects = FrameworkQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldPanel("code"),
        MultiFieldPanel(
            [FieldPanel("publisher"), FieldPanel("version"), FieldPanel("scope")],
            heading="Source",
        ),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("publisher"),
        index.FilterField("code"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class FrameworkCategory(Moderated, index.Indexed, models.Model):
    """A grouping of elements. Categories nest (the Digital Leap matrix: category → area)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.VERIFIED, help_text=STATUS_HELP
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    objects = InFrameworkQuerySet.as_manager()

    panels = [
        FieldPanel("framework"),
        FieldPanel("parent"),
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("weight"),
        FieldPanel("status"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("framework"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["framework__sort_order", "sort_order", "code"]
        verbose_name_plural = "framework categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        parent = self.parent
        if parent is None:
            return
        if parent.framework_id != self.framework_id:
            raise ValidationError({"parent": "Choose a parent category of the same framework."})
        seen = set()
        while parent is not None:
            if parent.pk == self.pk or parent.pk in seen:
                raise ValidationError({"parent": "A category cannot sit inside itself."})
            seen.add(parent.pk)
            parent = parent.parent


class FrameworkElement(Moderated, index.Indexed, models.Model):
    """What a learner rates themself against and content is aligned to."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    category = models.ForeignKey(
        FrameworkCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elements",
    )
    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(
        default=10, help_text="Relative importance within its framework (used to rank gaps)."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.VERIFIED, help_text=STATUS_HELP
    )
    is_assessed = models.BooleanField(
        default=True,
        help_text="Untick for cross-cutting items (such as the CTO core values) "
        "that learners do not rate.",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)
    # What each level of the self-assessment scale looks like for this element: the
    # learner reads them as the choices when rating themself.
    descriptor_0 = models.TextField("level 0 (Not evident) looks like", max_length=300, blank=True)
    descriptor_1 = models.TextField("level 1 (Emerging) looks like", max_length=300, blank=True)
    descriptor_2 = models.TextField("level 2 (Established) looks like", max_length=300, blank=True)
    descriptor_3 = models.TextField("level 3 (Exemplary) looks like", max_length=300, blank=True)

    objects = InFrameworkQuerySet.as_manager()

    panels = [
        FieldPanel("framework"),
        FieldPanel("category"),
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("weight"),
        FieldPanel("status"),
        FieldPanel("is_assessed"),
        MultiFieldPanel(
            [FieldPanel(f"descriptor_{value}") for value in DESCRIPTOR_LEVELS],
            heading="What each level looks like",
            help_text="Learners read these as the choices when they rate themselves on this "
            "element. One or two plain sentences each, about practice a teacher would "
            "recognise. Left empty, the scale's general description is shown.",
        ),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.SearchField("description"),
        index.FilterField("framework"),
        index.FilterField("status"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["framework__sort_order", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def descriptor(self, value: int) -> str:
        """What level `value` looks like for this element ("" when an editor left it empty)."""
        return getattr(self, f"descriptor_{value}", "") if value in DESCRIPTOR_LEVELS else ""

    @property
    def shown_to_learners(self) -> bool:
        """Published, in a published framework (the instance form of `.live()`)."""
        return self.live and self.framework.live

    @property
    def is_reconstructed(self) -> bool:
        return self.status == Status.RECONSTRUCTED

    @property
    def url_key(self) -> str:
        """The code as it appears in explorer URLs ("2.7" → "2-7": Wagtail's page URLs
        allow only letters, digits, hyphens and underscores)."""
        return self.code.replace(".", "-")

    def clean(self) -> None:
        if self.category_id and self.category.framework_id != self.framework_id:
            raise ValidationError({"category": "Choose a category of the same framework."})


class Crosswalk(models.Model):
    """A link between elements of two frameworks, e.g. a revised ISTE condition that covers
    three of the original fourteen."""

    class Relation(models.TextChoices):
        COVERS = "covers", "covers"
        CORRESPONDS = "corresponds", "corresponds to"

    source = models.ForeignKey(
        FrameworkElement, on_delete=models.CASCADE, related_name="crosswalks_from"
    )
    target = models.ForeignKey(
        FrameworkElement, on_delete=models.CASCADE, related_name="crosswalks_to"
    )
    relation = models.CharField(max_length=20, choices=Relation.choices)
    note = models.CharField(max_length=255, blank=True)

    objects = CrosswalkQuerySet.as_manager()

    panels = [
        FieldPanel("source"),
        FieldPanel("relation"),
        FieldPanel("target"),
        FieldPanel("note"),
    ]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="cms_crosswalk_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source.code} {self.get_relation_display()} {self.target.code}"

    def clean(self) -> None:
        if (
            self.source_id
            and self.target_id
            and self.source.framework_id == self.target.framework_id
        ):
            raise ValidationError("A crosswalk links elements of two different frameworks.")


class AssessmentLevel(models.Model):
    """One step of the four-level self-assessment scale (0 Not evident … 3 Exemplary)."""

    value = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=255)

    panels = [FieldPanel("value"), FieldPanel("name"), FieldPanel("description")]

    class Meta:
        ordering = ["value"]

    def __str__(self) -> str:
        return f"{self.value} {self.name}"


class AudienceRole(models.Model):
    """Who a pathway or micro-credential is written for; also the roles learners choose."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=100)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name
