"""Public verification: Open Badges 2.0 JSON-LD for machines, a page for people."""

import hashlib
from functools import wraps

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from accounts.throttle import throttled
from cms.middleware import UPLOAD_CSP
from credentials.models import Assertion, BadgeClass, Issuer, IssuerKey
from credentials.openbadges import cache as public_cache
from credentials.openbadges import did, ob2, ob3, status_list
from credentials.openbadges.baking import assertion_baked_image
from credentials.openbadges.keys import issuer_jwks as jwks
from credentials.openbadges.keys import issuer_signing_key
from credentials.openbadges.ob2 import dump
from credentials.openbadges.public import (
    assertion_public_json,
    badge_class_public_json,
    issuer_public_json,
)
from credentials.selectors.badges import (
    assertion_public_get,
    badge_class_public_get,
    issuer_offer_list,
)

JSON_LD = "application/ld+json"


def public_view(view):
    """A public verification endpoint: GET and HEAD only (405 otherwise), a generous limit
    per address (LEAP_THROTTLES["public"]) so one client cannot tie up the site, an ETag on
    every answer with a body (a client holding the same answer gets 304), and a JSON 404
    for clients that asked for JSON."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as missing:
            if not wants_json(request):
                raise
            message = str(missing) or "No such Open Badges object."
            response = json_response(dump({"error": "not_found", "message": message}), 404)
        return revalidated(request, response)

    return require_safe(throttled("public", methods=("GET", "HEAD"))(answer))


def revalidated(request, response: HttpResponse) -> HttpResponse:
    if response.status_code != 200 or response.streaming:
        return response  # files carry their own max-age; errors are not revalidated
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)


MEDIA_TYPES = [JSON_LD, "application/json", "text/html"]


def wants_json(request) -> bool:
    """JSON unless the client prefers HTML (browsers do); `?format=json` forces JSON."""
    if request.GET.get("format") == "json":
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


def _cached_json_or_404(key: str, build) -> HttpResponse:
    cached = public_cache.remember(key, build)
    if cached is None:
        raise Http404("No such Open Badges object.")
    status, body = cached
    return json_response(body, status)


@public_view
def issuer(request, uuid):
    if wants_json(request):
        return _cached_json_or_404(public_cache.issuer_key(uuid), lambda: issuer_public_json(uuid))
    found = get_object_or_404(Issuer, uuid=uuid)
    offered = issuer_offer_list(issuer=found)
    return html_response(request, "credentials/issuer.html", {"issuer": found, "offered": offered})


@public_view
def badge(request, uuid):
    if wants_json(request):
        key = public_cache.badge_class_key(uuid)
        return _cached_json_or_404(key, lambda: badge_class_public_json(uuid))
    return html_response(request, "credentials/badge_class.html", badge_class_public_get(uuid=uuid))


@public_view
def assertion(request, uuid):
    if wants_json(request):
        key = public_cache.assertion_key(uuid)
        return _cached_json_or_404(key, lambda: assertion_public_json(uuid))
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
    found = get_object_or_404(Issuer, uuid=uuid)
    for algorithm in IssuerKey.Algorithm:  # publish keys before anything is signed with them
        issuer_signing_key(found, algorithm)
    response = HttpResponse(dump(jwks(found)), content_type="application/jwk-set+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@public_view
def issuer_did_document(request, uuid):
    """The issuer's DID document (did:web), with every key it has signed with."""
    found = get_object_or_404(Issuer, uuid=uuid)
    issuer_signing_key(found)  # publish a key before anything is signed with it
    # Ed25519 keys, which sign the Data Integrity proofs (the P-256 ones are in the JWKS).
    document = did.did_document(found, list(found.keys.filter(algorithm=IssuerKey.Algorithm.EDDSA)))
    response = HttpResponse(dump(document), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@public_view
def issuer_key(request, uuid, kid):
    """One public key, which a VC-JWT's `kid` names."""
    key = get_object_or_404(IssuerKey, issuer__uuid=uuid, kid=kid)
    response = HttpResponse(dump(key.public_jwk), content_type="application/jwk+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@public_view
def issuer_revocations(request, uuid):
    found = get_object_or_404(Issuer, uuid=uuid)
    return json_response(dump(ob3.revocation_list(found)))


@public_view
def issuer_status_list(request, uuid, number):
    """One of the issuer's Bitstring status lists, signed (revalidated by ETag: a revocation
    shows the moment it commits)."""
    found = get_object_or_404(Issuer, uuid=uuid)
    credential = status_list.status_list_credential(found, number)
    if credential is None:
        raise Http404("This issuer has no such status list.")
    response = json_response(dump(credential))
    response["Content-Type"] = "application/vc"
    return response


OB3_MEDIA_TYPES = [ob3.JWT_MEDIA_TYPE, "application/jwt", "application/vc", JSON_LD]


@public_view
def assertion_ob3(request, uuid):
    """The VC-JWT, or the JSON-LD credential with its proof for a client that asks for
    `application/vc` or JSON-LD (content negotiation; `…/ob3.json` is the same)."""
    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    if request.get_preferred_type(OB3_MEDIA_TYPES) in ("application/vc", JSON_LD):
        response = json_response(dump(ob3.credential_signed(found)))
        response["Content-Type"] = "application/vc"
        return response
    response = HttpResponse(ob3.credential_jwt(found), content_type=ob3.JWT_MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    response["Content-Disposition"] = f'inline; filename="{uuid}.jwt"'
    return response


@public_view
def assertion_ob3_json(request, uuid):
    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    response = json_response(dump(ob3.credential_signed(found)))
    response["Content-Type"] = "application/vc"
    return response


def _revoked(assertion) -> HttpResponse:
    """What a revoked badge's image and credential URLs answer: that it was revoked, and
    nothing of its evidence."""
    return json_response(dump(ob2.revoked_json(assertion)), status=410)


@public_view
def not_found(request):
    raise Http404("No such Open Badges object.")
