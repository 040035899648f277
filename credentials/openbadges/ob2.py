"""Open Badges 2.0 JSON-LD for issuers, badge classes and assertions (hosted verification).

Every id is an absolute URL under SITE_URL; the URLs are a public contract."""

import json

from django.conf import settings

from cms.links import uuid_url
from credentials.models import Assertion, BadgeClass, Issuer

CONTEXT = "https://w3id.org/openbadges/v2"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_id(issuer: Issuer) -> str:
    return absolute(uuid_url("credentials:issuer", issuer.uuid))


def badge_class_id(badge_class: BadgeClass) -> str:
    return absolute(uuid_url("credentials:badge", badge_class.uuid))


def assertion_id(assertion: Assertion) -> str:
    return absolute(uuid_url("credentials:assertion", assertion.uuid))


def issuer_json(issuer: Issuer) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_id(issuer),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        data["description"] = issuer.description
    if issuer.image:
        data["image"] = absolute(uuid_url("credentials:issuer_image", issuer.uuid))
    return data


def badge_class_json(badge_class: BadgeClass) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_id(badge_class),
        "name": badge_class.name,
        "description": badge_class.description,
        "image": absolute(uuid_url("credentials:badge_image", badge_class.uuid)),
        "criteria": {"id": badge_class.criteria_url, "narrative": badge_class.criteria_narrative},
        "issuer": issuer_id(badge_class.issuer),
        "tags": badge_class.tags,
    }
    if badge_class.alignments:
        data["alignment"] = badge_class.alignments
    return data


def assertion_json(assertion: Assertion) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id(assertion),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.identity_hash,
        },
        "badge": badge_class_id(assertion.badge_class),
        "issuedOn": assertion.issued_on.isoformat(),
        "image": absolute(uuid_url("credentials:assertion_image", assertion.uuid)),
        "verification": {"type": "hosted"},
    }
    if assertion.expires_on:
        data["expires"] = assertion.expires_on.isoformat()
    evidence = {}
    if assertion.evidence_url:
        evidence["id"] = assertion.evidence_url
    evidence["narrative"] = assertion.narrative or (
        f"Awarded for meeting every criterion of the public rubric at "
        f"{assertion.badge_class.criteria_url}."
    )
    data["evidence"] = evidence
    if assertion.narrative:
        data["narrative"] = assertion.narrative
    return data


def revoked_json(assertion: Assertion) -> dict:
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id(assertion),
        "revoked": True,
        "revocationReason": assertion.revocation_reason,
    }


def dump(data: dict) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode()
