"""The catalogue editors author: pathways, micro-credentials and books, each aligned to
framework elements, and the index pages that list them."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms import blocks
from cms.validators import badge_image_problem, normalise_isbn, validate_isbn

from .frameworks import FrameworkElement

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul"]


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


def hours_field(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
        help_text=help_text,
    )


# Alignments: an ordered list of framework elements per page, chosen with the snippet chooser,
# which offers published elements only (a draft one is not shown to learners yet). The field
# itself does not limit the choice: an alignment to an element unpublished later must not stop
# editors saving the page, and learners' reads leave such an element out anyway.


class Alignment(Orderable):
    panels = [FieldPanel("element")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self) -> str:
        return str(self.element)


class PathwayAlignment(Alignment):
    page = ParentalKey("cms.PathwayPage", on_delete=models.CASCADE, related_name="alignments")
    element = models.ForeignKey(
        FrameworkElement,
        on_delete=models.CASCADE,
        related_name="pathway_alignments",
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "element"], name="cms_pathway_alignment_unique")
        ]


class MicroCredentialAlignment(Alignment):
    page = ParentalKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="alignments"
    )
    element = models.ForeignKey(
        FrameworkElement,
        on_delete=models.CASCADE,
        related_name="micro_credential_alignments",
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["page", "element"], name="cms_micro_credential_alignment_unique"
            )
        ]


class BookAlignment(Alignment):
    page = ParentalKey("cms.BookPage", on_delete=models.CASCADE, related_name="alignments")
    element = models.ForeignKey(
        FrameworkElement,
        on_delete=models.CASCADE,
        related_name="book_alignments",
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "element"], name="cms_book_alignment_unique")
        ]


class AlignedPage(Page):
    """Shared behaviour of pages aligned to framework elements."""

    is_creatable = False

    class Meta:
        abstract = True

    @cached_property
    def aligned_elements(self) -> list[FrameworkElement]:
        """Published elements in editor's order, each with its framework, in one query (none
        when prefetched)."""
        alignments = self.alignments.all()
        if "alignments" not in getattr(self, "_prefetched_objects_cache", {}):
            alignments = alignments.select_related("element__framework")
        return [a.element for a in alignments if a.element.shown_to_learners]

    @cached_property
    def prerequisite_pages(self) -> list[Page]:
        """Live prerequisites only: a draft is never shown to learners."""
        return [
            prerequisite.required_page
            for prerequisite in self.prerequisites.filter(required_page__live=True).select_related(
                "required_page"
            )
        ]

    @property
    def kind_label(self) -> str:
        return str(self._meta.verbose_name).capitalize()

    @property
    def listing_text(self) -> str:
        """A sentence or two for listings and search results."""
        raise NotImplementedError


# Pathways.


class PathwayPrerequisite(Orderable):
    page = ParentalKey("cms.PathwayPage", on_delete=models.CASCADE, related_name="prerequisites")
    required_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="pathway or micro-credential",
    )

    panels = [FieldPanel("required_page")]

    def clean(self) -> None:
        if self.required_page_id and self.required_page_id == self.page_id:
            raise ValidationError({"required_page": "A pathway cannot require itself."})
        specific = self.required_page.specific_class if self.required_page_id else None
        if specific is not None and specific not in (PathwayPage, MicroCredentialPage):
            raise ValidationError(
                {"required_page": "Choose a pathway or a micro-credential as a prerequisite."}
            )


class PathwayPage(AlignedPage):
    """A guided sequence of steps toward a goal, ending (often) in micro-credentials."""

    summary = models.TextField(max_length=600, help_text="Two or three sentences for listings.")
    audience_roles = ParentalManyToManyField(
        "cms.AudienceRole", blank=True, related_name="pathways"
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.INTRODUCTORY)
    outcomes = StreamField(
        [("outcome", blocks.blocks.CharBlock(max_length=250, icon="tick"))],
        blank=True,
        help_text="What learners will be able to do afterwards, one per line.",
    )
    estimated_hours = hours_field("Time to complete every required step.")
    steps = StreamField(blocks.PathwayStepsBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("audience_roles", widget=forms.CheckboxSelectMultiple),
                FieldPanel("level"),
                FieldPanel("estimated_hours"),
            ],
            heading="Who and how long",
        ),
        FieldPanel("outcomes"),
        InlinePanel("alignments", heading="Aligned framework elements", label="Element"),
        InlinePanel("prerequisites", heading="Prerequisites", label="Prerequisite"),
        FieldPanel("steps"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("outcomes"),
        index.SearchField("steps"),
        index.FilterField("level"),
    ]

    parent_page_types = ["cms.PathwayIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "pathway"

    @property
    def listing_text(self) -> str:
        return self.summary

    @property
    def required_step_count(self) -> int:
        return sum(1 for step in self.steps if step.value.get("required"))


# Micro-credentials.


class MicroCredentialPrerequisite(Orderable):
    page = ParentalKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="prerequisites"
    )
    required_page = models.ForeignKey(
        "cms.MicroCredentialPage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="micro-credential",
    )

    panels = [FieldPanel("required_page")]


class MicroCredentialPageForm(WagtailAdminPageForm):
    """Drafts may be incomplete; publishing (or submitting for review) needs a complete
    micro-credential: at least one requirement and one rubric criterion."""

    def clean(self):
        cleaned = super().clean()
        if not self.is_deferred_validation:
            if not cleaned.get("requirements"):
                self.add_error(
                    "requirements",
                    "Add at least one submission requirement before publishing.",
                )
            if not cleaned.get("rubric"):
                self.add_error("rubric", "Add at least one rubric criterion before publishing.")
        return cleaned


class MicroCredentialPage(AlignedPage):
    """A micro-credential after the Digital Promise model: one competency, a key method,
    evidence requirements and a public rubric. Every criterion must be met to earn it."""

    competency = models.TextField(max_length=600, help_text="The one competency it recognises.")
    key_method = models.TextField(
        max_length=1200, help_text="The method the educator uses to show the competency."
    )
    method_components = StreamField([("component", blocks.MethodComponentBlock())], blank=True)
    supporting_research = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    resources = StreamField([("resource", blocks.ResourceBlock())], blank=True)
    requirements = StreamField(
        blocks.RequirementsBlock(), blank=True, verbose_name="submission requirements"
    )
    rubric = StreamField(
        [("criterion", blocks.RubricCriterionBlock())],
        blank=True,
        help_text="Evidence earns the badge only when every criterion meets.",
    )
    audience_roles = ParentalManyToManyField(
        "cms.AudienceRole", blank=True, related_name="micro_credentials"
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.INTERMEDIATE)
    pd_hours = hours_field("Professional-development hours credited when earned.")
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long the badge stays valid; leave empty if it never expires.",
    )
    badge_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A square PNG of at least 400 × 400 pixels, or an SVG.",
    )
    reviewers_required = models.PositiveSmallIntegerField(
        choices=[(1, "One reviewer"), (2, "Two reviewers (a lead settles a split)")],
        default=1,
    )
    attempt_limit = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Submissions a learner may make before a lead reviewer or district admin "
        "has to allow another.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("competency"),
        FieldPanel("key_method"),
        FieldPanel("method_components"),
        FieldPanel("supporting_research"),
        FieldPanel("resources"),
        FieldPanel("requirements"),
        FieldPanel("rubric"),
        MultiFieldPanel(
            [
                FieldPanel("audience_roles", widget=forms.CheckboxSelectMultiple),
                FieldPanel("level"),
                FieldPanel("pd_hours"),
                FieldPanel("validity_months"),
                FieldPanel("badge_image"),
                FieldPanel("reviewers_required"),
                FieldPanel("attempt_limit"),
            ],
            heading="Credential",
        ),
        InlinePanel("alignments", heading="Aligned framework elements", label="Element"),
        InlinePanel("prerequisites", heading="Stackable prerequisites", label="Prerequisite"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("competency"),
        index.SearchField("key_method"),
        index.SearchField("supporting_research"),
        index.FilterField("level"),
    ]

    base_form_class = MicroCredentialPageForm
    parent_page_types = ["cms.MicroCredentialIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "micro-credential"

    @property
    def listing_text(self) -> str:
        return self.competency

    def _check_prerequisite_cycle(self) -> None:
        """No micro-credential may require itself, directly or through others."""
        if not self.pk:
            return
        pending = [p.required_page_id for p in self.prerequisites.all()]
        seen = set()
        while pending:
            page_id = pending.pop()
            if page_id == self.pk:
                raise ValidationError(
                    "These prerequisites would make the micro-credential require itself."
                )
            if page_id in seen:
                continue
            seen.add(page_id)
            pending.extend(
                MicroCredentialPrerequisite.objects.filter(page_id=page_id).values_list(
                    "required_page_id", flat=True
                )
            )

    def clean(self) -> None:
        super().clean()
        # The form says this per field; this also covers publishing without the form (bulk
        # actions, publishing a revision from code). A new page is still being created (its
        # `live` is only a default then), so it is left to the form.
        if self.pk and self.live and (not self.requirements or not self.rubric):
            raise ValidationError(
                "A micro-credential needs at least one submission requirement and one rubric "
                "criterion before it can be published."
            )
        self._check_prerequisite_cycle()
        if self.badge_image_id:
            problem = badge_image_problem(self.badge_image)
            if problem:
                raise ValidationError({"badge_image": problem})


# Books.


class BookPage(AlignedPage):
    """A professional book for self-study or a district book club."""

    authors = models.CharField(max_length=255, help_text="As on the cover, e.g. “A. Ng, B. Cole”.")
    publisher = models.CharField(max_length=150, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    isbn = models.CharField(
        "ISBN",
        max_length=17,
        blank=True,
        validators=[validate_isbn],
        help_text="ISBN-10 or ISBN-13, with or without hyphens.",
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = RichTextField(features=RICH_TEXT_FEATURES)
    sections = StreamField([("section", blocks.BookSectionBlock())], blank=True)
    audience_roles = ParentalManyToManyField("cms.AudienceRole", blank=True, related_name="books")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.INTRODUCTORY)
    suggested_pd_hours = hours_field("Suggested credit for a book club on this book.")

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("authors"),
                FieldPanel("publisher"),
                FieldPanel("year"),
                FieldPanel("isbn"),
                FieldPanel("cover_image"),
            ],
            heading="Book",
        ),
        FieldPanel("summary"),
        FieldPanel("sections"),
        MultiFieldPanel(
            [
                FieldPanel("audience_roles", widget=forms.CheckboxSelectMultiple),
                FieldPanel("level"),
                FieldPanel("suggested_pd_hours"),
            ],
            heading="Who and how long",
        ),
        InlinePanel("alignments", heading="Aligned framework elements", label="Element"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("authors"),
        index.SearchField("summary"),
        index.SearchField("sections"),
        index.FilterField("level"),
    ]

    parent_page_types = ["cms.BookIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "book"

    @property
    def listing_text(self) -> str:
        return Truncator(strip_tags(self.summary)).words(40)

    def clean(self) -> None:
        super().clean()
        if self.isbn:
            self.isbn = normalise_isbn(self.isbn)


# Index pages.


class CatalogueIndexPage(Page):
    """Lists its live children, filtered by element, audience and level, 12 to a page."""

    intro = models.TextField(max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    child_model: type[AlignedPage]
    per_page = 12
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    is_creatable = False

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        # Imported here: the filter form and cms.selectors read these models (.importlinter).
        from cms.forms import CatalogueFilterForm
        from cms.selectors import catalogue_item_list

        context = super().get_context(request, *args, **kwargs)
        form = CatalogueFilterForm(request.GET or None)
        form.is_valid()  # the fields that did validate still filter; the rest are reported
        filters = getattr(form, "cleaned_data", {})
        items = catalogue_item_list(
            model=self.child_model, parent=self, user=request.user, **filters
        )
        paginator = Paginator(items, self.per_page)
        context["filter_form"] = form
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["items"] = context["page_obj"].object_list
        return context


class PathwayIndexPage(CatalogueIndexPage):
    child_model = PathwayPage
    subpage_types = ["cms.PathwayPage"]
    is_creatable = True

    class Meta:
        verbose_name = "pathway index page"


class MicroCredentialIndexPage(CatalogueIndexPage):
    child_model = MicroCredentialPage
    subpage_types = ["cms.MicroCredentialPage"]
    is_creatable = True

    class Meta:
        verbose_name = "micro-credential index page"


class BookIndexPage(CatalogueIndexPage):
    child_model = BookPage
    subpage_types = ["cms.BookPage"]
    is_creatable = True

    class Meta:
        verbose_name = "book index page"
