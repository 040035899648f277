"""Public verification: Open Badges 2.0 JSON-LD for machines, a page for people."""

import json

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cms.middleware import UPLOAD_CSP
from credentials import cache as public_cache
from credentials import openbadges
from credentials.models import Assertion, BadgeClass, Issuer
from credentials.selectors import assertion_public, badge_class_public

JSON_LD = "application/ld+json"


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


def dump(data: dict) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def _cached_json(key: str, build):
    """(status, body) from the cache, built at most once per change."""
    return public_cache.remember(key, build)


@require_safe
def issuer(request, uuid):
    if wants_json(request):

        def build():
            found = Issuer.objects.filter(uuid=uuid).first()
            return (200, dump(openbadges.issuer_json(found))) if found else None

        cached = _cached_json(public_cache.issuer_key(uuid), build)
        if cached is None:
            raise Http404("No such issuer.")
        return json_response(cached[1], cached[0])
    found = get_object_or_404(Issuer, uuid=uuid)
    return html_response(request, "credentials/issuer.html", {"issuer": found})


@require_safe
def badge(request, uuid):
    if wants_json(request):

        def build():
            found = BadgeClass.objects.select_related("issuer").filter(uuid=uuid).first()
            return (200, dump(openbadges.badge_class_json(found))) if found else None

        cached = _cached_json(public_cache.badge_class_key(uuid), build)
        if cached is None:
            raise Http404("No such badge.")
        return json_response(cached[1], cached[0])
    return html_response(request, "credentials/badge_class.html", badge_class_public(uuid))


def build_assertion_json(uuid):
    """(status, body) of an assertion's public JSON, or None when there is no such badge."""
    found = Assertion.objects.select_related("badge_class__issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    if found.revoked:
        return (410, dump(openbadges.revoked_json(found)))
    return (200, dump(openbadges.assertion_json(found)))


@require_safe
def assertion(request, uuid):
    if wants_json(request):
        cached = _cached_json(public_cache.assertion_key(uuid), lambda: build_assertion_json(uuid))
        if cached is None:
            raise Http404("No such badge.")
        return json_response(cached[1], cached[0])
    return html_response(request, "credentials/assertion.html", assertion_public(uuid))


def _file(field, filename: str) -> FileResponse:
    content_type = "image/svg+xml" if field.name.lower().endswith(".svg") else "image/png"
    response = FileResponse(field.open("rb"), content_type=content_type, filename=filename)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = UPLOAD_CSP  # an SVG must not run script here
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def badge_image(request, uuid):
    found = get_object_or_404(BadgeClass, uuid=uuid)
    return _file(found.image, f"badge-{uuid}{'.svg' if found.image_is_svg else '.png'}")


@require_safe
def issuer_image(request, uuid):
    found = get_object_or_404(Issuer, uuid=uuid)
    if not found.image:
        raise Http404("This issuer has no image.")
    return _file(found.image, f"issuer-{uuid}.png")


@require_safe
def assertion_image(request, uuid):
    """The baked image: the badge with the assertion inside, baked again if it is missing."""
    from credentials.services import assertion_bake

    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    if not found.baked_image or not found.baked_image.storage.exists(found.baked_image.name):
        assertion_bake(assertion=found)
    extension = "svg" if found.badge_class.image_is_svg else "png"
    filename = f"{slugify(found.badge_class.name)}-badge.{extension}"
    response = _file(found.baked_image, filename)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def issuer_jwks(request, uuid):
    from credentials.keys import issuer_jwks as jwks
    from credentials.keys import issuer_signing_key

    found = get_object_or_404(Issuer, uuid=uuid)
    issuer_signing_key(found)  # publish a key before anything is signed with it
    response = HttpResponse(dump(jwks(found)), content_type="application/jwk-set+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def issuer_key(request, uuid, kid):
    """One public key, which a VC-JWT's `kid` names."""
    from credentials.models import IssuerKey

    key = get_object_or_404(IssuerKey, issuer__uuid=uuid, kid=kid)
    response = HttpResponse(dump(key.public_jwk), content_type="application/jwk+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def issuer_revocations(request, uuid):
    from credentials.ob3 import revocation_list

    found = get_object_or_404(Issuer, uuid=uuid)
    return json_response(dump(revocation_list(found)))


@require_safe
def assertion_ob3(request, uuid):
    from credentials.ob3 import JWT_MEDIA_TYPE, credential_jwt

    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    response = HttpResponse(credential_jwt(found), content_type=JWT_MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Disposition"] = f'inline; filename="{uuid}.jwt"'
    return response


@require_safe
def assertion_ob3_json(request, uuid):
    from credentials.ob3 import credential_json

    found = get_object_or_404(Assertion.objects.select_related("badge_class__issuer"), uuid=uuid)
    if found.revoked:
        return _revoked(found)
    response = json_response(dump(credential_json(found)))
    response["Content-Type"] = "application/vc"
    return response


def _revoked(assertion) -> HttpResponse:
    """What a revoked badge's image and credential URLs answer: that it was revoked, and
    nothing of its evidence."""
    return json_response(dump(openbadges.revoked_json(assertion)), status=410)


def not_found(request):
    raise Http404("No such Open Badges object.")
