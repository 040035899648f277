"""Every error the API gives has one shape: `{"detail": "<what went wrong, in words>"}`,
and for parameters that were not valid also `"errors": {"<parameter>": ["<why>"]}`."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler


def api_exception_handler(error, context):
    if isinstance(error, Http404):
        error = exceptions.NotFound(
            "There is nothing at this address in your district: the id may belong to "
            "another district, or never have existed."
        )
    elif isinstance(error, exceptions.NotAuthenticated):
        header = getattr(error, "auth_header", None)  # WWW-Authenticate, set by DRF
        error = exceptions.NotAuthenticated(
            "Send an API token as “Authorization: Bearer <token>”. A district admin makes "
            "them under the district's Integrations."
        )
        error.auth_header = header
    elif isinstance(error, exceptions.Throttled):
        error = exceptions.Throttled(
            wait=error.wait,
            detail="This token has made too many requests in a short while. Wait "
            f"{int(error.wait or 60)} seconds (see Retry-After), then go on.",
        )
    elif isinstance(error, exceptions.ValidationError):
        response = exception_handler(error, context)
        detail = error.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        names = ", ".join(f"“{name}”" for name in errors)
        response.data = {"detail": f"These parameters are not valid: {names}.", "errors": errors}
        return response
    return exception_handler(error, context)
