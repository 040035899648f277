from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from credentials import admin_views
from credentials.models import Assertion


class IssuedBadgesPolicy(ModelPermissionPolicy):
    """Issued badges are looked at and exported here. Awarding and revoking go through the
    services (the CSV and revoke screens), never through generic add, edit or delete forms."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Assertion, IssuedBadgesPolicy(Assertion))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A value a spreadsheet shows as text: leading = + - @ would otherwise make a formula
    out of an e-mail address or a revocation reason."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class IssuedBadgeIndexView(IndexView):
    custom_field_preprocess = {
        field: {"csv": spreadsheet_safe}
        for field in ("badge_class.name", "recipient_email", "revocation_reason")
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("badge_class")


class IssuedBadgeViewSet(ModelViewSet):
    model = Assertion
    icon = "pick"
    menu_label = "Issued badges"
    name = "issued_badges"
    url_namespace = "credentials_assertion"
    inspect_view_enabled = True
    index_view_class = IssuedBadgeIndexView
    form_fields = ["is_public"]  # required by ModelViewSet; the policy never allows editing
    list_display = [
        TitleColumn(
            "badge_class",
            label="Badge",
            get_url=lambda obj: reverse("credentials:assertion", args=[obj.uuid]),
        ),
        "recipient_email",
        "issued_on",
        "expires_on",
        Column("status", label="Status", accessor="status"),
        TitleColumn(
            "revoke",
            label="",
            accessor=lambda obj: "" if obj.revoked else "Revoke…",
            get_url=lambda obj: reverse("badges_revoke", args=[obj.uuid]),
        ),
    ]
    list_filter = ["badge_class", "revoked", "issued_on", "expires_on"]
    list_export = [
        "uuid",
        "badge_class.name",
        "badge_class.version",
        "recipient_email",
        "issued_on",
        "expires_on",
        "status",
        "revoked",
        "revocation_reason",
        "is_public",
    ]
    export_filename = "issued-badges"
    search_fields = ["recipient_email", "badge_class__name"]
    search_backend_name = None  # plain database filtering: nothing to index
    ordering = ["-issued_on"]


class BadgesGroup(ViewSetGroup):
    menu_label = "Badges"
    menu_icon = "pick"
    menu_order = 260
    items = (IssuedBadgeViewSet,)


@hooks.register("register_admin_viewset")
def register_badges():
    return BadgesGroup()


@hooks.register("register_admin_urls")
def badge_admin_urls():
    return [
        path("badges/revoke/<uuid:uuid>/", admin_views.revoke, name="badges_revoke"),
        path("badges/award-from-csv/", admin_views.award_from_csv, name="badges_award_from_csv"),
    ]


class AwardFromCsvMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("credentials.award_assertion")


@hooks.register("register_admin_menu_item")
def award_from_csv_menu_item():
    return AwardFromCsvMenuItem(
        "Award badges from CSV", reverse("badges_award_from_csv"), icon_name="upload", order=261
    )
