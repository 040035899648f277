import json

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.audit import export_record
from accounts.forms import AccountByEmailField
from accounts.reauthentication import RecentAuthenticationRequiredMixin as Recent
from accounts.reauthentication import authenticated_recently
from cms.spreadsheets import spreadsheet_safe
from credentials.models import Assertion, BadgeClass, PoolMember, ReviewerPool
from credentials.services.review import pool_member_add, pool_member_update
from credentials.views import admin as admin_views


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


class EstimatingPaginator(WagtailPaginator):
    """Counts a listing exactly up to EXACT_UP_TO rows and, past that on PostgreSQL, takes the
    planner's estimate and says "about" it. Counting a million badges exactly took longer
    than the rest of the page (65 ms of 110) and grew with rows nobody was shown; a count
    capped at EXACT_UP_TO reads at most that many. Page numbers past an estimate's end can
    be empty, and rows past it are reached by narrowing the list or reversing its order."""

    EXACT_UP_TO = 10_000

    approximate = False  # the count is the planner's estimate
    at_least = False  # the estimate fell short of the rows already counted

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        unordered = queryset.order_by()
        counted = unordered[: self.EXACT_UP_TO + 1].count()
        if counted <= self.EXACT_UP_TO:
            return counted
        self.approximate = True
        plan = json.loads(unordered.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate < counted:
            self.at_least = True
            return counted
        return int(float(f"{estimate:.2g}"))  # two figures: no more is known

    @cached_property
    def count_text(self) -> str:
        if self.at_least:
            return f"more than {intcomma(self.EXACT_UP_TO)}"
        if self.approximate:
            return f"about {intcomma(self.count)}"
        return intcomma(self.count)

    @cached_property
    def items_count_label(self):
        if not self.approximate:
            return super().items_count_label
        return f"{self.count_text} {self.verbose_name_plural}"


class IssuedBadgeIndexView(IndexView):
    custom_field_preprocess = {
        field: {"csv": spreadsheet_safe}
        for field in ("badge_class.name", "recipient_email", "revocation_reason")
    }
    paginator_class = EstimatingPaginator

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("badge_class")

    def search_queryset(self, queryset):
        """Badges whose recipient's e-mail address or badge name holds the words searched
        for, as Wagtail's own search on `search_fields` finds them, but asked so that
        PostgreSQL can use an index for each half: the e-mail's trigram index (migration
        0020) and the badge class's. Badge classes are few, so their ids are read first;
        a condition on the joined name instead would make it read every badge."""
        if not self.is_searching:
            return queryset
        words = self.search_query
        badge_classes = list(
            BadgeClass.objects.filter(name__icontains=words).order_by().values_list("pk", flat=True)
        )
        return queryset.filter(
            Q(recipient_email__icontains=words) | Q(badge_class__in=badge_classes)
        )

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not authenticated_recently(self.request):
            raise ReauthenticationRequired()
        filters = {k: v for k, v in self.request.GET.lists() if k != "export"}
        export_record(
            what=f"Issued badges ({spreadsheet_format.upper()})",
            details={"format": spreadsheet_format, "filters": filters},
        )
        return super().as_spreadsheet(Streamed(queryset), spreadsheet_format)


class Streamed:
    """A queryset that an export reads as it writes, EXPORT_CHUNK rows at a time, so a
    download of a million badges holds a few thousand in memory, never all of them."""

    EXPORT_CHUNK = 2000

    def __init__(self, queryset):
        self.queryset = queryset

    def __getattr__(self, name):
        return getattr(self.queryset, name)

    def __iter__(self):
        return self.queryset.iterator(chunk_size=self.EXPORT_CHUNK)


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
            get_url=lambda obj: reverse("credentials_assertion:revoke", args=[obj.uuid]),
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
    search_fields = ["recipient_email", "badge_class__name"]  # see IssuedBadgeIndexView
    search_backend_name = None  # plain database filtering: nothing to index
    ordering = ["-issued_on"]
    index_results_template_name = "credentials/admin/issued_badges_results.html"

    def get_urlpatterns(self):
        # Revoking and bulk awarding are this viewset's own screens; both call services.
        return [
            *super().get_urlpatterns(),
            path("revoke/<uuid:uuid>/", admin_views.revoke, name="revoke"),
            path("award-from-csv/", admin_views.award_from_csv, name="award_from_csv"),
            path("award-from-csv/<uuid:uuid>/", admin_views.award_job, name="award_job"),
        ]


class AwardFromCsvMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("credentials.award_assertion")


class BadgesGroup(ViewSetGroup):
    menu_label = "Badges"
    menu_icon = "pick"
    menu_order = 260
    items = (IssuedBadgeViewSet,)
    submenu_hook = "register_badges_menu_item"


@hooks.register("register_badges_menu_item")
def award_from_csv_menu_item():
    return AwardFromCsvMenuItem(
        "Award badges from CSV",
        reverse("credentials_assertion:award_from_csv"),
        icon_name="upload",
        order=10,
    )


@hooks.register("register_admin_viewset")
def register_badges():
    return BadgesGroup()


# Reviewer pools: staff create pools (for one micro-credential or for all) and add people.


class ReviewerPoolIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("micro_credential")
            .annotate(active_members=Count("members", filter=Q(members__is_active=True)))
        )


