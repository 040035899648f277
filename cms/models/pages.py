from django.db import models
from django.template.loader import render_to_string
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import BodyBlock


class HomePageFeaturedPathway(Orderable):
    page = ParentalKey("cms.HomePage", on_delete=models.CASCADE, related_name="featured_pathways")
    pathway = models.ForeignKey("cms.PathwayPage", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("pathway")]


class HomePageFeaturedMicroCredential(Orderable):
    page = ParentalKey(
        "cms.HomePage", on_delete=models.CASCADE, related_name="featured_micro_credentials"
    )
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("micro_credential")]


class HomePage(Page):
    """The root of the site: what Leap offers and where to begin. Editors may choose the
    pathways and badges it features; without a choice it shows the newest (see
    `cms.selectors.home_featured_get`)."""

    intro = models.TextField(
        max_length=400, help_text="One or two sentences under the page title.", blank=True
    )
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                InlinePanel("featured_pathways", label="Pathway", max_num=3),
                InlinePanel("featured_micro_credentials", label="Micro-credential", max_num=4),
            ],
            heading="Featured (leave empty to show the newest)",
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.StandardPage",
        "cms.PathwayIndexPage",
        "cms.MicroCredentialIndexPage",
        "cms.BookIndexPage",
        "cms.FrameworkIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        # Imported here: cms.selectors reads these models (.importlinter).
        from cms.selectors import home_featured_get, public_fragments, site_figure_list

        def home() -> dict[str, str]:
            featured = {"page": self, **home_featured_get(home=self, user=request.user)}
            return {
                part: render_to_string(f"cms/home_page_{part}.html", featured, request=request)
                for part in ("art", "sections")
            }

        context = super().get_context(request, *args, **kwargs)
        # What the page features is the same for every visitor (and for everyone signed
        # in): built once until the content changes.
        context["home"] = public_fragments(request, f"home:{self.pk}", home)
        context["figures"] = site_figure_list()
        return context


class StandardPage(Page):
    """A plain page of text: about, help, accessibility statement, privacy notice."""

    intro = models.TextField(max_length=400, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = "standard page"
