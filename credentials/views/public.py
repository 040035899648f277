"""Public verification: Open Badges 2.0 JSON-LD for machines, a page for people."""

import hashlib
from collections.abc import Callable
from functools import partial, wraps

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from accounts.throttle import throttle_request, throttle_request_reading, too_many_requests
from cms.middleware import UPLOAD_CSP
from credentials import http_cache
from credentials.models import Assertion, BadgeClass, Issuer
from credentials.openbadges import cache as public_cache
from credentials.openbadges import ob2, ob3
from credentials.openbadges.baking import assertion_baked_image
from credentials.openbadges.ob2 import dump
from credentials.openbadges.public import JSON_LD, VC, did_document_public, jwks_public
from credentials.selectors.badges import (
    assertion_public_get,
    badge_class_public_get,
    issuer_offer_list,
)


def public_view(view=None, *, reads: Callable[..., list[str]] | None = None):
    """A public verification endpoint: GET and HEAD only (405 otherwise), a generous limit
    per address (LEAP_THROTTLES["public"]) so one client cannot tie up the site, an ETag on
    every answer with a body (a client holding the same answer gets 304: the documents
    through `http_cache`, pages here), and a JSON 404 for clients that asked for JSON.

    `reads`, given the URL's arguments, names the cache keys a JSON answer reads
    (`public_cache.assertion_reads`, say): they are read in the same Redis round trip as the
    limit's count, and the view finds them in `request.public_cache_found`."""
    if view is None:
        return partial(public_view, reads=reads)

    @wraps(view)
    def answer(request, *args, **kwargs):
        # Leap asking its own public views in-process (the badge verifier) is no client.
        if not getattr(request, "leap_in_process", False):
            if reads is not None and wants_json(request):
                wait, request.public_cache_found = throttle_request_reading(
                    request, "public", reads(**kwargs)
                )
            else:
                wait = throttle_request(request, "public")
            if wait is not None:
                return too_many_requests(request, wait)
        try:
            response = view(request, *args, **kwargs)
        except Http404 as missing:
            if not wants_json(request):
                raise
            message = str(missing) or "No such Open Badges object."
            response = json_response(dump({"error": "not_found", "message": message}), 404)
        return revalidated(request, response)

    return require_safe(answer)


def _found(request) -> dict | None:
    """What `public_view` read from the cache for this request, if anything."""
    return getattr(request, "public_cache_found", None)


def revalidated(request, response: HttpResponse) -> HttpResponse:
    """A page for people: an ETag of its bytes, worked out once it is drawn (it shows the
    visitor's own navigation and a status that changes with the clock, so the cache keeps
    no copy of it); a 304 then saves sending it, not drawing it."""
    if response.status_code != 200 or response.streaming or response.has_header("ETag"):
        return response  # files and documents carry their own; errors are not revalidated
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)


MEDIA_TYPES = [JSON_LD, "application/json", "text/html"]


def wants_json(request) -> bool:
    """JSON unless the client prefers HTML (browsers do); `?format=json` forces JSON."""
    if request.META.get("QUERY_STRING") and request.GET.get("format") == "json":
        return True
    accept = request.META.get("HTTP_ACCEPT", "").lower()  # media types ignore case
    if "html" not in accept and "text/" not in accept:
        # What verifiers send (JSON types, */*, nothing): no text/html can be preferred,
        # so the answer is JSON without weighing the header (a tenth of a cached answer).
        return True
    return request.get_preferred_type(MEDIA_TYPES) != "text/html"


def html_response(request, template: str, context: dict) -> HttpResponse:
    response = render(request, template, context)
    response["Vary"] = "Accept"
    response["Cache-Control"] = "no-cache"
    return response


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type=JSON_LD, status=status)
    # Shared caches may keep a copy but must check back, so a revocation shows at once.
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


def _document(request, document, *, cache_control: str, negotiated: bool = False):
    if document is None:
        raise Http404("No such Open Badges object.")
    return http_cache.document_response(
        request, document, cache_control=cache_control, negotiated=negotiated
    )


@public_view(reads=public_cache.issuer_reads)
def issuer(request, uuid):
    if wants_json(request):
        document = public_cache.issuer_document(uuid, found=_found(request))
        return _document(request, document, cache_control=http_cache.DESCRIBES, negotiated=True)
    found = get_object_or_404(Issuer, uuid=uuid)
    offered = issuer_offer_list(issuer=found)
    return html_response(request, "credentials/issuer.html", {"issuer": found, "offered": offered})


