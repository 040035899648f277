"""Filters of a district's records (django-filter), shared by the district admins' screens
and the REST API (integrations.api.filters) where they match: the same parameters, the
same choices, the same refusals. A FilterSet is bound to one district, so another
district's school is refused like any unknown choice."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cms.widgets import PlainSelect
from learning.models import Membership, School

YES_NO = [("true", "Yes"), ("false", "No")]
DAY = forms.DateInput(attrs={"type": "date"})


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.ModelChoiceFilter):
    """One of the district's records, by its id."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class YesNoFilter(django_filters.ChoiceFilter):
    """`true` or `false`, nothing else: a typo is an error, not "no filter". With `isnull`,
    whether that field is set."""

    def __init__(self, *, isnull: str = "", **kwargs):
        self.isnull = isnull
        kwargs.setdefault("empty_label", "Either")
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(choices=YES_NO, method=self.yes_no, **kwargs)

    def yes_no(self, queryset, name, value):
        yes = value == "true"
        if self.isnull:
            return queryset.filter(**{f"{self.isnull}__isnull": not yes})
        return queryset.filter(**{name: yes})


class DistrictFilterSet(django_filters.FilterSet):
    """`school`: only members of this school; `since` and `until`: from and to these days,
    both included, on the records' own date (`day`, a lookup). Bound to `district`, or to
    the district of the request's API token."""

    day = ""
    person = "user_id"

    school = IdFilter(queryset=School.objects.none(), method="filter_school", label="School")
    since = django_filters.DateFilter(method="filter_since", label="From", widget=DAY)
    until = django_filters.DateFilter(method="filter_until", label="To", widget=DAY)

    def __init__(self, data=None, queryset=None, *, request=None, district=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.district = district or getattr(getattr(request, "auth", None), "district", None)
        if "school" in self.filters:
            self.filters["school"].queryset = School.objects.filter(
                district=self.district
            ).order_by("name")
            self.filters["school"].extra["empty_label"] = "All schools"

    def filter_school(self, queryset, name, school):
        members = Membership.objects.filter(school=school, is_active=True).values("user_id")
        return queryset.filter(**{f"{self.person}__in": members})

    def filter_since(self, queryset, name, day):
        return queryset.filter(**{f"{self.day}__gte": day})

    def filter_until(self, queryset, name, day):
        return queryset.filter(**{f"{self.day}__lte": day})

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        since, until = (self.form.cleaned_data.get(key) for key in ("since", "until"))
        if since and until and since > until:
            self.form.add_error("until", "This day is before the “from” day.")
            return False
        return True


class MemberFilter(DistrictFilterSet):
    """A district's members: by school, role, whether active, and the day they joined."""

    day = "created_at__date"
    role = django_filters.ChoiceFilter(
        choices=Membership.Role.choices, label="Role", empty_label="All roles", widget=PlainSelect
    )
    active = YesNoFilter(field_name="is_active", label="Active")
    since = django_filters.DateFilter(method="filter_since", label="Joined from", widget=DAY)
    until = django_filters.DateFilter(method="filter_until", label="Joined until", widget=DAY)

    class Meta:
        model = Membership
        fields = ["school", "role", "active", "since", "until"]

    def filter_school(self, queryset, name, school):
        return queryset.filter(school=school)
