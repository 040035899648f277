"""District insights screens (district admins of that district only; anyone else 404s):
the dashboard of the school year beside the year before, and the framework coverage
heatmap, each with its numbers as a table and a CSV of the same."""

import csv
import io
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.errors import LeapError
from accounts.throttle import throttled
from cms.models import AudienceRole, FrameworkElement
from cms.widgets import PlainSelect
from learning import services
from learning.insights import (
    coverage_framework_list,
    coverage_get,
    coverage_people,
    dashboard_get,
    goal_progress_list,
    institutional_comparison,
    institutional_elements,
    institutional_framework_list,
    institutional_recommendations,
    school_year_choices,
)
from learning.models import InstitutionalAssessment, Membership, PDGoal, SharedReport
from learning.models.insights import shared_report_token_hash
from learning.permissions import district_for_admin
from learning.selectors import level_list


class DistrictGroupForm(forms.Form):
    """The school and role a district report is narrowed to, shared by its filters. The
    selects are written out in Python (`PlainSelect`): a district's schools are dozens of
    options, each a template render with Django's own widget."""

    school = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="All schools",
        label="School",
        widget=PlainSelect,
    )
    role = forms.ChoiceField(required=False, label="Role", widget=PlainSelect)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = district.schools.order_by("name")
        self.fields["role"].choices = [("", "All roles"), *Membership.Role.choices]


class CoverageFilterForm(DistrictGroupForm):
    field_order = ["framework", "school", "role", "compare"]

    framework = forms.ModelChoiceField(
        queryset=None, to_field_name="code", empty_label=None, label="Framework", widget=PlainSelect
    )
    compare = forms.ChoiceField(
        required=False,
        label="Compare by",
        choices=[("", "Nothing"), ("school", "School"), ("role", "Role")],
        widget=PlainSelect,
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, district=district, **kwargs)
        self.fields["framework"].queryset = coverage_framework_list()


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
        "compare": form.cleaned_data["compare"],
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
            "people_query": urlencode(
                {
                    "framework": filters["framework"].code,
                    "school": filters["school"].pk if filters["school"] else "",
                    "role": filters["role"],
                }
            )
            if filters
            else "",
            "share_days": services.SHARED_REPORT_DAYS,
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
    levels = [f"level {level.value} {level.name}" for level in coverage.levels]
    name = slugify(f"{district.slug}-{coverage.framework.code}-coverage")
    if coverage.comparison:
        header, rows = _comparison_table(coverage, levels)
        return table_download(request, f"{name}-by-{coverage.comparison.by}", header, rows)
    header = ["element", "name", "rated", *levels, "badges"]
    rows = [
        [
            row.element.code,
            row.element.name,
            row.rated,
            *(row.counts if row.shown else [""] * len(row.counts)),
            row.badges,
        ]
        for row in coverage.elements
    ]
    return table_download(request, name, header, rows)


def _comparison_table(coverage, levels: list[str]) -> tuple[list, list[list]]:
    """One row per element and school (or role), as the screen shows them: a group of fewer
    than SMALLEST_GROUP people says so, with no numbers."""
    comparison = coverage.comparison
    established = coverage.established
    header = [
        "element",
        "name",
        comparison.by,
        "members",
        "rated",
        *levels,
        f"percent at level {established.value} {established.name} or above",
    ]
    rows = []
    for row in comparison.rows:
        for group, cell in zip(comparison.groups, row.groups, strict=True):
            if cell.shown:
                numbers = [cell.rated, *cell.counts, cell.established_percent]
            else:
                rated = f"fewer than {coverage.smallest_group}" if cell.rated else 0
                numbers = [rated, *[""] * len(cell.counts), ""]
            rows.append([row.element.code, row.element.name, group.label, group.members, *numbers])
    return header, rows


def table_download(request, name: str, header: list, rows: list[list]) -> HttpResponse:
    """The same table as CSV, or as a spreadsheet with `?format=xlsx`."""
    if request.GET.get("format") == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=name[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: float) -> float | int:
    """2 rather than 2.0, in a CSV as on screen."""
    return int(value) if float(value).is_integer() else value


