"""Leap's JSON-LD credential carries an eddsa-rdfc-2022 proof that a verifier checks as the
DCC's does: the issuer is a did:web DID, its document (served by Leap) lists the proof's
verification method, and the proof verifies with that key; a changed credential does not,
a rotated key still does, and a revoked badge is no longer served."""

import json
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.openbadges.data_integrity import proof_verify
from credentials.openbadges.did import did_web_url
from credentials.openbadges.keys import issuer_key_rotate
from credentials.openbadges.multibase import ed25519_from_multikey
from credentials.services.badges import assertion_award, assertion_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(
        recipient=learner, badge_class=badge_class, evidence="https://e.example/1", notify=False
    )


def fetch(client, assertion) -> dict:
    response = client.get(f"/public/assertions/{assertion.uuid}/ob3.json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vc"
    return json.loads(response.content)


def verify(client, credential: dict) -> bool:
    """As an outside verifier: resolve the issuer's DID, find the proof's verification
    method among its assertion methods, and check the proof with that key."""
    proof = credential["proof"]
    issuer = credential["issuer"]
    issuer = issuer["id"] if isinstance(issuer, dict) else issuer  # a profile, or its id
    assert issuer.startswith("did:web:")
    document = client.get(urlsplit(did_web_url(issuer)).path).json()
    assert proof["verificationMethod"] in document["assertionMethod"]
    method = next(
        m for m in document["verificationMethod"] if m["id"] == proof["verificationMethod"]
    )
    assert method["controller"] == issuer
    key = Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(method["publicKeyMultibase"]))
    return proof_verify(credential, key)


def test_the_credential_is_signed_by_its_did_web_issuer(client, assertion):
    credential = fetch(client, assertion)
    assert credential["proof"]["type"] == "DataIntegrityProof"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["proofPurpose"] == "assertionMethod"
    assert credential["validFrom"].endswith("Z") and "." not in credential["validFrom"]
    assert verify(client, credential)
    # The same bytes each time: caches and ETags hold.
    assert fetch(client, assertion) == credential


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.__setitem__("name", "Another badge"),
        lambda c: c["credentialSubject"].__setitem__(
            "id", "urn:uuid:00000000-0000-4000-8000-000000000000"
        ),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Something else"),
        lambda c: c.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        lambda c: c["evidence"][0].__setitem__("id", "https://forged.example/"),
    ],
    ids=["name", "subject", "achievement", "valid-from", "evidence"],
)
def test_a_changed_credential_fails(client, assertion, change):
    credential = fetch(client, assertion)
    change(credential)
    assert not verify(client, credential)


def test_a_key_rotated_after_issue_still_verifies_what_it_signed(client, assertion):
    before = fetch(client, assertion)
    issuer_key_rotate(issuer=assertion.badge_class.issuer)
    assert verify(client, before)
    after = fetch(client, assertion)
    assert after["proof"]["verificationMethod"] != before["proof"]["verificationMethod"]
    assert verify(client, after)


def test_a_revoked_badge_is_not_served_as_a_credential(
    client, assertion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
    response = client.get(f"/public/assertions/{assertion.uuid}/ob3.json")
    assert response.status_code == 410
    assert json.loads(response.content)["revoked"] is True
