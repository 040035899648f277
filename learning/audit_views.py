"""The audit log, read only: platform staff read every entry at /audit/, a district's admins
their district's at /district/<slug>/audit/; both filter it and download it as CSV (the
download is itself recorded). Anyone else gets a 404. No screen changes an entry."""

import csv
import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.audit import export_record
from accounts.reauthentication import recent_authentication_required
from accounts.selectors import AuditFilters, audit_entry_list, audit_page_get
from accounts.throttle import throttled
from cms.spreadsheets import spreadsheet_safe
from learning.forms import AuditFilterForm
from learning.models import District
from learning.permissions import district_for_admin, is_platform_staff

CSV_COLUMNS = [
    "When (UTC)",
    "Action",
    "Done by",
    "Done by (e-mail)",
    "About",
    "What happened",
    "District",
    "IP address",
    "Browser",
    "From",
    "Request id",
    "Details",
]


def _staff_only(request) -> None:
    if not is_platform_staff(request.user):
        raise Http404("No such page.")


def _form(request, *, district: District | None) -> AuditFilterForm:
    districts = None if district else District.objects.order_by("name", "pk")
    return AuditFilterForm(request.GET or None, districts=districts)


def _filters(form: AuditFilterForm, district: District | None) -> AuditFilters | None:
    """What the address asks for (a district's log: only that district's), or None when
    it asks for something that is not valid (the form says what)."""
    own = district.pk if district else None
    if not form.is_bound:
        return AuditFilters(district_id=own)
    return form.filters(district_id=own) if form.is_valid() else None


def _page(request, *, district: District | None, download_url: str):
    form = _form(request, district=district)
    filters = _filters(form, district)
    page = None
    if filters is not None:
        cursors = form.cleaned_data if form.is_bound else {}
        page = audit_page_get(
            entries=audit_entry_list(filters=filters),
            before=cursors.get("before"),
            after=cursors.get("after"),
        )
    chosen = {k: v for k, v in request.GET.items() if k not in {"before", "after"} and v}
    context = {
        "district": district,
        "form": form,
        "page": page,
        "download_url": f"{download_url}?{urlencode(chosen)}" if chosen else download_url,
        "newer_url": _cursor_url(chosen, "after", page.newer if page else None),
        "older_url": _cursor_url(chosen, "before", page.older if page else None),
    }
    return render(request, "learning/audit_log.html", context, status=200 if page else 400)


def _cursor_url(chosen: dict, name: str, cursor: int | None) -> str:
    return f"?{urlencode({**chosen, name: cursor})}" if cursor is not None else ""


def _csv(request, *, district: District | None, what: str, filename: str):
    form = _form(request, district=district)
    filters = _filters(form, district)
    if filters is None:
        return _page(request, district=district, download_url=request.path)
    export_record(
        what=what,
        district=district,
        details={"filters": {k: v for k, v in request.GET.items() if v}},
    )
    entries = audit_entry_list(filters=filters)
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=1000):
        cells = [
            entry.created_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            entry.get_action_display(),
            entry.actor_name or ("Leap" if not entry.actor_email else ""),
            entry.actor_email,
            entry.target_label,
            entry.summary,
            entry.district_name,
            entry.ip or "",
            entry.user_agent,
            entry.origin,
            entry.request_id,
            json.dumps(entry.details, sort_keys=True, ensure_ascii=False) if entry.details else "",
        ]
        yield writer.writerow([spreadsheet_safe(cell) for cell in cells])


@login_required
@require_GET
def audit_log(request):
    _staff_only(request)
    return _page(request, district=None, download_url=request.path + "export.csv")


@login_required
@require_GET
@throttled("export", methods=("GET",))
@recent_authentication_required(methods=("GET",))
def audit_log_csv(request):
    _staff_only(request)
    return _csv(request, district=None, what="Audit log (CSV)", filename="leap-audit-log.csv")


@login_required
@require_GET
def district_audit_log(request, slug: str):
    district = district_for_admin(request.user, slug)
    return _page(request, district=district, download_url=request.path + "export.csv")


@login_required
@require_GET
@throttled("export", methods=("GET",))
@recent_authentication_required(methods=("GET",))
def district_audit_log_csv(request, slug: str):
    district = district_for_admin(request.user, slug)
    return _csv(
        request,
        district=district,
        what=f"Audit log of {district.name} (CSV)",
        filename=f"{district.slug}-audit-log.csv",
    )
