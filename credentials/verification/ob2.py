"""Open Badges 2.0 verification, as the specification's verification section describes it.

Hosted: the issuer's copy at the assertion's `id` is the badge (a copy baked into an image
or pasted must match it); the assertion must be hosted where its issuer says its badges
live (the issuer's origin, or its `verification.allowedOrigins`); a 410 or `revoked: true`
means revoked. Signed: a JWS by the key the assertion names, which its issuer owns, and the
assertion not in the issuer's revocation list."""

import json
from urllib.parse import urlsplit

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from credentials.verification.fetch import FetchError
from credentials.verification.result import Verification, parsed_time

# What a copy of a hosted assertion may not change without it being another badge.
COMPARED = ("recipient", "badge", "issuedOn", "expires", "evidence", "revoked")


def strings(value) -> set[str]:
    """A JSON-LD value that may be one string or a list, as the set of its strings."""
    values = value if isinstance(value, list) else [value]
    return {item for item in values if isinstance(item, str)}


def is_assertion(document: dict) -> bool:
    return "Assertion" in strings(document.get("type")) or (
        "recipient" in document and "badge" in document
    )


def _verification(assertion: dict) -> dict:
    method = assertion.get("verification") or assertion.get("verify") or {}
    return method if isinstance(method, dict) else {}


def _verification_type(assertion: dict) -> str:
    method = _verification(assertion)
    kind = str(method.get("type", "") if isinstance(method, dict) else "").lower()
    return "signed" if kind in ("signed", "signedbadge") else "hosted"


def hosted_verify(result: Verification, *, document: dict | None, url: str | None) -> None:
    """A hosted assertion, given as its URL or as a copy (pasted or baked)."""
    result.format = "Open Badges 2.0, hosted"
    if document is not None and _verification_type(document) == "signed":
        result.format = "Open Badges 2.0, signed"
        result.failed(
            "Signature",
            "This is a signed badge given without its signature: check the JWT baked into "
            "its image instead.",
        )
        return
    assertion_url = url or str((document or {}).get("id", ""))
    if not assertion_url.startswith(("http://", "https://")):
        result.failed("Issuer's copy", "It does not say where its issuer hosts it (no id URL).")
        return
    try:
        status, hosted = result.get_json(assertion_url, what="assertion")
    except FetchError as error:
        result.failed("Issuer's copy", str(error))
        return
    if status == 410 or hosted.get("revoked") is True:
        _describe(result, document or hosted)
        result.passed("Issuer's copy", f"Its issuer answers for it at {assertion_url}.")
        result.revoked(str(hosted.get("revocationReason", "")))
        return
    if not is_assertion(hosted):
        result.failed("Issuer's copy", f"{assertion_url} is not an Open Badges assertion.")
        return
    if hosted.get("id") != assertion_url:
        result.failed("Issuer's copy", f"The assertion at {assertion_url} names another id.")
        return
    if document is not None and document is not hosted:
        changed = [
            name for name in COMPARED if _norm(document.get(name)) != _norm(hosted.get(name))
        ]
        if changed:
            result.failed(
                "Issuer's copy",
                "This copy differs from its issuer's at "
                f"{assertion_url} in {', '.join(changed)}: it has been altered.",
            )
            return
    result.passed("Issuer's copy", f"It matches its issuer's copy at {assertion_url}.")
    result.document = hosted
    _badge_and_issuer(result, hosted, assertion_url)


def _norm(value) -> str:
    return json.dumps(value, sort_keys=True)


def _issuer_of(result: Verification, assertion: dict) -> dict | None:
    """The assertion's issuer profile, through its badge class (both described on the
    result); None, with the check failed, when either cannot be had."""
    badge_class = _linked(result, assertion.get("badge"), "badge class", "BadgeClass")
    if badge_class is None:
        return None
    issuer = _linked(result, badge_class.get("issuer"), "issuer profile", "Issuer", "Profile")
    if issuer is not None:
        _describe(result, assertion, badge_class, issuer)
    return issuer


def _badge_and_issuer(result: Verification, assertion: dict, assertion_url: str) -> None:
    issuer = _issuer_of(result, assertion)
    if issuer is None:
        return
    if not _hosted_where_issuer_says(issuer, assertion_url):
        result.failed(
            "Issuer",
            f"It is hosted at {assertion_url}, which its issuer “{issuer.get('name', '')}” "
            "does not name as a place its badges live.",
        )
        return
    result.passed("Issuer", f"Issued by “{issuer.get('name', '')}”, who hosts it.")
    result.times_check(
        parsed_time(assertion.get("issuedOn")), parsed_time(assertion.get("expires"))
    )
    result.passed("Status", "Its issuer has not revoked it.")
    recipient = assertion.get("recipient")
    result.recipient_check([recipient] if isinstance(recipient, dict) else [])


