"""Leap's eddsa-rdfc-2022 signer reproduces the published 1EdTech worked example byte for
byte (../shared/conformance/ob3: key pair, canonical N-Quads, hashes, signature, proof
value), from bundled contexts alone; and its proofs fail when anything signed changes."""

import copy
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.openbadges.data_integrity import (
    ContextNotBundled,
    NotCanonicalisable,
    TermNotDefined,
    canonical,
    hash_data,
    proof_create,
    proof_verify,
)
from credentials.openbadges.multibase import (
    base58btc_decode,
    base58btc_encode,
    ed25519_from_multikey,
    ed25519_multikey,
)

VECTORS = Path(__file__).resolve().parent / "conformance"

# The worked example ("Linked Data Proof Test Vector for Open Badges 3.0").
PUBLIC_KEY = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
PRIVATE_KEY = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4" + PUBLIC_KEY
MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VERIFICATION_METHOD = f"https://example.edu/issuers/565049#{MULTIKEY}"
DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
SIGNATURE = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and "
                "recognized upon review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to "
            "collaborate within a group environment.",
            "name": "Teamwork",
        },
    },
}
PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "created": "2010-01-01T19:23:24Z",
    "verificationMethod": VERIFICATION_METHOD,
    "cryptosuite": "eddsa-rdfc-2022",
    "proofPurpose": "assertionMethod",
}


def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(PRIVATE_KEY)[:32])


def test_the_key_pair_and_its_multikey_match_the_example():
    public = private_key().public_key().public_bytes_raw()
    assert public.hex() == PUBLIC_KEY
    assert ed25519_multikey(public) == MULTIKEY
    assert ed25519_from_multikey(MULTIKEY) == public


def test_the_canonical_forms_match_the_published_n_quads_byte_for_byte():
    document_canon = (VECTORS / "test-vector-document-canon.txt").read_text(encoding="utf-8")
    proof_canon = (VECTORS / "test-vector-proof-canon.txt").read_text(encoding="utf-8")
    assert canonical(CREDENTIAL) == document_canon
    assert canonical({**PROOF_OPTIONS, "@context": CREDENTIAL["@context"]}) == proof_canon
    assert hashlib.sha256(document_canon.encode()).hexdigest() == DOCUMENT_HASH
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == PROOF_HASH


def test_the_hashes_signature_and_proof_value_match_the_example():
    data = hash_data(CREDENTIAL, PROOF_OPTIONS)
    assert data.hex() == PROOF_HASH + DOCUMENT_HASH
    proof = proof_create(
        CREDENTIAL,
        private_key=private_key(),
        verification_method=VERIFICATION_METHOD,
        created="2010-01-01T19:23:24Z",
    )
    assert base58btc_decode(proof["proofValue"][1:]).hex() == SIGNATURE
    assert proof == {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}
    assert proof_verify({**CREDENTIAL, "proof": proof}, private_key().public_key())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.__setitem__("name", "Teamwork Badge!"),
        lambda c: c["credentialSubject"].__setitem__("id", "did:example:someone-else"),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership"),
        lambda c: c.__setitem__("validFrom", "2011-01-01T00:00:00Z"),
        lambda c: c["proof"].__setitem__("created", "2010-01-02T19:23:24Z"),
        lambda c: c["proof"].__setitem__("proofPurpose", "authentication"),
        lambda c: c["proof"].__setitem__("proofValue", "z" + "1" * 80),
        lambda c: c["proof"].__setitem__("cryptosuite", "eddsa-jcs-2022"),
    ],
    ids=[
        "name",
        "subject",
        "achievement",
        "valid-from",
        "proof-created",
        "proof-purpose",
        "proof-value",
        "cryptosuite",
    ],
)
def test_any_change_to_what_is_signed_fails_verification(tamper):
    signed = {**CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}
    assert proof_verify(signed, private_key().public_key())
    changed = copy.deepcopy(signed)
    tamper(changed)
    assert not proof_verify(changed, private_key().public_key())


def test_another_key_does_not_verify():
    signed = {**CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}
    assert not proof_verify(signed, Ed25519PrivateKey.generate().public_key())


def test_a_context_that_is_not_bundled_is_refused_not_fetched():
    foreign = {**CREDENTIAL, "@context": [*CREDENTIAL["@context"], "https://evil.example/ctx"]}
    with pytest.raises(ContextNotBundled, match="https://evil.example/ctx"):
        canonical(foreign)


def test_a_term_no_context_defines_is_refused_not_left_unsigned():
    # JSON-LD would drop it from the canonical form, so it would sit outside the signature.
    with pytest.raises(TermNotDefined, match="notInAnyContext"):
        canonical({**CREDENTIAL, "notInAnyContext": "would go unsigned"})
    nested = copy.deepcopy(CREDENTIAL)
    nested["credentialSubject"]["achievement"]["grade"] = "A"
    with pytest.raises(TermNotDefined, match="grade"):
        canonical(nested)
    # A proof carrying such a term does not verify either.
    signed = {**CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}
    signed["extra"] = "added after signing"
    assert not proof_verify(signed, private_key().public_key())


def test_what_is_not_json_ld_is_refused_with_a_reason():
    with pytest.raises(NotCanonicalisable):
        canonical({**CREDENTIAL, "@context": [*CREDENTIAL["@context"], {"@version": 2.0}]})


def test_base58_round_trips_with_leading_zeros():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert base58btc_decode(base58btc_encode(data)) == data


def test_a_type_no_context_defines_is_refused_and_the_extensions_context_defines_1edtechs():
    status = {"id": "https://example.edu/status/1", "type": "1EdTechRevocationList"}
    with pytest.raises(TermNotDefined, match="1EdTechRevocationList"):
        canonical({**CREDENTIAL, "credentialStatus": status})
    extended = {
        **CREDENTIAL,
        "@context": [
            *CREDENTIAL["@context"],
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "credentialStatus": status,
    }
    assert "https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#1EdTechRevocationList" in (
        canonical(extended)
    )


def test_leaps_own_credential_canonicalises_with_every_term_defined(badge_class, learner):
    from credentials.openbadges.ob3 import credential_json
    from credentials.services.badges import assertion_award

    credential = credential_json(
        assertion_award(
            recipient=learner, badge_class=badge_class, evidence="https://e.example/x", notify=False
        )
    )
    quads = canonical(credential)
    assert "#1EdTechJsonSchemaValidator2019" in quads
    assert "#BitstringStatusListEntry" in quads
    assert credential["credentialSubject"]["id"] in quads
