"""The facilitator's messages to the group, meeting summaries and the final report.
Thin: access through `learning.cohorts.permissions` (404 for anyone who does not run the
cohort), the work in facilitating.py and final_report.py."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from accounts.audit import export_record
from accounts.reauthentication import recent_authentication_required
from accounts.throttle import throttled
from learning.api import time_zone_of
from learning.cohorts import facilitating, final_report
from learning.cohorts.forms_facilitating import MessageForm, SummaryForm
from learning.cohorts.participation_selectors import session_get
from learning.cohorts.permissions import cohort_for_facilitator
from learning.cohorts.views_common import csv_response, form_status, form_submit
from learning.models import CohortMessage, CohortSession


@login_required
def message_page(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    form = MessageForm(request.POST or None)
    sent = form_submit(
        request,
        form,
        lambda data: facilitating.cohort_message_send(
            cohort=cohort, author=request.user, subject=data["subject"], body=data["body"]
        ),
        done=_message_sent,
        then=reverse("cohort_facilitating:messages", args=[cohort.pk]),
    )
    return sent or render(
        request,
        "learning/cohorts/messages.html",
        {
            "cohort": cohort,
            "form": form,
            "cohort_messages": facilitating.cohort_message_list(cohort=cohort),
            "zone": time_zone_of(user=request.user),
        },
        status=form_status(request),
    )


def _message_sent(sent: tuple[CohortMessage, int]) -> str:
    message, told = sent
    people = "person" if told == 1 else "people"
    return f"Your message “{message.subject}” was sent to {told} {people}."


def _summary_saved(session: CohortSession) -> str:
    if session.summary:
        return f"The summary of “{session.title}” is saved; members see it on the book club's page."
    return f"The summary of “{session.title}” is removed."


@login_required
def summary_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    session = session_get(cohort=cohort, session_id=session_id)
    can_write = facilitating.summary_can_be_written(session)
    form = SummaryForm(request.POST or None, initial={"summary": session.summary})
    saved = form_submit(
        request,
        form,
        lambda data: facilitating.session_summary_save(session=session, summary=data["summary"]),
        done=_summary_saved,
        then=reverse("cohort_participation:attendance", args=[cohort.pk, session.pk]),
    )
    return saved or render(
        request,
        "learning/cohorts/summary.html",
        {"cohort": cohort, "session": session, "form": form, "can_write": can_write},
        status=form_status(request),
    )


@login_required
@require_GET
def report_page(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    return render(
        request,
        "learning/cohorts/final_report.html",
        {
            "cohort": cohort,
            "report": final_report.final_report_get(cohort=cohort),
            "zone": time_zone_of(user=request.user),
        },
    )


@login_required
@require_GET
@throttled("export", methods=("GET",))
@recent_authentication_required(methods=("GET",))
def report_csv(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    response = csv_response(f"{slugify(cohort.title) or 'book-club'}-final-report.csv")
    rows = final_report.final_report_csv_write(
        report=final_report.final_report_get(cohort=cohort), out=response
    )
    export_record(
        what=f"Final report of “{cohort.title}” (CSV)",
        target=cohort,
        district=cohort.district,
        details={"rows": rows},
    )
    return response
