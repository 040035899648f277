"""Calendar feeds and the district's participation report. Thin: access through
`learning.cohorts.permissions` (404 for anyone else), work in calendar.py and reports.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import export_record
from accounts.reauthentication import recent_authentication_required
from accounts.throttle import throttled
from learning.cohorts import calendar, reports
from learning.cohorts.permissions import cohort_for_participant
from learning.cohorts.views_common import action_report, csv_response
from learning.models import CohortMember, CohortSession
from learning.permissions import district_for_admin


def _ics(body: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def feed(request, token: str):
    """The subscribable feed: no sign-in (calendar apps cannot), the secret is the key."""
    member = calendar.feed_member_get(token=token)
    if member is None:
        raise Http404("No such calendar.")
    name = slugify(member.cohort.title) or "cohort"
    return _ics(calendar.feed_ics(member=member), f"{name}.ics", download=False)


@login_required
@require_GET
def session_ics(request, cohort_id: int, session_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    session = get_object_or_404(
        CohortSession.objects.select_related("cohort"), pk=session_id, cohort=cohort
    )
    filename = f"{slugify(cohort.title) or 'cohort'}-meeting-{session.number}.ics"
    return _ics(calendar.session_ics(session=session), filename, download=True)


@login_required
@require_GET
def feed_page(request, cohort_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    member = CohortMember.objects.filter(cohort=cohort, user=request.user).first()
    feed_member = calendar.feed_member_get(token=member.calendar_token) if member else None
    feed_url = calendar.feed_url(feed_member) if feed_member else ""
    return render(
        request,
        "learning/cohorts/feed_page.html",
        {
            "cohort": cohort,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1] if feed_url else "",
            "sessions": calendar.feed_sessions(cohort),
            "zone": calendar.cohort_zone(cohort),
        },
    )


@login_required
@require_POST
def feed_reset(request, cohort_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    action_report(
        request,
        lambda: calendar.calendar_token_reset(cohort=cohort, user=request.user),
        done="Your calendar link is new. The old one no longer works: subscribe again with "
        "the link below.",
    )
    return redirect("cohort_feeds:feed_page", cohort_id=cohort.pk)


@login_required
@require_GET
def district_report(request, slug: str):
    district = district_for_admin(request.user, slug)
    return render(
        request,
        "learning/cohorts/report_district.html",
        {"district": district, "cohorts": reports.cohort_participation_list(district=district)},
    )


@login_required
@require_GET
@throttled("export", methods=("GET",))
@recent_authentication_required(methods=("GET",))
def district_report_csv(request, slug: str):
    district = district_for_admin(request.user, slug)
    response = csv_response(f"{district.slug}-cohort-attendance-and-hours.csv")
    rows = reports.participation_csv_write(district=district, out=response)
    export_record(
        what="Book-club attendance and hours (CSV)", district=district, details={"rows": rows}
    )
    return response
