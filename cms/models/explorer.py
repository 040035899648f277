from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from .frameworks import Framework, FrameworkElement


class FrameworkIndexPage(RoutablePageMixin, Page):
    """The public framework explorer: every framework, its categories and elements, and
    for each element the pathways, micro-credentials and books aligned to it."""

    intro = models.TextField(max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = "framework explorer"

    @path("")
    def framework_list(self, request):
        # Imported here: cms.selectors reads these models (see .importlinter).
        from cms.selectors import framework_list

        return self.render(request, context_overrides={"frameworks": framework_list()})

    @path("<slug:framework_code>/", name="framework")
    def framework_detail(self, request, framework_code: str):
        # Imported here: cms.selectors reads these models (see .importlinter).
        from cms.selectors import framework_explorer_get, public_fragments

        framework = get_object_or_404(Framework.objects.live(), code=framework_code)

        def body() -> dict[str, str]:
            contents = framework_explorer_get(
                framework=framework, user=request.user, explorer=self, request=request
            )
            return {
                "body": render_to_string(
                    "cms/framework_detail_body.html",
                    {"page": self, "framework": framework, **contents},
                    request=request,
                )
            }

        # Every visitor (and every signed-in person) sees a framework alike: built once
        # until the content changes.
        return self.render(
            request,
            template="cms/framework_detail.html",
            context_overrides={
                "framework": framework,
                **public_fragments(request, f"explorer:{framework.pk}", body),
            },
        )

    @path("<slug:framework_code>/<slug:element_key>/", name="element")
    def element_detail(self, request, framework_code: str, element_key: str):
        # Imported here: cms.selectors reads these models (see .importlinter).
        from cms.selectors import element_explorer_get

        elements = (
            FrameworkElement.objects.live()
            .select_related("framework", "category", "category__parent")
            .filter(framework__code=framework_code)
        )
        element = next((e for e in elements if e.url_key == element_key), None)
        if element is None:
            raise Http404("No such framework element.")
        return self.render(
            request,
            template="cms/framework_element.html",
            context_overrides={
                "element": element,
                **element_explorer_get(element=element, user=request.user, request=request),
            },
        )

    def framework_url(self, framework: Framework, request=None) -> str:
        return self._base_url(request) + self.reverse_subpage("framework", args=[framework.code])

    def element_url(self, element: FrameworkElement, request=None) -> str:
        return self._base_url(request) + self.reverse_subpage(
            "element", args=[element.framework.code, element.url_key]
        )

    def _base_url(self, request) -> str:
        """This page's URL as {% routablepageurl %} begins its links (relative on the
        visitor's own site), worked out once per request however many links use it."""
        url = getattr(request, "_leap_explorer_url", None)
        if url is None:
            url = self.get_url(request)
            if not url.endswith("/"):
                url += "/"
            if request is not None:
                request._leap_explorer_url = url
        return url
