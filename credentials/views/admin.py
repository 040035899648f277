"""Staff screens in the Wagtail admin for issued badges: revoke one, award many from CSV.
Served as views of the issued-badges viewset (credentials.wagtail_hooks)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from accounts.errors import LeapError
from cms.spreadsheets import CSV_MAX_BYTES
from credentials.forms.badges import BulkAwardForm, RevokeForm
from credentials.models import Assertion
from credentials.services.badges import assertion_revoke
from credentials.services.bulk import bulk_award


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


def award_from_csv(request):
    if not request.user.has_perm("credentials.award_assertion"):
        raise PermissionDenied
    form = BulkAwardForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        # One byte past the limit is enough to say the file is too large; the rest is not read.
        data = form.cleaned_data["file"].read(CSV_MAX_BYTES + 1)
        result = bulk_award(data=data, awarded_by=request.user)
        if result.ok:
            messages.success(
                request,
                f"Awarded {result.awarded} badge(s); {result.already_held} were already held.",
            )
            return redirect("credentials_assertion:index")
    return TemplateResponse(
        request, "credentials/admin/award_from_csv.html", {"form": form, "result": result}
    )
