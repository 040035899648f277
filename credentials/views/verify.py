"""The public "Verify a badge" page and its JSON endpoint: any badge, from Leap or from
anywhere, checked the way an outside verifier would (credentials.verification)."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.throttle import throttle_request, too_many_requests
from credentials.forms.verify import VerifyForm
from credentials.verification.unpack import scrubbed
from credentials.verification.verify import badge_verify

API_HELP = (
    "POST a badge to check: multipart form fields `url`, `file` or `text` (and optionally "
    "`email`), or a JSON object with `url`, `text` or `credential` (and `email`)."
)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request):
    """GET: the form (or a check of `?url=`, which links to a badge can use). POST: check."""
    result = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif request.GET.get("url"):
        form = VerifyForm({"url": request.GET["url"], "email": request.GET.get("email", "")})
    else:
        form = VerifyForm()
    if form.is_bound and form.is_valid():
        wait = throttle_request(request, "verify")
        if wait is not None:
            return too_many_requests(request, wait)
        result = badge_verify(**form.badge_input(), email=form.cleaned_data.get("email") or "")
    context = {
        "form": form,
        "result": result,
        "max_megabytes": settings.LEAP_VERIFY_MAX_BYTES // 1_000_000,
        "timeout_seconds": settings.LEAP_VERIFY_TIMEOUT_SECONDS,
    }
    response = render(request, "credentials/verify.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> JsonResponse:
    return _json({"verdict": "unreadable", "error": message, "reason": message}, status)


@csrf_exempt  # no cookie is read and nothing is changed: any site may ask
@require_http_methods(["POST", "OPTIONS"])
def verify_api(request):
    if request.method == "OPTIONS":  # a browser's preflight for a JSON POST
        response = _json({})
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return response
    wait = throttle_request(request, "verify")
    if wait is not None:
        response = _error(429, "Too many checks from this address; please wait a minute.")
        response["Retry-After"] = str(wait)
        return response
    limit = settings.LEAP_VERIFY_MAX_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > limit + 100_000:
        return _error(413, f"The request is larger than the {limit // 1_000_000} MB Leap reads.")
    if request.content_type == "application/json":
        try:
            body = scrubbed(json.loads(request.body or b"{}"))
        except (ValueError, RecursionError):
            return _error(400, "The request body is not JSON. " + API_HELP)
        if not isinstance(body, dict):
            return _error(400, "The request body is not a JSON object. " + API_HELP)
        credential = body.get("credential")
        fields = {
            "url": body.get("url") or "",
            "text": json.dumps(credential)
            if isinstance(credential, dict)
            else body.get("text") or credential or "",
            "email": body.get("email") or "",
        }
        if not all(isinstance(value, str) for value in fields.values()):
            return _error(400, "`url`, `text` and `email` are strings. " + API_HELP)
        form = VerifyForm(fields)
    else:
        form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages = [message for errors in form.errors.values() for message in errors]
        return _error(400, " ".join(messages) + " " + API_HELP)
    result = badge_verify(**form.badge_input(), email=form.cleaned_data.get("email") or "")
    return _json(result.as_json(), 200 if result.verdict != "unreadable" else 422)
