"""Does every badge still verify? A read-only check of what an outside verifier relies on,
run after restoring a backup (`manage.py badges_verify`) and by the backup test.

For each assertion: its hosted Open Badges 2.0 JSON can be built and names it (or, when
revoked, says so); the badge class image is in storage; a baked image, when one was made,
is in storage and carries the assertion's own id; and the issuer's Open Badges 3.0
signing key decrypts with this installation's encryption keys and matches the public key
it publishes, so credentials signed with it verify. Nothing is written: an issuer with no
key yet (one is made at its first OB 3.0 request) is left as it is.
"""

import json
from dataclasses import dataclass, field

import jwt
from cryptography.fernet import InvalidToken
from openbadges_bakery import unbake

from credentials.models import Assertion, Issuer, IssuerKey
from credentials.openbadges import ob2
from credentials.openbadges.keys import private_key_of


@dataclass
class BadgeCheck:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _image_problems(assertion: Assertion) -> list[str]:
    problems = []
    image = assertion.badge_class.image
    if not image or not image.storage.exists(image.name):
        problems.append("its badge class image is missing from storage")
    baked = assertion.baked_image
    if baked:
        if not baked.storage.exists(baked.name):
            problems.append(f"its baked image {baked.name} is missing from storage")
        else:
            with baked.open("rb") as stored:
                inside = unbake(stored)
            if not inside or json.loads(inside).get("id") != ob2.assertion_id(assertion):
                problems.append("its baked image does not carry this assertion")
    return problems


def _json_problems(assertion: Assertion) -> list[str]:
    if assertion.revoked:
        data = ob2.revoked_json(assertion)
        return [] if data["revoked"] else ["it is revoked but its JSON does not say so"]
    data = ob2.assertion_json(assertion)
    problems = []
    if data["id"] != ob2.assertion_id(assertion):
        problems.append("its hosted JSON names another id")
    if not (data["recipient"]["identity"] and data["recipient"]["salt"]):
        problems.append("its recipient identity hash is empty")
    return problems


def key_problem(key: IssuerKey) -> str | None:
    """Why credentials signed with `key` would not verify, or None."""
    try:
        private = private_key_of(key)
    except InvalidToken:
        return (
            f"the private key {key.kid} cannot be decrypted: restore LEAP_KEY_ENCRYPTION_KEYS "
            "(or SECRET_KEY, where no encryption keys are set) from the backup of secrets"
        )
    token = jwt.encode({"check": key.kid}, private, algorithm="EdDSA")
    public = jwt.PyJWK(key.public_jwk, algorithm="EdDSA")
    try:
        jwt.decode(token, public.key, algorithms=["EdDSA"])
    except jwt.InvalidSignatureError:
        return f"the private key {key.kid} does not match the public key it publishes"
    return None


def _issuer_problems(issuer: Issuer, keys: list[IssuerKey]) -> list[str]:
    return [
        f"issuer “{issuer.name}”: {problem}"
        for problem in (key_problem(key) for key in keys if key.retired_at is None)
        if problem
    ]


def badges_check() -> BadgeCheck:
    """Check every assertion (and each issuer's active key once)."""
    result = BadgeCheck()
    keys_by_issuer: dict[int, list[IssuerKey]] = {}
    for key in IssuerKey.objects.all():
        keys_by_issuer.setdefault(key.issuer_id, []).append(key)
    issuers_seen = set()
    assertions = Assertion.objects.select_related("badge_class__issuer").order_by("pk")
    for assertion in assertions.iterator(chunk_size=500):
        result.checked += 1
        issuer = assertion.badge_class.issuer
        if issuer.pk not in issuers_seen:
            issuers_seen.add(issuer.pk)
            result.problems += _issuer_problems(issuer, keys_by_issuer.get(issuer.pk, []))
        result.problems += [
            f"assertion {assertion.uuid}: {problem}"
            for problem in _json_problems(assertion) + _image_problems(assertion)
        ]
    return result
