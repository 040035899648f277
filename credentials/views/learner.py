"""The learner's own badges: status, public or private, downloads, sharing."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.throttle import throttled
from credentials.models import Assertion
from credentials.openbadges import ob2
from credentials.openbadges.exports import badges_zip
from credentials.selectors.badges import assertion_list
from credentials.services.badges import assertion_set_public


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
def my_badges(request):
    assertions = assertion_list(recipient=request.user)
    for assertion in assertions:
        assertion.public_url = ob2.assertion_id(assertion)
        assertion.linkedin_url = linkedin_add_url(assertion)
    return render(request, "credentials/my_badges.html", {"assertions": assertions})


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