def _linked(result: Verification, value, what: str, *kinds: str) -> dict | None:
    """The badge class or issuer profile the value names, as its own URL serves it: a copy
    embedded in the assertion is not trusted (anyone can write one naming any issuer)."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        result.failed(what.capitalize(), f"It does not say where its {what} is published.")
        return None
    try:
        _status, found = result.get_json(url, what=what)
    except FetchError as error:
        result.failed(what.capitalize(), str(error))
        return None
    if found.get("id") != url:
        result.failed(what.capitalize(), f"The {what} at {url} names another id.")
        return None
    if not set(kinds) & strings(found.get("type")):
        result.failed(what.capitalize(), f"Its {what} is not an Open Badges {kinds[0]}.")
        return None
    return found


def _hosted_where_issuer_says(issuer: dict, assertion_url: str) -> bool:
    """The issuer's verification rule: its hosted assertions live at an address starting
    with one of `startsWith`, else on one of `allowedOrigins`, else on its own host."""
    verification = _verification(issuer)
    prefixes = strings(verification.get("startsWith"))
    if prefixes:
        return any(assertion_url.startswith(prefix) for prefix in prefixes)
    allowed = strings(verification.get("allowedOrigins")) or {
        urlsplit(str(issuer.get("id", ""))).hostname
    }
    return urlsplit(assertion_url).hostname in allowed


def _describe(result: Verification, assertion: dict, badge_class=None, issuer=None) -> None:
    badge = result.badge
    badge.id = str(assertion.get("id", ""))
    badge.issued_on = parsed_time(assertion.get("issuedOn"))
    badge.expires_on = parsed_time(assertion.get("expires"))
    if isinstance(badge_class, dict):
        badge.name = str(badge_class.get("name", ""))
        badge.description = str(badge_class.get("description", ""))
        criteria = badge_class.get("criteria")
        badge.criteria_url = str(
            criteria.get("id", "") if isinstance(criteria, dict) else criteria or ""
        )
    if isinstance(issuer, dict):
        badge.issuer_name = str(issuer.get("name", ""))
        badge.issuer_id = str(issuer.get("id", ""))
        badge.issuer_url = str(issuer.get("url", ""))


def _issuer_vouches_for_key(issuer: dict, creator: str) -> bool:
    """A signing key counts when the issuer's own profile lists it (`publicKey`), or it is
    published under the issuer profile's own address (not merely on its host, which many
    issuers may share)."""
    listed = issuer.get("publicKey")
    listed = listed if isinstance(listed, list) else [listed]
    ids = {item.get("id") if isinstance(item, dict) else item for item in listed}
    issuer_id = str(issuer.get("id", "")).rstrip("/")
    return creator in ids or creator.startswith((issuer_id + "/", issuer_id + "#"))


def signed_verify(result: Verification, token: str, payload: dict) -> None:
    """A signed assertion: a JWS (RS256) by the key its `verification.creator` names."""
    result.format = "Open Badges 2.0, signed"
    result.document = payload
    creator = _verification(payload).get("creator")
    issuer = _issuer_of(result, payload)
    if issuer is None:
        return
    if not isinstance(creator, str) or not creator:
        result.failed("Signature", "It does not name the key that signed it.")
        return
    if not _issuer_vouches_for_key(issuer, creator):
        result.failed("Signature", "The key that signed it is not one its issuer publishes.")
        return
    try:
        _status, key = result.get_json(creator, what="signing key")
        if key.get("owner") != issuer.get("id") or key.get("id") != creator:
            result.failed("Signature", "The key that signed it does not belong to its issuer.")
            return
        try:
            public = serialization.load_pem_public_key(str(key.get("publicKeyPem", "")).encode())
        except (ValueError, TypeError, UnsupportedAlgorithm):
            public = None
        if not isinstance(public, rsa.RSAPublicKey):
            result.failed("Signature", "The key that signed it is not a readable RSA public key.")
            return
        jwt.decode(
            token,
            public,
            algorithms=["RS256"],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except FetchError as error:
        result.failed("Signature", str(error))
        return
    except jwt.PyJWTError:
        result.failed("Signature", "The signature does not match: it was changed after signing.")
        return
    result.passed("Signature", f"Signed by “{issuer.get('name', '')}”.")
    result.times_check(parsed_time(payload.get("issuedOn")), parsed_time(payload.get("expires")))
    revocations = issuer.get("revocationList")
    if revocations:
        try:
            _status, listed = result.get_json(revocations, what="revocation list")
        except FetchError as error:
            result.failed("Status", str(error))
            return
        entries = listed.get("revokedAssertions")
        for entry in entries if isinstance(entries, list) else []:
            entry_id = entry.get("id") or entry.get("uid") if isinstance(entry, dict) else entry
            if entry_id and entry_id in (payload.get("id"), payload.get("uid")):
                reason = entry.get("revocationReason", "") if isinstance(entry, dict) else ""
                result.revoked(reason)
                return
    result.passed("Status", "Its issuer has not revoked it.")
    recipient = payload.get("recipient")
    result.recipient_check([recipient] if isinstance(recipient, dict) else [])