@login_required
def district_coverage_people(request, slug: str):
    """Who is behind one cell of the heatmap (the same filters, an element and a level)."""
    district = district_for_admin(request.user, slug)
    form, filters = _filters(request, district)
    if filters is None:
        return _invalid_filters(form)
    element = get_object_or_404(
        FrameworkElement, framework=filters["framework"], code=request.GET.get("element", "")
    )
    try:
        level = int(request.GET.get("level", ""))
    except ValueError as error:
        raise Http404("No such level.") from error
    level_name = {lv.value: lv.name for lv in level_list()}.get(level)
    if level_name is None:
        raise Http404("No such level.")
    people = Paginator(
        coverage_people(
            district=district,
            framework=filters["framework"],
            element=element,
            level=level,
            school=filters["school"],
            role=filters["role"],
        ),
        50,
    )
    page_obj = people.get_page(request.GET.get("page"))
    context = {
        "district": district,
        "element": element,
        "level": level,
        "level_name": level_name,
        "framework": filters["framework"],
        "members": page_obj.object_list,
        "page_obj": page_obj,
        "back": reverse("learning:district_coverage", args=[district.slug])
        + "?"
        + urlencode(
            {
                key: request.GET[key]
                for key in ("framework", "school", "role")
                if request.GET.get(key)
            }
        ),
    }
    return render(request, "learning/district_coverage_people.html", context)


class DashboardFilterForm(DistrictGroupForm):
    field_order = ["year", "school", "role"]

    year = forms.ChoiceField(label="School year", widget=PlainSelect)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, district=district, **kwargs)
        self.fields["year"].choices = school_year_choices(today=timezone.localdate())


class PDGoalForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=AudienceRole.objects.order_by("name"),
        required=False,
        empty_label="Everyone (without a goal for their role)",
        label="For",
        widget=PlainSelect,
    )
    hours = forms.DecimalField(
        label="Hours per school year", min_value=0.5, max_value=500, decimal_places=1
    )


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
    dashboard.goals = goal_progress_list(
        district=district,
        year_start=date.fromisoformat(form.cleaned_data["year"]),
        today=timezone.localdate(),
        school=form.cleaned_data["school"],
        role=form.cleaned_data["role"],
    )
    return form, dashboard


@login_required
def district_dashboard(request, slug: str, goal_form=None):
    district = district_for_admin(request.user, slug)
    form, dashboard = _dashboard(request, district)
    context = {
        "district": district,
        "form": form,
        "dashboard": dashboard,
        "goal_form": goal_form or PDGoalForm(),
        "shared_reports": SharedReport.objects.filter(district=district)[:20],
        "share_days": services.SHARED_REPORT_DAYS,
    }
    status = 200 if dashboard and not (goal_form and goal_form.errors) else 400
    return render(request, "learning/district_dashboard.html", context, status=status)


@login_required
@require_POST
def district_goal_set(request, slug: str):
    """Set (or change) the PD-hours goal for a role, or for everyone."""
    district = district_for_admin(request.user, slug)
    form = PDGoalForm(request.POST)
    if not form.is_valid():
        request.method = "GET"  # show the dashboard with the form's errors
        return district_dashboard(request, slug, goal_form=form)
    goal = services.pd_goal_set(
        district=district, role=form.cleaned_data["role"], hours=form.cleaned_data["hours"]
    )
    messages.success(
        request,
        f"{goal.role or 'Everyone'}: {goal.hours.normalize():f} hours of professional learning "
        "a year.",
    )
    return redirect("learning:district_dashboard", slug=district.slug)


@login_required
@require_POST
def district_goal_remove(request, slug: str, pk: int):
    district = district_for_admin(request.user, slug)
    goal = get_object_or_404(PDGoal, pk=pk, district=district)
    services.pd_goal_remove(goal=goal)
    messages.success(request, f"The goal for {goal.role or 'everyone'} is removed.")
    return redirect("learning:district_dashboard", slug=district.slug)


@login_required
@throttled("export", methods=("GET",))
def district_dashboard_csv(request, slug: str):
    """The dashboard's figures, one row each: the same numbers as the screen."""
    district = district_for_admin(request.user, slug)
    form, dashboard = _dashboard(request, district)
    if dashboard is None:
        return _invalid_filters(form)
    rows = [
        [figure.label, _number(figure.now), "" if figure.before is None else _number(figure.before)]
        for figure in dashboard.figures
    ]
    name = slugify(f"{district.slug}-dashboard-{dashboard.year}")
    return table_download(request, name, ["figure", dashboard.year, dashboard.previous_year], rows)