class ReviewerPoolViewSet(ModelViewSet):
    model = ReviewerPool
    icon = "group"
    menu_label = "Reviewer pools"
    name = "reviewer_pools"
    url_namespace = "credentials_reviewer_pool"
    index_view_class = ReviewerPoolIndexView
    panels = [FieldPanel("name"), FieldPanel("micro_credential")]
    list_display = [
        TitleColumn("name", label="Pool", url_name="credentials_reviewer_pool:edit"),
        Column(
            "micro_credential",
            label="Reviews",
            accessor=lambda pool: (
                pool.micro_credential.title if pool.micro_credential else "All micro-credentials"
            ),
        ),
        TitleColumn(
            "active_members",
            label="Active members",
            get_url=lambda pool: reverse("credentials_pool_member:index") + f"?pool={pool.pk}",
        ),
    ]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["name"]


class PoolMemberAddForm(WagtailAdminModelForm):
    """Adding someone goes through `pool_member_add`: leads, and members of a pool with no
    exemplars yet, start calibrated; everyone else scores the exemplars first. Adding a
    former member makes them active again."""

    email = AccountByEmailField(label="Reviewer's e-mail address")

    class Meta:
        model = PoolMember
        fields = ["pool", "email", "is_lead"]

    def clean(self):
        cleaned = super().clean()
        reviewer, pool = cleaned.get("email"), cleaned.get("pool")
        if reviewer and pool and pool.members.filter(user=reviewer, is_active=True).exists():
            self.add_error("email", f"{reviewer} is already an active member of {pool}.")
        return cleaned

    def save(self, commit=True):
        self.instance = pool_member_add(
            pool=self.cleaned_data["pool"],
            user=self.cleaned_data["email"],
            is_lead=self.cleaned_data["is_lead"],
        )
        return self.instance


class PoolMemberEditForm(WagtailAdminModelForm):
    class Meta:
        model = PoolMember
        fields = ["is_lead", "is_active"]

    def save(self, commit=True):
        # Through the service: a new lead is calibrated, and a member taken out of the pool
        # hands their open work to other reviewers at once.
        self.instance = pool_member_update(
            member=self.instance,
            is_lead=self.cleaned_data["is_lead"],
            is_active=self.cleaned_data["is_active"],
        )
        return self.instance


class PoolMemberCreateView(Recent, CreateView):
    def get_initial(self):
        # "?pool=<id>" from a pool's member list picks that pool.
        initial = super().get_initial()
        if (pool := self.request.GET.get("pool", "")).isdigit():
            initial["pool"] = pool
        return initial


class PoolMemberEditView(Recent, EditView):
    pass


class PoolMemberDeleteView(Recent, DeleteView):
    pass


class PoolMemberIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "pool")


class PoolMemberViewSet(ModelViewSet):
    model = PoolMember
    icon = "user"
    menu_label = "Pool members"
    name = "reviewer_pool_members"
    url_namespace = "credentials_pool_member"
    index_view_class = PoolMemberIndexView
    add_view_class = PoolMemberCreateView
    edit_view_class = PoolMemberEditView
    delete_view_class = PoolMemberDeleteView
    list_display = [
        TitleColumn(
            "user",
            label="Reviewer",
            accessor=lambda member: f"{member.user} ({member.user.email})",
            url_name="credentials_pool_member:edit",
        ),
        "pool",
        BooleanColumn("is_lead", label="Lead"),
        BooleanColumn("is_active", label="Active"),
        Column(
            "calibrated_at",
            label="Calibrated",
            accessor=lambda member: (
                member.calibrated_at.date() if member.calibrated_at else "not yet"
            ),
        ),
    ]
    list_filter = ["pool", "is_lead", "is_active"]
    search_fields = ["user__email", "user__display_name"]
    search_backend_name = None
    ordering = ["pool__name", "user__display_name"]

    def get_form_class(self, for_update=False):
        return PoolMemberEditForm if for_update else PoolMemberAddForm


class ReviewingGroup(ViewSetGroup):
    menu_label = "Reviewing"
    menu_icon = "group"
    menu_order = 262
    items = (ReviewerPoolViewSet, PoolMemberViewSet)


@hooks.register("register_admin_viewset")
def register_reviewing():
    return ReviewingGroup()
