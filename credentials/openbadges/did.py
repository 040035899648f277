"""Issuers as did:web identifiers (Open Badges 3.0; the OB 2.0 side keeps the HTTPS issuer
profile). Each issuer's DID resolves, by the did:web rules, to a DID document that Leap
serves itself at /public/issuers/<uuid>/did.json, listing every key the issuer has ever
signed with as a Multikey verification method: a rotated key stays listed, so what it
signed still verifies.

    SITE_URL https://leap.example.org  →  did:web:leap.example.org:public:issuers:<uuid>
    SITE_URL http://127.0.0.1:8000     →  did:web:127.0.0.1%3A8000:public:issuers:<uuid>
"""

import base64
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.urls import reverse

from credentials.models import Issuer, IssuerKey
from credentials.openbadges.multibase import ed25519_multikey

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def issuer_did(issuer: Issuer) -> str:
    """did:web:<host, its port's colon as %3A>[:<path segments>], of the DID document's URL
    without its final /did.json."""
    document = urlsplit(settings.SITE_URL + did_document_path(issuer))
    segments = document.path.removesuffix("/did.json").strip("/").split("/")
    return ":".join(["did:web", quote(document.netloc, safe=""), *map(quote, segments)])


def did_document_path(issuer: Issuer) -> str:
    return reverse("credentials:issuer_did", args=[issuer.uuid])


def did_web_url(did: str) -> str:
    """Where a did:web DID's document is (the did:web method's resolution rule; HTTPS
    except for a local address, where Leap runs in development and tests)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"{did} is not a did:web identifier.")
    host, *segments = did.removeprefix("did:web:").split("#")[0].split(":")
    host = unquote(host)
    local = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")
    scheme = "http" if local else "https"
    path = "/".join(unquote(segment) for segment in segments)
    return (
        f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"
    )


def verification_method_id(key: IssuerKey) -> str:
    return f"{issuer_did(key.issuer)}#{key.kid}"


def public_key_bytes(key: IssuerKey) -> bytes:
    x = key.public_jwk["x"]
    return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))


def did_document(issuer: Issuer, keys: list[IssuerKey]) -> dict:
    did = issuer_did(issuer)
    methods = [
        {
            "id": f"{did}#{key.kid}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": ed25519_multikey(public_key_bytes(key)),
        }
        for key in keys
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        # The same issuer as the Open Badges 2.0 profile.
        "alsoKnownAs": [settings.SITE_URL + reverse("credentials:issuer", args=[issuer.uuid])],
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }
