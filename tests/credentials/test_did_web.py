"""Issuers as did:web identifiers: the DID follows the did:web rules for Leap's address, it
resolves to a DID document Leap serves, and that document lists every key the issuer has
signed with, so a proof made with a rotated key still finds its key."""

import base64
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.models import Issuer
from credentials.openbadges.data_integrity import proof_create, proof_verify
from credentials.openbadges.did import did_web_url, issuer_did, verification_method_id
from credentials.openbadges.keys import issuer_key_rotate, issuer_signing_key, private_key_of
from credentials.openbadges.multibase import ed25519_from_multikey
from tests.credentials.test_data_integrity import CREDENTIAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(badge_class):
    return badge_class.issuer


@pytest.mark.parametrize(
    "site_url, host",
    [
        ("https://leap.example.org", "leap.example.org"),
        ("http://127.0.0.1:8000", "127.0.0.1%3A8000"),
    ],
)
def test_the_did_follows_the_did_web_rules_and_resolves_to_leaps_document(
    settings, issuer, site_url, host
):
    settings.SITE_URL = site_url
    did = issuer_did(issuer)
    assert did == f"did:web:{host}:public:issuers:{issuer.uuid}"
    assert did_web_url(did) == f"{site_url}/public/issuers/{issuer.uuid}/did.json"
    assert did_web_url(f"{did}#key-1") == did_web_url(did)


def test_did_web_urls_of_other_sites():
    assert did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert did_web_url("did:web:w3c-ccg.github.io:user:alice") == (
        "https://w3c-ccg.github.io/user/alice/did.json"
    )
    with pytest.raises(ValueError):
        did_web_url("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")


def jwk_bytes(jwk: dict) -> bytes:
    return base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))


def test_the_document_lists_every_key_and_a_rotated_key_still_verifies(client, settings, issuer):
    settings.SITE_URL = "http://testserver"
    old = issuer_signing_key(issuer)
    signed_before = {
        **CREDENTIAL,
        "proof": proof_create(
            CREDENTIAL,
            private_key=private_key_of(old),
            verification_method=verification_method_id(old),
            created="2026-12-06T10:00:00Z",
        ),
    }
    new = issuer_key_rotate(issuer=issuer)

    response = client.get(f"/public/issuers/{issuer.uuid}/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["id"] == issuer_did(issuer)
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["alsoKnownAs"] == [f"http://testserver/public/issuers/{issuer.uuid}"]
    methods = {method["id"]: method for method in document["verificationMethod"]}
    assert set(methods) == {verification_method_id(old), verification_method_id(new)}
    assert set(document["assertionMethod"]) == set(methods)
    jwks = client.get(f"/public/issuers/{issuer.uuid}/jwks").json()["keys"]
    for key in (old, new):
        method = methods[verification_method_id(key)]
        assert method["type"] == "Multikey" and method["controller"] == document["id"]
        published = next(jwk for jwk in jwks if jwk["kid"] == key.kid)
        assert ed25519_from_multikey(method["publicKeyMultibase"]) == jwk_bytes(published)

    # A verifier takes the key the proof names from the document: the old key's proof
    # still verifies after the rotation, and not with the new key.
    named = methods[signed_before["proof"]["verificationMethod"]]
    public = Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(named["publicKeyMultibase"]))
    assert proof_verify(signed_before, public)
    newest = methods[verification_method_id(new)]
    assert not proof_verify(
        signed_before,
        Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(newest["publicKeyMultibase"])),
    )


def test_an_unknown_issuer_has_no_document(client):
    assert client.get(f"/public/issuers/{uuid.uuid4()}/did.json").status_code == 404
    assert Issuer.objects.count() == 0
