"""The learner's own badges: status, public or private, downloads, sharing."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from accounts.throttle import throttled
from credentials.forms.verify import ExternalBadgeForm
from credentials.models import Assertion, ExternalBadge
from credentials.openbadges import ob2
from credentials.openbadges.exports import badges_zip
from credentials.selectors.badges import assertion_list
from credentials.services.badges import assertion_set_public
from credentials.services.external import (
    external_badge_add,
    external_badge_recheck,
    external_badge_remove,
)


def linkedin_add_url(assertion: Assertion) -> str:
    """LinkedIn's "add to profile" form, filled in with the certification."""
    issued = assertion.issued_on
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": assertion.badge_class.name,
        "organizationName": assertion.badge_class.issuer.name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": ob2.assertion_id(assertion),
        "certId": str(assertion.uuid),
    }
    if assertion.expires_on:
        params["expirationYear"] = assertion.expires_on.year
        params["expirationMonth"] = assertion.expires_on.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@login_required
def my_badges(request, form=None):
    assertions = assertion_list(recipient=request.user)
    for assertion in assertions:
        assertion.public_url = ob2.assertion_id(assertion)
        assertion.linkedin_url = linkedin_add_url(assertion)
    context = {
        "assertions": assertions,
        "external_badges": ExternalBadge.objects.filter(holder=request.user),
        "external_form": form or ExternalBadgeForm(),
    }
    return render(request, "credentials/my_badges.html", context, status=400 if form else 200)


@login_required
@require_POST
@throttled("verify")
def my_external_badge_add(request):
    """Add a badge earned elsewhere: verified first; refused with the reason otherwise."""
    form = ExternalBadgeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            badge = external_badge_add(holder=request.user, **form.badge_input())
        except LeapError as error:
            form.add_error(None, " ".join(error.problems))
        else:
            messages.success(request, f"“{badge.name}” is verified and added to your badges.")
            return redirect("my_badges")
    return my_badges(request, form=form)


@login_required
@require_POST
@throttled("verify")
def my_external_badge_recheck(request, uuid):
    badge = get_object_or_404(ExternalBadge, uuid=uuid, holder=request.user)
    badge = external_badge_recheck(badge=badge)
    messages.success(request, f"“{badge.name}” checked again: {badge.get_verdict_display()}.")
    return redirect("my_badges")


@login_required
@require_POST
def my_external_badge_remove(request, uuid):
    badge = get_object_or_404(ExternalBadge, uuid=uuid, holder=request.user)
    external_badge_remove(badge=badge)
    messages.success(request, f"“{badge.name}” is removed from your profile.")
    return redirect("my_badges")


@login_required
@throttled("export", methods=("GET",))
def my_badges_export(request):
    """Every badge the learner holds, in one zip: baked images, Open Badges 2.0 JSON and the
    signed Open Badges 3.0 credentials."""
    assertions = assertion_list(recipient=request.user)
    response = HttpResponse(badges_zip(assertions), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-leap-badges.zip"'
    return response


@login_required
@require_POST
def my_badge_visibility(request, uuid):
    # Another person's badge is simply not found.
    assertion = get_object_or_404(Assertion, uuid=uuid, recipient=request.user)
    make_public = request.POST.get("public") == "1"
    assertion_set_public(assertion=assertion, is_public=make_public)
    if make_public:
        messages.success(request, f"Your name now shows on “{assertion.badge_class.name}”.")
    else:
        messages.success(request, f"“{assertion.badge_class.name}” no longer shows your name.")
    return redirect("my_badges")
