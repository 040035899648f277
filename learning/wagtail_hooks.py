"""Platform staff run districts in the Wagtail admin, under "Districts": districts, their
e-mail domains and schools, memberships, and the PD-credit ledger (read only). Who may do
what is Wagtail's model permissions (superusers, or staff granted the learning models'
permissions). District admins run their own district at /district/<slug>/.

Memberships are added and changed through `learning.services` (`membership_add`,
`membership_update`), never by a plain model form, so the one-active-admin rule holds here
too. Districts and memberships are deactivated, never deleted: people's records stay."""

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic.models import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.errors import LeapError
from accounts.forms import AccountByEmailField
from learning.models import CreditEntry, District, DistrictDomain, Membership, School
from learning.permissions import is_platform_staff
from learning.services import membership_add, membership_update


class RefusingPolicy(ModelPermissionPolicy):
    """Model permissions, except for the actions in `refused`, which nobody may take here."""

    refused: frozenset[str] = frozenset()

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class KeptOnRecordPolicy(RefusingPolicy):
    """Districts and memberships are deactivated, not deleted: a district's people, their
    invitations and its badge issuer refer to it."""

    refused = frozenset({"delete"})


class LedgerPolicy(RefusingPolicy):
    """The ledger is written by the services (a pathway finished, a badge earned or
    revoked); staff read it here and can see voided entries."""

    refused = frozenset({"add", "change", "delete"})


register_permission_policy(District, KeptOnRecordPolicy(District))
register_permission_policy(Membership, KeptOnRecordPolicy(Membership))
register_permission_policy(CreditEntry, LedgerPolicy(CreditEntry))


