"""The public verification documents, each built as what the public views serve and the
cache keeps (`PublicDocument`: status, the exact body, its media type, a strong ETag of the
body and when what it says last changed), or None when there is no such object.

Last-Modified comes from the records themselves where they say when they changed (an
assertion's `updated_at`, a badge class's `created_at`, the newest revocation, the newest
key); an issuer records no edit time, so `cache` dates its documents by when Leap last saw
the issuer change (docs/open-badges.md, "Caching and CDNs")."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max

from credentials.models import Assertion, BadgeClass, Issuer, IssuerKey
from credentials.openbadges import did, ob2, ob3, status_list
from credentials.openbadges.keys import issuer_signing_key

JSON_LD = "application/ld+json"
VC = "application/vc"


@dataclass(frozen=True)
class PublicDocument:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime
    etag: str
    # The cache's stamps (key: value) read before the database, when built through it.
    stamps: dict = field(default_factory=dict)


def etag_of(body: bytes) -> str:
    """A strong ETag: the hash of the exact bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def public_document(
    data: dict | str, *, last_modified: datetime, content_type: str = JSON_LD, status: int = 200
) -> PublicDocument:
    body = data.encode() if isinstance(data, str) else ob2.dump(data)
    return PublicDocument(status, body, content_type, last_modified, etag_of(body))


def issuer_public_json(uuid) -> PublicDocument | None:
    found = Issuer.objects.filter(uuid=uuid).first()
    if found is None:
        return None
    return public_document(ob2.issuer_json(found), last_modified=found.created_at)


def badge_class_public_json(uuid) -> PublicDocument | None:
    found = BadgeClass.objects.select_related("issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    return public_document(ob2.badge_class_json(found), last_modified=found.created_at)


def _revoked(assertion: Assertion) -> PublicDocument:
    """What a revoked badge's assertion and credential URLs answer: that it was revoked,
    and why, nothing of its evidence."""
    return public_document(
        ob2.revoked_json(assertion), last_modified=assertion.updated_at, status=410
    )


def assertion_public_json(uuid) -> PublicDocument | None:
    found = Assertion.objects.select_related("badge_class__issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    if found.revoked:
        return _revoked(found)
    return public_document(ob2.assertion_json(found), last_modified=found.updated_at)


def assertion_issuer_uuid(uuid):
    """The uuid of the issuer of an assertion (which never changes), or None."""
    return (
        Assertion.objects.filter(uuid=uuid).values_list("badge_class__issuer__uuid", flat=True)
    ).first()


def credential_public(uuid, form: str) -> PublicDocument | None:
    """The Open Badges 3.0 credential: `form` "json" is the JSON-LD credential with its Data
    Integrity proof, "jwt" the VC-JWT (ES256 signatures differ on every signing, so only a
    cached copy keeps its ETag)."""
    found = Assertion.objects.select_related("badge_class__issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    if found.revoked:
        return _revoked(found)
    if form == "json":
        credential = ob3.credential_signed(found)
        signed = datetime.fromisoformat(credential["proof"]["created"])
        return public_document(
            credential, last_modified=max(found.updated_at, signed), content_type=VC
        )
    key = issuer_signing_key(found.badge_class.issuer, IssuerKey.Algorithm.ES256)
    return public_document(
        ob3.credential_jwt(found),
        last_modified=max(found.updated_at, key.created_at),
        content_type=ob3.JWT_MEDIA_TYPE,
    )


def revocation_list_public(issuer_uuid) -> PublicDocument | None:
    issuer = Issuer.objects.filter(uuid=issuer_uuid).first()
    if issuer is None:
        return None
    newest = Assertion.objects.filter(badge_class__issuer=issuer, revoked=True).aggregate(
        newest=Max("revoked_at")
    )["newest"]
    return public_document(
        ob3.revocation_list(issuer), last_modified=max(filter(None, [newest, issuer.created_at]))
    )


def status_list_public(issuer_uuid, number: int) -> PublicDocument | None:
    issuer = Issuer.objects.filter(uuid=issuer_uuid).first()
    if issuer is None:
        return None
    credential = status_list.status_list_credential(issuer, number)
    if credential is None:
        return None
    # The proof is dated by the list's last change or its key, whichever is newer.
    changed = datetime.fromisoformat(credential["proof"]["created"])
    return public_document(credential, last_modified=changed, content_type=VC)


def public_key_public(issuer_uuid, kid: str) -> PublicDocument | None:
    """One public key (a VC-JWT's `kid`); a key never changes."""
    key = IssuerKey.objects.filter(issuer__uuid=issuer_uuid, kid=kid).first()
    if key is None:
        return None
    return public_document(
        key.public_jwk, last_modified=key.created_at, content_type="application/jwk+json"
    )


def _issuer_keys(issuer_uuid, algorithms) -> list[IssuerKey] | None:
    """Every key of the issuer, oldest first, each with its issuer: one query once the
    issuer has an active key of each algorithm (made here otherwise, so a key is published
    before anything is signed with it). None when there is no such issuer."""
    keys = list(
        IssuerKey.objects.filter(issuer__uuid=issuer_uuid)
        .select_related("issuer")
        .order_by("created_at", "pk")
    )
    if keys and {key.algorithm for key in keys if key.retired_at is None} >= set(algorithms):
        return keys
    issuer = Issuer.objects.filter(uuid=issuer_uuid).first()
    if issuer is None:
        return None
    for algorithm in algorithms:
        issuer_signing_key(issuer, algorithm)
    return list(issuer.keys.select_related("issuer").order_by("created_at", "pk"))


def jwks_public(issuer_uuid) -> PublicDocument | None:
    """The issuer's keys as a JWK set. Built on each request, in one query: keys are made
    and rotated outside any service that could tell the cache."""
    keys = _issuer_keys(issuer_uuid, list(IssuerKey.Algorithm))
    if keys is None:
        return None
    return public_document(
        {"keys": [key.public_jwk for key in keys]},
        last_modified=max(key.created_at for key in keys),
        content_type="application/jwk-set+json",
    )


def did_document_public(issuer_uuid) -> PublicDocument | None:
    """The issuer's DID document with every Ed25519 key it has signed with (the P-256 ones
    are in the JWKS); one query, like the JWKS."""
    keys = _issuer_keys(issuer_uuid, [IssuerKey.Algorithm.EDDSA])
    if keys is None:
        return None
    eddsa = [key for key in keys if key.algorithm == IssuerKey.Algorithm.EDDSA]
    issuer = keys[0].issuer
    return public_document(
        did.did_document(issuer, eddsa),
        last_modified=max(key.created_at for key in eddsa),
        content_type="application/did+json",
    )
