from django.conf import settings
from django.utils.cache import add_never_cache_headers

# Uploaded files (SVG images above all) must never run script in the site's origin.
UPLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class UploadedFilesSecurityMiddleware:
    """Serve files under MEDIA_URL with a sandboxing Content-Security-Policy. In production
    the web server or CDN that serves media must send the same header (see README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.MEDIA_URL):
            response["Content-Security-Policy"] = UPLOAD_CSP
            response["X-Content-Type-Options"] = "nosniff"
        return response


def policy_header(directives: dict[str, list[str]]) -> str:
    """{"script-src": ["'self'"], …} → "script-src 'self'; …" """
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """The headers every response carries (docs/security.md):

    - Content-Security-Policy: Leap's own pages run only Leap's script and style files
      (`LEAP_CSP`); the two admins, which Wagtail and Django build with inline script and
      styles, get `LEAP_CSP_ADMIN` under their own paths only. A response that already has
      a policy (uploaded files, PDF previews: sandboxed) keeps it.
    - Permissions-Policy: no screen uses the camera, microphone, location and the like.
    - Cache-Control: no-store on every response to someone signed in, unless the view
      marked it public (the Open Badges JSON and images), so private pages stay out of
      shared caches and the back button after log-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = policy_header(settings.LEAP_CSP)
        self.admin_policy = policy_header(settings.LEAP_CSP_ADMIN)
        self.permissions = ", ".join(f"{feature}=()" for feature in settings.LEAP_PERMISSIONS_OFF)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not _debug_page(response):
            admin = request.path.startswith(settings.LEAP_CSP_ADMIN_PATHS)
            response["Content-Security-Policy"] = self.admin_policy if admin else self.policy
        response.setdefault("Permissions-Policy", self.permissions)
        if _signed_in(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def _signed_in(request) -> bool:
    # Static files are answered (by whitenoise) before anyone is looked up.
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def _debug_page(response) -> bool:
    # Django's own error pages in development are styled inline.
    return settings.DEBUG and response.status_code in (404, 500)