@public_view(reads=public_cache.badge_class_reads)
def badge(request, uuid):
    if wants_json(request):
        document = public_cache.badge_class_document(uuid, found=_found(request))
        return _document(request, document, cache_control=http_cache.DESCRIBES, negotiated=True)
    return html_response(request, "credentials/badge_class.html", badge_class_public_get(uuid=uuid))


@public_view(reads=public_cache.assertion_reads)
def assertion(request, uuid):
    if wants_json(request):
        document = public_cache.assertion_document(uuid, found=_found(request))
        return _document(request, document, cache_control=http_cache.REVOCATION, negotiated=True)
    return html_response(request, "credentials/assertion.html", assertion_public_get(uuid=uuid))


def _file(request, field, filename: str) -> HttpResponse:
    """An image, with an ETag of its stored name and size (the name changes when the image
    does), so a verifier revalidating it gets 304; and CORS, so a page elsewhere can draw it."""
    etag = '"' + hashlib.sha256(f"{field.name}:{field.size}".encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        content_type = "image/svg+xml" if field.name.lower().endswith(".svg") else "image/png"
        response = FileResponse(field.open("rb"), content_type=content_type, filename=filename)
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = UPLOAD_CSP  # an SVG must not run script here
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_view
def badge_image(request, uuid):
    found = get_object_or_404(BadgeClass, uuid=uuid)
    return _file(request, found.image, f"badge-{uuid}{'.svg' if found.image_is_svg else '.png'}")


@public_view
def issuer_image(request, uuid):
    found = get_object_or_404(Issuer, uuid=uuid)
    if not found.image:
        raise Http404("This issuer has no image.")
    extension = ".svg" if found.image.name.lower().endswith(".svg") else ".png"
    response = _file(request, found.image, f"issuer-{uuid}{extension}")
    response["Cache-Control"] = "public, max-age=300"  # a district may change its image
    return response


@public_view
def assertion_image(request, uuid):
    """The baked image: the badge with the assertion inside, baked again if it is missing."""
    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    image = assertion_baked_image(assertion=found)
    extension = "svg" if found.badge_class.image_is_svg else "png"
    filename = f"{slugify(found.badge_class.name)}-badge.{extension}"
    response = _file(request, image, filename)
    response["Cache-Control"] = "private, no-cache"
    return response


@public_view
def issuer_jwks(request, uuid):
    return _document(request, jwks_public(uuid), cache_control=http_cache.KEY_SETS)


@public_view
def issuer_did_document(request, uuid):
    """The issuer's DID document (did:web), with every key it has signed with."""
    return _document(request, did_document_public(uuid), cache_control=http_cache.KEY_SETS)


@public_view
def issuer_key(request, uuid, kid):
    """One public key, which a VC-JWT's `kid` names."""
    document = public_cache.public_key_document(uuid, kid)
    return _document(request, document, cache_control=http_cache.KEY)


@public_view
def issuer_revocations(request, uuid):
    document = public_cache.revocation_list_document(uuid)
    return _document(request, document, cache_control=http_cache.REVOCATION)


@public_view
def issuer_status_list(request, uuid, number):
    """One of the issuer's Bitstring status lists, signed; kept until a revocation by the
    issuer, and revalidated by ETag after a minute."""
    document = public_cache.status_list_document(uuid, number)
    if document is None:
        raise Http404("This issuer has no such status list.")
    return _document(request, document, cache_control=http_cache.REVOCATION)


OB3_MEDIA_TYPES = [ob3.JWT_MEDIA_TYPE, "application/jwt", VC, JSON_LD]


@public_view
def assertion_ob3(request, uuid):
    """The VC-JWT, or the JSON-LD credential with its proof for a client that asks for
    `application/vc` or JSON-LD (content negotiation; `…/ob3.json` is the same)."""
    form = "json" if request.get_preferred_type(OB3_MEDIA_TYPES) in (VC, JSON_LD) else "jwt"
    document = public_cache.credential_document(uuid, form)
    response = _document(request, document, cache_control=http_cache.REVOCATION, negotiated=True)
    if document.content_type == ob3.JWT_MEDIA_TYPE:
        response["Content-Disposition"] = f'inline; filename="{uuid}.jwt"'
    return response


@public_view
def assertion_ob3_json(request, uuid):
    document = public_cache.credential_document(uuid, "json")
    return _document(request, document, cache_control=http_cache.REVOCATION)


def _revoked(assertion) -> HttpResponse:
    """What a revoked badge's image URL answers: that it was revoked, and nothing of its
    evidence."""
    return json_response(dump(ob2.revoked_json(assertion)), status=410)


@public_view
def not_found(request):
    raise Http404("No such Open Badges object.")
