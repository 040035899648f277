from django.conf import settings

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
