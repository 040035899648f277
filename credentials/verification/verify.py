"""Verify a badge, from anywhere, in any of the forms badges travel in: a link, a baked PNG
or SVG image, OB 2.0 or OB 3.0 JSON, or a JWT. The answer is a `Verification`: each check
with its outcome in plain words, and one verdict.

    badge_verify(text="https://…")            a link to the badge (or its image)
    badge_verify(data=uploaded_bytes, name=…) an uploaded file
    badge_verify(text=pasted_json_or_jwt, email="…")
    badge_verify(text=…, emails=[…])          issued to any of these addresses?"""

import logging

import jwt

from credentials.verification import ob2, ob3
from credentials.verification.fetch import FetchError
from credentials.verification.result import Verification
from credentials.verification.unpack import (
    Presented,
    Unreadable,
    presented_from_bytes,
    presented_from_text,
)

NOT_A_BADGE = (
    "This is not an Open Badge: it is neither an Open Badges 2.0 assertion nor an Open "
    "Badges 3.0 credential."
)


logger = logging.getLogger(__name__)


def badge_verify(
    *,
    text: str = "",
    data: bytes | None = None,
    name: str = "",
    email: str = "",
    emails: list[str] = (),
) -> Verification:
    addresses = [address.strip() for address in [email, *emails] if address and address.strip()]
    result = Verification(emails=list(dict.fromkeys(addresses)))
    try:
        if data is not None:
            presented = presented_from_bytes(data, name=name)
        else:
            presented = presented_from_text(text, source="a link")
            if presented.url is None:
                presented.source = "a JWT" if presented.token else "JSON"
        result.source = presented.source
        _dispatch(result, presented, hops=2)
    except Unreadable as error:
        result.unreadable = str(error)
    except FetchError as error:
        result.unreadable = str(error)
        result.unreachable = True
    except Exception:  # a shape of badge no check foresaw: say so, never a 500
        logger.exception("Verifying a badge failed unexpectedly")
        result.unreadable = (
            "Leap could not check this badge: some part of it is not in the form the Open "
            "Badges specifications give."
        )
        result.checks = []
    result.badge.tidy()
    return result


def _dispatch(result: Verification, presented: Presented, *, hops: int) -> None:
    if presented.url is not None:
        _from_url(result, presented.url, hops=hops)
    elif presented.token is not None:
        _from_token(result, presented.token)
    else:
        _from_document(result, presented.document or {})


def _from_url(result: Verification, url: str, *, hops: int) -> None:
    answer = result.fetcher.get(url)
    kind = answer.content_type.split(";")[0].strip().lower()
    if answer.status == 404:
        raise Unreadable(f"Nothing is found at {url} (HTTP 404).")
    if answer.status >= 500 or answer.status == 429:
        result.unreachable = True
    if answer.status >= 400 and answer.status != 410:
        raise Unreadable(f"{url} answered with an error (HTTP {answer.status}).")
    if kind == "text/html":
        raise Unreadable(
            f"{url} is a web page, not a badge. Give the link to the badge's JSON, or "
            "download the badge image and upload it."
        )
    presented = presented_from_bytes(answer.body)
    baked = presented.source.startswith("a baked")
    if presented.url is not None:
        if hops <= 0:
            raise Unreadable("This badge points from link to link without ending in a badge.")
        _from_url(result, presented.url, hops=hops - 1)
        return
    if not baked and presented.document is not None and ob2.is_assertion(presented.document):
        # The link is the hosted assertion itself (or its revocation notice).
        ob2.hosted_verify(result, document=None, url=url)
        return
    _dispatch(result, presented, hops=hops - 1)


def _from_document(result: Verification, document: dict) -> None:
    if ob3.is_credential(document):
        ob3.credential_verify(result, document)
    elif ob2.is_assertion(document):
        ob2.hosted_verify(result, document=document, url=None)
    elif document.get("revoked") is True:
        result.format = "Open Badges 2.0, hosted"
        result.revoked(str(document.get("revocationReason", "")))
    else:
        raise Unreadable(NOT_A_BADGE)


def _from_token(result: Verification, token: str) -> None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unreadable("This looks like a JWT, but its parts are not readable JSON.") from error
    if isinstance(claims.get("vc"), dict) or ob3.is_credential(claims):
        ob3.jwt_verify(result, token)
    elif ob2.is_assertion(claims):
        ob2.signed_verify(result, token, claims)
    else:
        raise Unreadable(NOT_A_BADGE)
