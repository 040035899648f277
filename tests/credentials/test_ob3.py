"""Open Badges 3.0: the signed credential verifies with an independent JOSE library
(jwcrypto) against the published key set; a changed byte, or a revocation, fails."""

import json
from urllib.parse import urlsplit

import pytest
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from credentials.models import IssuerKey
from credentials.openbadges.did import did_web_url
from credentials.openbadges.keys import issuer_key_rotate
from credentials.services.badges import assertion_award, assertion_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(
        recipient=learner, badge_class=badge_class, evidence="https://example.org/e", notify=False
    )


def fetch_jwt(client, assertion) -> str:
    response = client.get(f"/public/assertions/{assertion.uuid}/ob3")
    assert response["Content-Type"] == "application/vc+jwt"
    return response.content.decode()


def verify(client, token: str) -> dict:
    """An independent verifier: signature against the issuer's published JWKS, then the
    credential's status in the issuer's revocation list. Raises on any failure."""
    header = json.loads(jwk.base64url_decode(token.split(".")[0]))
    # What the 1EdTech validator accepts: ES256 (or RS256), typ JWT, a kid URL that answers
    # one bare JWK.
    assert header["alg"] == "ES256" and header["typ"] == "JWT"
    key = jwk.JWK.from_json(client.get(header["kid"].removeprefix("http://testserver")).content)
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(key, alg="ES256")
    credential = json.loads(signed.payload)
    # The issuer is a DID that resolves (did:web), and the key is in its published JWKS.
    document = client.get(urlsplit(did_web_url(credential["issuer"]["id"])).path).json()
    assert document["id"] == credential["issuer"]["id"] == claims_of(token)["iss"]
    jwks_url = f"{document['alsoKnownAs'][0]}/jwks".removeprefix("http://testserver")
    assert key.get("kid") in {published["kid"] for published in client.get(jwks_url).json()["keys"]}
    status = client.get(credential["credentialStatus"]["id"].removeprefix("http://testserver"))
    # The field the 1EdTech validator reads (RevocationListProbe).
    revoked = {entry["id"] for entry in status.json()["revokedCredential"]}
    if credential["id"] in revoked:
        raise ValueError("revoked")
    return credential


def claims_of(token: str) -> dict:
    return json.loads(jwk.base64url_decode(token.split(".")[1]))


def test_the_jwt_times_are_the_credentials_to_the_second(client, assertion):
    token = fetch_jwt(client, assertion)
    claims = claims_of(token)
    assert claims["nbf"] == int(assertion.issued_on.replace(microsecond=0).timestamp())
    assert claims["validFrom"].endswith("Z") and "." not in claims["validFrom"]
    assert claims["exp"] == int(assertion.expires_on.replace(microsecond=0).timestamp())
    assert claims["jti"] == claims["id"] and claims["sub"] == claims["credentialSubject"]["id"]


def test_the_credential_verifies_and_says_what_was_earned(client, assertion):
    credential = verify(client, fetch_jwt(client, assertion))
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["issuer"]["type"] == ["Profile"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == assertion.identity_hash
    achievement = subject["achievement"]
    assert achievement["name"] == "Data-Driven Instruction"
    assert {a["targetCode"] for a in achievement["alignment"]} == {"2.7", "CTO-10"}
    assert credential["validFrom"] and credential["validUntil"]
    assert credential["credentialStatus"]["type"] == "1EdTechRevocationList"
    assert credential["evidence"][0]["id"] == "https://example.org/e"


def test_a_changed_byte_fails_verification(client, assertion):
    header, payload, signature = fetch_jwt(client, assertion).split(".")
    tampered = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    with pytest.raises(JWException):
        verify(client, ".".join([header, tampered, signature]))


def test_a_revoked_credential_fails_verification(
    client, assertion, django_capture_on_commit_callbacks
):
    token = fetch_jwt(client, assertion)
    verify(client, token)
    with django_capture_on_commit_callbacks(execute=True):  # the cached list is forgotten
        assertion_revoke(assertion=assertion, reason="Evidence was copied.", revoked_by=None)
    with pytest.raises(ValueError, match="revoked"):
        verify(client, token)


def test_rotated_keys_keep_old_credentials_verifiable(client, assertion, badge_class):
    old_token = fetch_jwt(client, assertion)
    issuer_key_rotate(issuer=badge_class.issuer)
    new_token = fetch_jwt(client, assertion)
    old_kid = json.loads(jwk.base64url_decode(old_token.split(".")[0]))["kid"]
    new_kid = json.loads(jwk.base64url_decode(new_token.split(".")[0]))["kid"]
    assert old_kid != new_kid
    verify(client, old_token)
    verify(client, new_token)


def test_private_keys_are_not_stored_in_clear(client, assertion):
    fetch_jwt(client, assertion)
    key = IssuerKey.objects.get()
    assert "PRIVATE KEY" not in key.private_key_encrypted
    assert "d" not in key.public_jwk  # only the public half is published
    jwks = client.get(f"/public/issuers/{key.issuer.uuid}/jwks").json()
    assert all("d" not in published for published in jwks["keys"])


def test_a_wrong_encryption_key_cannot_unlock_the_signing_key(client, assertion, settings):
    from cryptography.fernet import Fernet, InvalidToken

    from credentials.openbadges.keys import private_key_of

    fetch_jwt(client, assertion)
    settings.LEAP_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        private_key_of(IssuerKey.objects.get())


def test_the_subject_is_one_opaque_id_per_person_that_outlives_their_account(
    client, assertion, learner, micro_credential, badge_class
):
    from accounts.data_rights import account_delete
    from credentials.models import Assertion
    from credentials.services.badges import badge_class_for_micro_credential
    from tests.factories import MicroCredentialPageFactory, UserFactory

    token = fetch_jwt(client, assertion)
    credential = verify(client, token)
    subject = credential["credentialSubject"]["id"]
    assert subject == f"urn:uuid:{learner.credential_subject}"
    assert learner.email not in json.dumps(credential["credentialSubject"])
    # The JWT's sub is the subject, as VC-JWT requires.
    claims = json.loads(jwk.base64url_decode(token.split(".")[1]))
    assert claims["sub"] == subject

    # Another badge of the same person: the same subject; someone else: another.
    second = assertion_award(
        recipient=learner,
        badge_class=badge_class_for_micro_credential(
            page=MicroCredentialPageFactory(parent=micro_credential.get_parent(), title="Other")
        ),
        notify=False,
    )
    assert verify(client, fetch_jwt(client, second))["credentialSubject"]["id"] == subject
    other = assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
    assert verify(client, fetch_jwt(client, other))["credentialSubject"]["id"] != subject

    # The account goes; the badge keeps verifying, with the same subject.
    account_delete(user=learner, revoke_badges=False)
    kept = Assertion.objects.get(pk=assertion.pk)
    assert kept.recipient is None
    assert verify(client, fetch_jwt(client, kept))["credentialSubject"]["id"] == subject
