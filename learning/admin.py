"""Platform staff set up districts in the Django admin (/django-admin/); district admins
run their own district from /district/<slug>/."""

from django.contrib import admin

from learning.models import CreditEntry, District, DistrictDomain, Membership, School


class DistrictDomainInline(admin.TabularInline):
    model = DistrictDomain
    extra = 0


class SchoolInline(admin.TabularInline):
    model = School
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "school", "is_active", "joined_via"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "join_code", "join_code_enabled", "is_active"]
    search_fields = ["name", "slug", "domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DistrictDomainInline, SchoolInline, MembershipInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """The ledger is written by the services; staff read it here (and can see voids)."""

    list_display = ["user", "title", "source", "hours", "earned_on", "voided_at"]
    list_filter = ["source", "earned_on"]
    search_fields = ["user__email", "title"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