def _invalid_filters(form) -> HttpResponse:
    return HttpResponse(
        "Those filters are not valid: "
        + "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


# ---- Shared read-only links (aggregates only, for a board meeting) ----

FILTER_FIELDS = {
    SharedReport.Kind.DASHBOARD: ("year", "school", "role"),
    SharedReport.Kind.COVERAGE: ("framework", "school", "role", "compare"),
}


def _report_title(kind: str, district, form) -> str:
    parts = [district.name]
    data = form.cleaned_data
    if kind == SharedReport.Kind.DASHBOARD:
        parts.append(f"dashboard {dict(form.fields['year'].choices)[data['year']]}")
    else:
        parts.append(f"{data['framework'].short_name or data['framework'].name} coverage")
    if data.get("school"):
        parts.append(data["school"].name)
    if data.get("role"):
        parts.append(dict(Membership.Role.choices)[data["role"]] + "s")
    if data.get("compare"):
        parts.append(f"by {data['compare']}")
    return ", ".join(parts)


@login_required
@require_POST
def district_share_create(request, slug: str):
    """Make a read-only link to the report on screen, with its filters."""
    district = district_for_admin(request.user, slug)
    kind = request.POST.get("kind", "")
    if kind not in FILTER_FIELDS:
        raise Http404("No such report.")
    data = {name: request.POST.get(name, "") for name in FILTER_FIELDS[kind]}
    if kind == SharedReport.Kind.DASHBOARD:
        data["year"] = data["year"] or school_year_choices(today=timezone.localdate())[0][0]
        form = DashboardFilterForm(data, district=district)
    else:
        form = CoverageFilterForm(data, district=district)
    if not form.is_valid():
        return _invalid_filters(form)
    try:
        days = int(request.POST.get("days", ""))
        report, token = services.shared_report_create(
            district=district,
            kind=kind,
            filters=data,
            title=_report_title(kind, district, form),
            days=days,
            created_by=request.user,
        )
    except (ValueError, LeapError):
        return HttpResponse(
            f"Choose how long the link lasts: {', '.join(map(str, services.SHARED_REPORT_DAYS))} "
            "days.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    link = request.build_absolute_uri(reverse("learning:shared_report", args=[token]))
    return render(
        request,
        "learning/district_share_created.html",
        {"district": district, "report": report, "link": link},
    )


@login_required
@require_POST
def district_share_revoke(request, slug: str, pk: int):
    district = district_for_admin(request.user, slug)
    report = get_object_or_404(SharedReport, pk=pk, district=district)
    services.shared_report_revoke(report=report, revoked_by=request.user)
    return redirect("learning:district_dashboard", slug=district.slug)


def _shared_report_gone(request, report) -> HttpResponse:
    response = render(request, "learning/shared_report_gone.html", {"report": report}, status=410)
    response["Cache-Control"] = "no-store"
    return response


@throttled("public", methods=("GET",))
def shared_report(request, token: str):
    """A shared report, for anyone with the link: aggregates only, no names, no filters to
    change; 410 once it has expired or been revoked."""
    report = (
        SharedReport.objects.select_related("district")
        .filter(token_hash=shared_report_token_hash(token))
        .first()
    )
    if report is None:
        raise Http404("No such shared report.")
    if not report.is_live:
        return _shared_report_gone(request, report)
    district = report.district
    if report.kind == SharedReport.Kind.DASHBOARD:
        form = DashboardFilterForm(report.filters, district=district)
    else:
        form = CoverageFilterForm(report.filters, district=district)
    if not form.is_valid():  # a school since removed, a framework withdrawn
        return _shared_report_gone(request, report)
    data = form.cleaned_data
    context = {"district": district, "shared": report, "form": form}
    if report.kind == SharedReport.Kind.DASHBOARD:
        context["dashboard"] = dashboard_get(
            district=district,
            year_start=date.fromisoformat(data["year"]),
            school=data["school"],
            role=data["role"],
        )
        template = "learning/district_dashboard.html"
    else:
        context["coverage"] = coverage_get(
            district=district,
            framework=data["framework"],
            school=data["school"],
            role=data["role"],
            compare=data["compare"],
        )
        context["role_label"] = dict(Membership.Role.choices).get(data["role"], "")
        template = "learning/district_coverage.html"
    SharedReport.objects.filter(pk=report.pk).update(last_viewed_at=timezone.now())
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
    return response


# ---- The district rating itself against a system framework ----


class RoundStartForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=None, to_field_name="code", empty_label=None, label="Framework"
    )
    title = forms.CharField(label="Name of the round", max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = institutional_framework_list()


def _rounds_page(request, district, start_form, status=200):
    rounds = InstitutionalAssessment.objects.filter(district=district).select_related("framework")
    context = {
        "district": district,
        "rounds": rounds,
        "start_form": start_form,
        "frameworks": institutional_framework_list(),
    }
    return render(request, "learning/institution_rounds.html", context, status=status)


@login_required
def district_institution(request, slug: str):
    """The district's rounds of rating itself, and a form to start one."""
    district = district_for_admin(request.user, slug)
    if request.method != "POST":
        return _rounds_page(request, district, RoundStartForm())
    form = RoundStartForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.institutional_assessment_start(
                district=district,
                framework=form.cleaned_data["framework"],
                title=form.cleaned_data["title"],
                created_by=request.user,
            )
        except LeapError as error:
            form.add_error(None, " ".join(error.problems))
        else:
            return redirect("learning:district_institution_round", slug=slug, pk=assessment.pk)
    return _rounds_page(request, district, form, status=400)


def _round_ratings(request, elements) -> tuple[dict, list[str]]:
    ratings, problems = {}, []
    for element in elements:
        raw = request.POST.get(f"level_{element.pk}", "")
        evidence = request.POST.get(f"evidence_{element.pk}", "")
        if raw == "":
            ratings[element.pk] = (None, evidence)
            continue
        try:
            ratings[element.pk] = (int(raw), evidence)
        except ValueError:
            problems.append(f"{element.code}: choose one of the levels shown.")
    return ratings, problems


@login_required
def district_institution_round(request, slug: str, pk: int):
    """One round: its ratings, evidence and team while open; read-only once finished, with
    the learning that addresses the elements it rated lowest."""
    district = district_for_admin(request.user, slug)
    assessment = get_object_or_404(
        InstitutionalAssessment.objects.select_related("framework"), pk=pk, district=district
    )
    elements = institutional_elements(assessment.framework)
    problems, status = [], 200
    if request.method == "POST" and not assessment.completed_at:
        ratings, problems = _round_ratings(request, elements)
        try:
            team_ids = [int(value) for value in request.POST.getlist("team")]
        except ValueError:
            team_ids, problems = [], [*problems, "Choose the team from the list."]
        if not problems:
            try:
                services.institutional_assessment_save(
                    assessment=assessment,
                    ratings=ratings,
                    team_ids=team_ids,
                    complete="finish" in request.POST,
                )
            except LeapError as error:
                problems = list(error.problems)
            else:
                messages.success(
                    request,
                    "The round is finished." if "finish" in request.POST else "Saved.",
                )
                return redirect("learning:district_institution_round", slug=slug, pk=pk)
        status = 400
    saved = {r.element_id: r for r in assessment.ratings.all()}
    posted = request.method == "POST"
    rows = [
        {
            "element": element,
            "level": (request.POST.get(f"level_{element.pk}", "") if posted else "")
            or (str(saved[element.pk].level) if element.pk in saved else ""),
            "evidence": request.POST.get(f"evidence_{element.pk}")
            if posted
            else (saved[element.pk].evidence if element.pk in saved else ""),
        }
        for element in elements
    ]
    team = {str(pk) for pk in assessment.team.values_list("pk", flat=True)}
    if posted:
        team = set(request.POST.getlist("team"))
    context = {
        "district": district,
        "assessment": assessment,
        "rows": rows,
        "levels": level_list(),
        "members": Membership.objects.filter(district=district, is_active=True)
        .select_related("user")
        .order_by("user__display_name")[:200],
        "team": team,
        "team_people": assessment.team.order_by("display_name"),
        "problems": problems,
        "recommendations": institutional_recommendations(assessment=assessment)
        if assessment.completed_at
        else [],
    }
    return render(request, "learning/institution_round.html", context, status=status)


@login_required
def district_institution_compare(request, slug: str):
    """The finished rounds on one framework, side by side."""
    district = district_for_admin(request.user, slug)
    frameworks = institutional_framework_list()
    code = request.GET.get("framework") or (frameworks.first().code if frameworks else "")
    framework = frameworks.filter(code=code).first()
    if framework is None:
        raise Http404("No such framework for a district.")
    comparison = institutional_comparison(district=district, framework=framework)
    context = {"district": district, "comparison": comparison, "frameworks": frameworks}
    return render(request, "learning/institution_compare.html", context)
