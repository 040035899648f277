from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import (
    AssessmentLevel,
    AudienceRole,
    Crosswalk,
    Framework,
    FrameworkCategory,
    FrameworkElement,
)


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "table"
    menu_label = "Frameworks"
    list_display = ["name", "code", "publisher", "version"]
    ordering = ["sort_order", "name"]


class FrameworkCategoryViewSet(SnippetViewSet):
    model = FrameworkCategory
    icon = "folder-open-inverse"
    menu_label = "Categories"
    list_display = ["code", "name", "framework", "parent", "status"]
    list_filter = ["framework", "status"]


class FrameworkElementViewSet(SnippetViewSet):
    model = FrameworkElement
    icon = "tick-inverse"
    menu_label = "Elements"
    list_display = ["code", "name", "framework", "category", "weight", "status"]
    list_filter = ["framework", "status", "is_assessed"]
    list_per_page = 50


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
