"""Staff screens in the Wagtail admin for issued badges: revoke one, award many from CSV.
Served as views of the issued-badges viewset (credentials.wagtail_hooks)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.errors import LeapError
from accounts.models import BatchJob
from accounts.reauthentication import recent_authentication_required
from accounts.selectors import batch_list, batch_outcomes
from cms.spreadsheets import CSV_MAX_BYTES
from credentials.forms.badges import BulkAwardForm, RevokeForm
from credentials.models import Assertion
from credentials.services.badges import assertion_revoke
from credentials.services.bulk import BATCH_KIND, bulk_award_start


@recent_authentication_required
def revoke(request, uuid):
    if not request.user.has_perm("credentials.revoke_assertion"):
        raise PermissionDenied
    assertion = get_object_or_404(
        Assertion.objects.select_related("badge_class", "recipient"), uuid=uuid
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assertion_revoke(
                assertion=assertion, reason=form.cleaned_data["reason"], revoked_by=request.user
            )
        except LeapError as error:
            form.add_error("reason", error.message)
        else:
            holder = assertion.recipient_email or "a former member"
            messages.success(request, f"Revoked “{assertion.badge_class.name}” for {holder}.")
            return redirect("credentials_assertion:index")
    return TemplateResponse(
        request, "credentials/admin/revoke.html", {"assertion": assertion, "form": form}
    )


OUTCOME_LABELS = {
    "awarded": "Badges awarded",
    "already_held": "Already held (nothing awarded twice)",
    "failed": "Could not be done",
}


def _may_award(request) -> None:
    if not request.user.has_perm("credentials.award_assertion"):
        raise PermissionDenied


# Guarded on GET too: a chosen file cannot be kept across the confirmation page.
@recent_authentication_required(methods=("GET", "POST"))
def award_from_csv(request):
    """Check the whole file at once (nothing starts while any row is wrong), then award in
    the background and show the progress page: never a request that can time out half-way."""
    _may_award(request)
    form = BulkAwardForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough to say the file is too large; the rest is not read.
        data = upload.read(CSV_MAX_BYTES + 1)
        result = bulk_award_start(
            data=data,
            awarded_by=request.user,
            file_name=upload.name,
            url_for=lambda job: reverse("credentials_assertion:award_job", args=[job.uuid]),
        )
        if result.ok:
            messages.success(
                request, f"All {result.job.total} row(s) are right: awarding has started."
            )
            return redirect(result.job.url)
    return TemplateResponse(
        request,
        "credentials/admin/award_from_csv.html",
        {"form": form, "result": result, "jobs": batch_list(kind=BATCH_KIND)},
    )


def award_job(request, uuid):
    """A bulk award's progress: rows done, outcomes, rows that could not be done. Reloads
    itself every few seconds until the job is finished."""
    _may_award(request)
    job = get_object_or_404(
        BatchJob.objects.select_related("created_by"), uuid=uuid, kind=BATCH_KIND
    )
    return TemplateResponse(
        request,
        "credentials/admin/award_job.html",
        {"job": job, "outcomes": batch_outcomes(job, OUTCOME_LABELS)},
    )
