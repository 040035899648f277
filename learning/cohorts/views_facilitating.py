"""The facilitator's messages to the group, meeting summaries and the final report.
Thin: access through `learning.cohorts.permissions` (404 for anyone who does not run the
cohort), the work in facilitating.py and final_report.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from accounts.errors import LeapError
from accounts.throttle import throttled
from learning.api import time_zone_of
from learning.cohorts import facilitating, final_report
from learning.cohorts.forms_facilitating import MessageForm, SummaryForm
from learning.cohorts.participation_selectors import session_get
from learning.cohorts.permissions import cohort_for_facilitator


@login_required
def message_page(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message, told = facilitating.cohort_message_send(
                    cohort=cohort,
                    author=request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except LeapError as error:
                error.add_to_form(form)
            else:
                messages.success(
                    request,
                    f"Your message “{message.subject}” was sent to {told} "
                    f"{'person' if told == 1 else 'people'}.",
                )
                return redirect("cohort_facilitating:messages", cohort_id=cohort.pk)
        status = 400
    return render(
        request,
        "learning/cohorts/messages.html",
        {
            "cohort": cohort,
            "form": form,
            "cohort_messages": facilitating.cohort_message_list(cohort=cohort),
            "zone": time_zone_of(user=request.user),
        },
        status=status,
    )


@login_required
def summary_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    session = session_get(cohort=cohort, session_id=session_id)
    can_write = facilitating.summary_can_be_written(session)
    form = SummaryForm(request.POST or None, initial={"summary": session.summary})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                facilitating.session_summary_save(
                    session=session, summary=form.cleaned_data["summary"]
                )
            except LeapError as error:
                error.add_to_form(form)
            else:
                messages.success(
                    request,
                    f"The summary of “{session.title}” is saved; members see it on the book "
                    "club's page."
                    if session.summary
                    else f"The summary of “{session.title}” is removed.",
                )
                return redirect(
                    "cohort_participation:attendance", cohort_id=cohort.pk, session_id=session.pk
                )
        status = 400
    return render(
        request,
        "learning/cohorts/summary.html",
        {"cohort": cohort, "session": session, "form": form, "can_write": can_write},
        status=status,
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
def report_csv(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(cohort.title) or "book-club"
    response["Content-Disposition"] = f'attachment; filename="{name}-final-report.csv"'
    final_report.final_report_csv_write(
        report=final_report.final_report_get(cohort=cohort), out=response
    )
    return response
