"""Framework snippets under "Frameworks". Frameworks, categories and elements have drafts,
locking and the moderation workflow (see `cms.services.editorial_workflow_ensure`); their
listings show each one's status, and the element chooser offers published elements only."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import (
    AssessmentLevel,
    AudienceRole,
    Crosswalk,
    Framework,
    FrameworkCategory,
    FrameworkElement,
)


class PublishedElementsMixin:
    """Pages and crosswalks align to published elements only: a draft is not shown to
    learners (the alignment fields refuse one too, through `limit_choices_to`)."""

    def get_object_list(self):
        # `.live()` spelled with filter fields the search backend can apply to a search.
        return (
            super()
            .get_object_list()
            .filter(live=True, framework__in=Framework.objects.live())
            .select_related("framework")
        )


class PublishedElementChooseView(PublishedElementsMixin, ChooseView):
    pass


class PublishedElementChooseResultsView(PublishedElementsMixin, ChooseResultsView):
    pass


class PublishedElementChooserViewSet(SnippetChooserViewSet):
    choose_view_class = PublishedElementChooseView
    choose_results_view_class = PublishedElementChooseResultsView


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "table"
    menu_label = "Frameworks"
    list_display = ["name", "code", "publisher", "version"]
    list_filter = ["live"]
    ordering = ["sort_order", "name"]


class FrameworkCategoryViewSet(SnippetViewSet):
    model = FrameworkCategory
    icon = "folder-open-inverse"
    menu_label = "Categories"
    list_display = ["code", "name", "framework", "parent", "status"]
    list_filter = ["framework", "status", "live"]

    def get_queryset(self, request):
        return FrameworkCategory.objects.select_related("framework", "parent")


class FrameworkElementViewSet(SnippetViewSet):
    model = FrameworkElement
    icon = "tick-inverse"
    menu_label = "Elements"
    # The weight shown is the published one; a changed weight waits in its draft.
    list_display = ["code", "name", "framework", "category", "weight", "status"]
    list_filter = ["framework", "status", "is_assessed", "live"]
    list_per_page = 50
    chooser_viewset_class = PublishedElementChooserViewSet

    def get_queryset(self, request):
        return FrameworkElement.objects.select_related("framework", "category")


class CrosswalkViewSet(SnippetViewSet):
    model = Crosswalk
    icon = "resubmit"
    menu_label = "Crosswalks"
    list_display = ["source", "relation", "target", "note"]
    list_filter = ["relation", "source__framework", "target__framework"]


class AssessmentLevelViewSet(SnippetViewSet):
    model = AssessmentLevel
    icon = "order"
    menu_label = "Self-assessment scale"
    list_display = ["value", "name", "description"]


class AudienceRoleViewSet(SnippetViewSet):
    model = AudienceRole
    icon = "user"
    menu_label = "Audience roles"
    list_display = ["name", "code"]


class FrameworksGroup(SnippetViewSetGroup):
    menu_label = "Frameworks"
    menu_icon = "table"
    menu_order = 250
    items = (
        FrameworkViewSet,
        FrameworkCategoryViewSet,
        FrameworkElementViewSet,
        CrosswalkViewSet,
        AssessmentLevelViewSet,
        AudienceRoleViewSet,
    )


register_snippet(FrameworksGroup)
