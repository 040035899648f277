"""HTTP caching of the public verification documents, for browsers, verifiers and a CDN in
front of Leap: a strong ETag and Last-Modified on each, `304 Not Modified` to a client that
holds the current one (answered from the cached document, nothing built), and the
Cache-Control each kind of document can bear (docs/open-badges.md, "Caching and CDNs")."""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from credentials.openbadges.public import PublicDocument

# What says who holds a badge and what it is for: a short life, then served while it is
# checked again in the background, and kept through an outage of Leap.
DESCRIBES = "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400"
# What a verifier reads to learn of a revocation (the assertion, the credential, the
# revocation and status lists): a minute, a minute more while it is checked again, and
# five minutes through an outage, so a revocation reaches every cache within two minutes
# even with no purge.
REVOCATION = "public, max-age=60, stale-while-revalidate=60, stale-if-error=300"
# The issuer's key sets: a rotated key must be found soon after it signs.
KEY_SETS = "public, max-age=300, stale-while-revalidate=300, stale-if-error=86400"
# One key, named by its kid, never changes.
KEY = "public, max-age=86400, stale-while-revalidate=604800, stale-if-error=604800"


def document_response(
    request, document: PublicDocument, *, cache_control: str, negotiated: bool = False
) -> HttpResponse:
    """The document, or 304 when the request's If-None-Match (weak comparison, as RFC 9110
    says: a CDN that compresses may weaken the tag) or, failing that, If-Modified-Since
    shows the client holds it. `negotiated`: the URL answers by Accept (Vary)."""
    response = HttpResponse(
        document.body, content_type=document.content_type, status=document.status
    )
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.last_modified.timestamp())
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    if negotiated:
        response["Vary"] = "Accept"
    # Conditions apply to 2xx answers only (RFC 9110 13.2.1): a 410 is sent whole.
    answer = get_conditional_response(
        request,
        etag=document.etag,
        last_modified=int(document.last_modified.timestamp()),
        response=response,
    )
    if answer is not response:
        answer["Access-Control-Allow-Origin"] = "*"
    return answer