def _count_per_district(queryset) -> Coalesce:
    """A correlated count per district (no join fan-out between several counts)."""
    return Coalesce(
        Subquery(
            queryset.filter(district=OuterRef("pk"))
            .order_by()
            .values("district")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def _filtered_list(url_name: str, district: District) -> str:
    return f"{reverse(url_name)}?district={district.pk}"


class ServiceErrorsMixin:
    """A service refusing the change (`LeapError`) is shown on the form, like any
    validation error; nothing is saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except LeapError as error:
            form.add_error(None, str(error))
            if getattr(self, "object", None) is not None and self.object.pk:
                self.object.refresh_from_db()  # the form applied the refused values to it
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class DistrictPrefilledCreateView(CreateView):
    """ "?district=<id>" (from a district's list of domains, schools or members) picks it."""

    def get_initial(self):
        initial = super().get_initial()
        if (district := self.request.GET.get("district", "")).isdigit():
            initial["district"] = district
        return initial


# Districts.


class DistrictIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                domain_count=_count_per_district(DistrictDomain.objects.all()),
                school_count=_count_per_district(School.objects.all()),
                member_count=_count_per_district(Membership.objects.filter(is_active=True)),
            )
        )


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "site"
    menu_label = "Districts"
    name = "districts"
    url_namespace = "learning_district"
    index_view_class = DistrictIndexView
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("slug", help_text="Part of the district's address: /district/<slug>/."),
        MultiFieldPanel(
            [FieldPanel("join_code"), FieldPanel("join_code_enabled")], heading="Joining"
        ),
        FieldPanel(
            "time_zone",
            help_text="Review deadlines for this district's people count its working days.",
        ),
        FieldPanel("pd_hours_per_badge"),
        FieldPanel("external_badge_issuers"),
        FieldPanel("reviewers_exclude_same_district"),
        FieldPanel("is_active"),
    ]
    list_display = [
        TitleColumn("name", label="District", url_name="learning_district:edit"),
        "slug",
        "join_code",
        BooleanColumn("join_code_enabled", label="Code works"),
        BooleanColumn("is_active", label="Active"),
        TitleColumn(
            "domain_count",
            label="Domains",
            get_url=lambda d: _filtered_list("learning_district_domain:index", d),
        ),
        TitleColumn(
            "school_count",
            label="Schools",
            get_url=lambda d: _filtered_list("learning_school:index", d),
        ),
        TitleColumn(
            "member_count",
            label="Active members",
            get_url=lambda d: _filtered_list("learning_membership:index", d),
        ),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    search_backend_name = None  # plain database filtering: nothing to index
    ordering = ["name"]


# Domains and schools: their own lists, filtered by district.


class DistrictDomainIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("district")


class DistrictDomainViewSet(ModelViewSet):
    model = DistrictDomain
    icon = "mail"
    menu_label = "E-mail domains"
    name = "district-domains"
    url_namespace = "learning_district_domain"
    index_view_class = DistrictDomainIndexView
    add_view_class = DistrictPrefilledCreateView
    copy_view_enabled = False
    panels = [
        FieldPanel("district"),
        FieldPanel(
            "domain",
            help_text="People whose verified address is on this domain join the district "
            "as learners.",
        ),
    ]
    list_display = [
        TitleColumn("domain", label="Domain", url_name="learning_district_domain:edit"),
        "district",
    ]
    list_filter = ["district"]
    search_fields = ["domain"]
    search_backend_name = None
    ordering = ["domain"]


class SchoolIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("district")


class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    menu_label = "Schools"
    name = "schools"
    url_namespace = "learning_school"
    index_view_class = SchoolIndexView
    add_view_class = DistrictPrefilledCreateView
    copy_view_enabled = False
    panels = [FieldPanel("district"), FieldPanel("name")]
    list_display = [
        TitleColumn("name", label="School", url_name="learning_school:edit"),
        "district",
    ]
    list_filter = ["district"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["district__name", "name"]


# Memberships.


class MembershipAddForm(WagtailAdminModelForm):
    """Adds an existing account, by its e-mail address, through `membership_add`."""

    email = AccountByEmailField(label="Person's e-mail address")

    class Meta:
        model = Membership
        fields = ["district", "email", "role"]

    def clean(self):
        cleaned = super().clean()
        person, district = cleaned.get("email"), cleaned.get("district")
        if (
            person
            and district
            and district.memberships.filter(user=person, is_active=True).exists()
        ):
            self.add_error(
                "email",
                f"{person} is already a member of {district}; change their role on their "
                "membership.",
            )
        return cleaned

    def save(self, commit=True):
        self.instance = membership_add(
            user=self.cleaned_data["email"],
            district=self.cleaned_data["district"],
            role=self.cleaned_data["role"],
        )
        return self.instance


class MembershipEditForm(WagtailAdminModelForm):
    """Role, school and active, through `membership_update`: a district keeps at least one
    active district admin."""

    class Meta:
        model = Membership
        fields = ["role", "school", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(
            district_id=self.instance.district_id
        )

    def save(self, commit=True):
        self.instance = membership_update(
            membership=self.instance,
            role=self.cleaned_data["role"],
            is_active=self.cleaned_data["is_active"],
            school=self.cleaned_data["school"],
        )
        return self.instance


class MembershipIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "district", "school")


class MembershipCreateView(ServiceErrorsMixin, DistrictPrefilledCreateView):
    pass


class MembershipEditView(ServiceErrorsMixin, EditView):
    pass


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = "Members"
    name = "memberships"
    url_namespace = "learning_membership"
    index_view_class = MembershipIndexView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    copy_view_enabled = False
    list_display = [
        TitleColumn(
            "user",
            label="Person",
            accessor=lambda m: f"{m.user} ({m.user.email})",
            url_name="learning_membership:edit",
        ),
        "district",
        Column("role", label="Role", accessor="get_role_display"),
        Column("school", label="School"),
        BooleanColumn("is_active", label="Active"),
        Column("joined_via", label="Joined by", accessor="get_joined_via_display"),
    ]
    list_filter = ["district", "role", "is_active"]
    search_fields = ["user__email", "user__display_name"]
    search_backend_name = None
    ordering = ["district__name", "user__display_name"]

    def get_form_class(self, for_update=False):
        return MembershipEditForm if for_update else MembershipAddForm


# The PD-credit ledger, read only.


class CreditEntryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")


class CreditLedgerViewSet(ModelViewSet):
    model = CreditEntry
    icon = "list-ul"
    menu_label = "Credit ledger"
    name = "credit-ledger"
    url_namespace = "learning_credit_entry"
    index_view_class = CreditEntryIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["title"]  # required by ModelViewSet; the policy never allows a form
    list_display = [
        TitleColumn(
            "title",
            label="Entry",
            get_url=lambda e: reverse("learning_credit_entry:inspect", args=[e.pk]),
        ),
        Column("user", label="Person", accessor=lambda e: f"{e.user} ({e.user.email})"),
        Column("source", label="Source", accessor="get_source_display"),
        "hours",
        "earned_on",
        Column(
            "voided_at",
            label="Void",
            accessor=lambda e: f"{e.voided_at:%Y-%m-%d}: {e.void_reason}" if e.voided_at else "",
        ),
    ]
    list_filter = ["source", "earned_on"]
    search_fields = ["user__email", "user__display_name", "title"]
    search_backend_name = None
    ordering = ["-earned_on", "-created_at"]


class DistrictsGroup(ViewSetGroup):
    menu_label = "Districts"
    menu_icon = "site"
    menu_order = 270
    items = (
        DistrictViewSet,
        DistrictDomainViewSet,
        SchoolViewSet,
        MembershipViewSet,
        CreditLedgerViewSet,
    )


@hooks.register("register_admin_viewset")
def register_districts():
    return DistrictsGroup()


# The audit log is a page of the site (/audit/), read only; staff reach it from the CMS too.


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request):
        return is_platform_staff(request.user)


@hooks.register("register_admin_menu_item")
def audit_log_menu_item():
    return AuditLogMenuItem(
        "Audit log", reverse("learning:audit_log"), icon_name="history", order=275
    )
