"""District insights screens (district admins of that district only; anyone else 404s):
the dashboard of the school year beside the year before, and the framework coverage
heatmap, each with its numbers as a table and a CSV of the same."""

import csv
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from accounts.throttle import throttled
from learning.insights import (
    coverage_framework_list,
    coverage_get,
    dashboard_get,
    school_year_choices,
)
from learning.models import Membership
from learning.permissions import district_for_admin


class CoverageFilterForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=None, to_field_name="code", empty_label=None, label="Framework"
    )
    school = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All schools", label="School"
    )
    role = forms.ChoiceField(required=False, label="Role")

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = coverage_framework_list()
        self.fields["school"].queryset = district.schools.order_by("name")
        self.fields["role"].choices = [("", "All roles"), *Membership.Role.choices]


def _filters(request, district) -> tuple[CoverageFilterForm, dict | None]:
    """The filters asked for (the first framework when none is), or None when one is
    wrong: the form then says which."""
    frameworks = coverage_framework_list()
    data = request.GET.copy()
    if not data.get("framework") and frameworks.exists():
        data["framework"] = frameworks.first().code
    form = CoverageFilterForm(data, district=district)
    if not form.is_valid():
        return form, None
    return form, {
        "framework": form.cleaned_data["framework"],
        "school": form.cleaned_data["school"],
        "role": form.cleaned_data["role"],
    }


@login_required
def district_coverage(request, slug: str):
    district = district_for_admin(request.user, slug)
    form, filters = _filters(request, district)
    coverage = coverage_get(district=district, **filters) if filters else None
    status = 200 if filters or not form.is_bound else 400
    return render(
        request,
        "learning/district_coverage.html",
        {
            "district": district,
            "form": form,
            "coverage": coverage,
            "role_label": dict(Membership.Role.choices).get(filters["role"]) if filters else "",
        },
        status=status,
    )


@login_required
@throttled("export", methods=("GET",))
def district_coverage_csv(request, slug: str):
    """The heatmap's numbers, one row per element: the same aggregates as the screen."""
    district = district_for_admin(request.user, slug)
    form, filters = _filters(request, district)
    if filters is None:
        return _invalid_filters(form)
    coverage = coverage_get(district=district, **filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"{district.slug}-{coverage.framework.code}-coverage")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "element",
            "name",
            "rated",
            *[f"level {level.value} {level.name}" for level in coverage.levels],
            "badges",
        ]
    )
    for row in coverage.elements:
        counts = row.counts if row.shown else [""] * len(row.counts)
        writer.writerow([row.element.code, row.element.name, row.rated, *counts, row.badges])
    return response


class DashboardFilterForm(forms.Form):
    year = forms.ChoiceField(label="School year")
    school = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All schools", label="School"
    )
    role = forms.ChoiceField(required=False, label="Role")

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = school_year_choices(today=timezone.localdate())
        self.fields["school"].queryset = district.schools.order_by("name")
        self.fields["role"].choices = [("", "All roles"), *Membership.Role.choices]


def _dashboard(request, district):
    data = request.GET.copy()
    data.setdefault("year", school_year_choices(today=timezone.localdate())[0][0])
    form = DashboardFilterForm(data, district=district)
    if not form.is_valid():
        return form, None
    dashboard = dashboard_get(
        district=district,
        year_start=date.fromisoformat(form.cleaned_data["year"]),
        school=form.cleaned_data["school"],
        role=form.cleaned_data["role"],
    )
    return form, dashboard


@login_required
def district_dashboard(request, slug: str):
    district = district_for_admin(request.user, slug)
    form, dashboard = _dashboard(request, district)
    return render(
        request,
        "learning/district_dashboard.html",
        {"district": district, "form": form, "dashboard": dashboard},
        status=200 if dashboard else 400,
    )


@login_required
@throttled("export", methods=("GET",))
def district_dashboard_csv(request, slug: str):
    """The dashboard's figures, one row each: the same numbers as the screen."""
    district = district_for_admin(request.user, slug)
    form, dashboard = _dashboard(request, district)
    if dashboard is None:
        return _invalid_filters(form)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"{district.slug}-dashboard-{dashboard.year}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(["figure", dashboard.year, dashboard.previous_year])
    for figure in dashboard.figures:
        writer.writerow(
            [figure.label, f"{figure.now:g}", "" if figure.before is None else f"{figure.before:g}"]
        )
    return response


def _invalid_filters(form) -> HttpResponse:
    return HttpResponse(
        "Those filters are not valid: "
        + "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )
