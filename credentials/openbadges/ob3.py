"""Open Badges 3.0: each assertion as an OpenBadgeCredential (VC Data Model 2.0), issued by
the issuer's did:web DID and secured two ways: an embedded eddsa-rdfc-2022 Data Integrity
proof by the issuer's Ed25519 key (the JSON-LD credential), and a VC-JWT by its P-256 key
(alg ES256, which the 1EdTech validator accepts; it accepts no EdDSA)."""

import jwt
from django.urls import reverse

from credentials.models import Assertion, Issuer, IssuerKey
from credentials.openbadges.data_integrity import proof_create
from credentials.openbadges.did import issuer_did, verification_method_id
from credentials.openbadges.keys import issuer_signing_key, private_key_of
from credentials.openbadges.ob2 import absolute, badge_class_id
from credentials.openbadges.status_list import status_entry_json
from credentials.openbadges.times import xsd_datetime

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Defines 1EdTechRevocationList and 1EdTechJsonSchemaValidator2019 below: without it
    # those types are undefined and strict verifiers (DCC's) refuse the credential.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
# The official JSON Schema the credential is valid against (tests/credentials/test_ob3_schema.py).
ACHIEVEMENT_CREDENTIAL_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
JWT_MEDIA_TYPE = "application/vc+jwt"


def subject_id(assertion: Assertion) -> str:
    """The recipient as the credential's subject: a random id, the same on all their
    badges, that says nothing of who they are (the e-mail is only in the hashed identifier)."""
    return f"urn:uuid:{assertion.subject_id}"


def credential_id(assertion: Assertion) -> str:
    return absolute(reverse("credentials:assertion_ob3", args=[assertion.uuid]))


def revocation_list_url(issuer: Issuer) -> str:
    return absolute(reverse("credentials:issuer_revocations", args=[issuer.uuid]))


def issuer_profile(issuer: Issuer) -> dict:
    """The issuer as Open Badges 3.0 names it: by its did:web DID, whose document holds the
    keys its proofs are made with (the OB 2.0 profile URL is its `url`'s sibling in the DID
    document's alsoKnownAs)."""
    profile = {
        "id": issuer_did(issuer),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.image:
        profile["image"] = {
            "id": absolute(reverse("credentials:issuer_image", args=[issuer.uuid])),
            "type": "Image",
        }
    return profile


def credential_json(assertion: Assertion) -> dict:
    badge_class = assertion.badge_class
    achievement = {
        "id": badge_class_id(badge_class),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": badge_class.name,
        "description": badge_class.description,
        "criteria": {"id": badge_class.criteria_url, "narrative": badge_class.criteria_narrative},
        "image": {
            "id": absolute(reverse("credentials:badge_image", args=[badge_class.uuid])),
            "type": "Image",
        },
        "tag": badge_class.tags,
    }
    if badge_class.alignments:
        achievement["alignment"] = [
            {"type": ["Alignment"], **alignment} for alignment in badge_class.alignments
        ]
    credential = {
        "@context": CONTEXTS,
        "id": credential_id(assertion),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(badge_class.issuer),
        "validFrom": xsd_datetime(assertion.issued_on),
        "name": badge_class.name,
        "credentialSubject": {
            "id": subject_id(assertion),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": assertion.identity_hash,
                    "salt": assertion.salt,
                }
            ],
            "achievement": achievement,
        },
        # The W3C Bitstring status list, which DCC's verifier and 1EdTech's both read (the
        # OB schema allows one status method; the VC-JWT names 1EdTech's revocation list).
        "credentialStatus": status_entry_json(assertion),
        "credentialSchema": [ACHIEVEMENT_CREDENTIAL_SCHEMA],
    }
    if assertion.expires_on:
        credential["validUntil"] = xsd_datetime(assertion.expires_on)
    if assertion.evidence_url:
        credential["evidence"] = [{"id": assertion.evidence_url, "type": ["Evidence"]}]
    return credential


def credential_signed(assertion: Assertion) -> dict:
    """The credential with an eddsa-rdfc-2022 Data Integrity proof by the issuer's current
    key, named by its DID URL. The proof's `created` is when the credential was issued, or
    when the key was made if it is newer (a key rotated since): the same bytes on every
    request, so caches and ETags hold."""
    issuer = assertion.badge_class.issuer
    key = issuer_signing_key(issuer)
    credential = credential_json(assertion)
    proof = proof_create(
        credential,
        private_key=private_key_of(key),
        verification_method=verification_method_id(key),
        created=xsd_datetime(max(assertion.issued_on, key.created_at)),
    )
    return {**credential, "proof": proof}


def credential_jwt(assertion: Assertion) -> str:
    """The credential as a compact JWS: the payload is the credential, with the JWT claims
    that VC-JWT verifiers look for (iss, sub, jti, nbf, exp), its status in 1EdTech's
    revocation list (the JSON-LD credential has the Bitstring list). `kid` is the URL of the
    one public key that verifies it."""
    issuer = assertion.badge_class.issuer
    key = issuer_signing_key(issuer, IssuerKey.Algorithm.ES256)
    credential = credential_json(assertion)
    credential["credentialStatus"] = {
        "id": revocation_list_url(issuer),
        "type": REVOCATION_LIST_TYPE,
    }
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(assertion.issued_on.replace(microsecond=0).timestamp()),
    }
    if assertion.expires_on:
        claims["exp"] = int(assertion.expires_on.replace(microsecond=0).timestamp())
    key_url = absolute(reverse("credentials:issuer_key", args=[issuer.uuid, key.kid]))
    headers = {"kid": key_url, "typ": "JWT"}
    return jwt.encode(claims, private_key_of(key), algorithm="ES256", headers=headers)


def revocation_list(issuer: Issuer) -> dict:
    """Which of the issuer's credentials are revoked, and why."""
    revoked = (
        Assertion.objects.filter(badge_class__issuer=issuer, revoked=True)
        .only("uuid", "revocation_reason")
        .order_by("revoked_at")
    )
    entries = [
        {"id": credential_id(assertion), "revocationReason": assertion.revocation_reason}
        for assertion in revoked
    ]
    return {
        "id": revocation_list_url(issuer),
        "type": REVOCATION_LIST_TYPE,
        "issuer": issuer_did(issuer),
        # The 1EdTech validator reads `revokedCredential`; the plural is what Leap wrote
        # before, kept for readers that learned it.
        "revokedCredential": entries,
        "revokedCredentials": entries,
    }
