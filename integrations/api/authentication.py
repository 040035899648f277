"""Who is asking: a district's API token, sent as `Authorization: Bearer <token>`. A token
reads its own district only, and only the endpoints its scopes open; each token has its
own rate limit (LEAP_THROTTLES["api"])."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import formats, timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from accounts.throttle import (
    throttle_allows,
    throttle_blocked,
    throttle_failure,
    throttle_request,
)
from integrations.models import ApiScope, ApiToken
from integrations.selectors import api_token_for_secret
from integrations.services import api_token_used

ASK_ADMIN = "A district admin can make a new one on the district's page, under Integrations."


UNKNOWN = "api-unknown-token"  # guesses at tokens, counted per address


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        try:
            kind, _, secret = header.decode("ascii").partition(" ")
        except UnicodeDecodeError:
            kind, secret = "", ""
        secret = secret.strip()
        if kind.lower() != "bearer" or not secret or " " in secret:
            raise AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        wait = throttle_blocked(request._request, UNKNOWN)
        if wait:
            raise Throttled(wait=wait)
        token = api_token_for_secret(secret)
        if token is None:
            throttle_failure(request._request, UNKNOWN)
        if token is None or not token.district.is_active:
            raise AuthenticationFailed(f"This API token is not one Leap knows. {ASK_ADMIN}")
        if token.is_revoked:
            raise AuthenticationFailed(
                f"This API token was revoked on {_day(token.revoked_at)}. {ASK_ADMIN}"
            )
        if token.is_expired:
            raise AuthenticationFailed(
                f"This API token expired on {_day(token.expires_at)}. {ASK_ADMIN}"
            )
        api_token_used(token=token)
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="Leap district API"'


class TokenHasScope(BasePermission):
    """The view's `scope` must be one of the token's."""

    message = "Send an API token."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        scope = getattr(view, "scope", None)
        if scope is None or scope in token.scopes:
            return True
        self.message = (
            f"This token may not read {ApiScope(scope).label.lower()}: it needs the “{scope}” "
            f"scope, and has {', '.join(token.scopes)}. {ASK_ADMIN}"
        )
        return False


class ApiTokenThrottle(BaseThrottle):
    """At most LEAP_THROTTLES["api"]["token"] requests per token in a window; what is
    served without a token (the schema, its documentation) counts per address, as Leap's
    other public documents do."""

    seconds = 60

    def allow_request(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            wait = throttle_request(request._request, "public")
            self.seconds = wait or self.seconds
            return wait is None
        limit, self.seconds = settings.LEAP_THROTTLES["api"]["token"]
        return throttle_allows(
            scope="api", key=f"token:{token.token_hash}", limit=limit, seconds=self.seconds
        )

    def wait(self) -> int:
        return self.seconds


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token."""

    target_class = ApiTokenAuthentication
    name = "districtToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token a district admin created (it starts with “leap_”).",
        }
