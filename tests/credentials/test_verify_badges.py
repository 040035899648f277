"""The public verifier, tried as an outside verifier would: Leap's own badges in every form
they travel in (link, baked PNG, JSON-LD with its proof, VC-JWT), another site's badges
(served by a local server, so nothing is fetched from outside), and junk."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openbadges_bakery import bake

from credentials.models import Assertion
from credentials.openbadges import ob3
from credentials.openbadges.baking import assertion_bake
from credentials.openbadges.ob2 import assertion_id, assertion_json
from credentials.services.badges import assertion_award, assertion_revoke
from credentials.verification.verify import badge_verify
from tests.credentials.foreign_site import ForeignSite

pytestmark = pytest.mark.django_db


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(recipient=learner, badge_class=badge_class, notify=False)


@pytest.fixture
def foreign():
    site = ForeignSite()
    yield site
    site.close()


def checks(result) -> dict:
    return {check.label: check.outcome for check in result.checks}


def baked_png(assertion) -> bytes:
    assertion_bake(assertion=assertion)
    with assertion.baked_image.open("rb") as image:
        return image.read()


# ---- Leap's own badges ----


def test_a_fresh_badge_verifies_in_every_form(client, assertion, learner):
    forms = {
        "link": badge_verify(text=assertion_id(assertion)),
        "baked PNG": badge_verify(data=baked_png(assertion), name="badge.png"),
        "JSON-LD": badge_verify(text=json.dumps(ob3.credential_signed(assertion))),
        "JWT": badge_verify(text=ob3.credential_jwt(assertion)),
        "link to the JSON-LD": badge_verify(
            text=ob3.credential_id(assertion) + ".json", email=learner.email
        ),
    }
    for form, result in forms.items():
        assert result.verdict == "valid", (form, result.as_json())
        assert result.badge.name == "Data-Driven Instruction", form
    assert forms["JWT"].format == "Open Badges 3.0, VC-JWT"
    assert checks(forms["JSON-LD"]) == {
        "Signature": "passed",
        "Expiry": "passed",
        "Status": "passed",
    }
    assert checks(forms["link to the JSON-LD"])["Recipient"] == "passed"
    assert checks(forms["link"])["Issuer's copy"] == "passed"


def test_the_recipient_check_tells_whose_badge_it_is(assertion, learner):
    png = baked_png(assertion)
    assert badge_verify(data=png, email=learner.email.upper()).verdict == "valid"
    other = badge_verify(data=png, email="someone.else@school.example")
    assert other.verdict == "not_recipient"
    assert other.reason == "It was not issued to someone.else@school.example."


def test_a_revoked_badge_is_revoked_in_every_form(assertion):
    png = baked_png(assertion)
    credential = json.dumps(ob3.credential_signed(assertion))
    token = ob3.credential_jwt(assertion)
    assertion_revoke(
        assertion=assertion, reason="Evidence was not the candidate's", revoked_by=None
    )
    for given in (
        {"text": assertion_id(assertion)},
        {"data": png},
        {"text": credential},
        {"text": token},
    ):
        result = badge_verify(**given)
        assert result.verdict == "revoked", (given.keys(), result.as_json())
    assert "Evidence was not the candidate's" in badge_verify(text=assertion_id(assertion)).reason


def test_an_expired_badge_is_expired(assertion):
    Assertion.objects.filter(pk=assertion.pk).update(
        expires_on=timezone.now() - timezone.timedelta(days=2)
    )
    assertion.refresh_from_db()
    for given in (ob3.credential_signed(assertion), assertion_id(assertion)):
        result = badge_verify(text=given if isinstance(given, str) else json.dumps(given))
        assert result.verdict == "expired", result.as_json()
        assert result.reason.startswith("It expired on ")


def test_a_tampered_credential_fails_with_the_reason(assertion):
    credential = ob3.credential_signed(assertion)
    credential["credentialSubject"]["achievement"]["name"] = "Chief Technology Officer"
    result = badge_verify(text=json.dumps(credential))
    assert result.verdict == "invalid"
    assert result.reason == (
        "The signature does not match: the credential was changed after it was signed."
    )
    header, payload, signature = ob3.credential_jwt(assertion).split(".")
    forged = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    assert badge_verify(text=f"{header}.{forged}.{signature}").verdict in ("invalid", "unreadable")


def test_a_tampered_baked_image_fails_against_the_issuers_copy(assertion):
    original = baked_png(assertion)
    with assertion.badge_class.image.open("rb") as image:
        plain = image.read()
    data = assertion_json(assertion)
    data["recipient"]["identity"] = "sha256$" + "0" * 64
    forged = bake(io.BytesIO(plain), json.dumps(data)).read()
    result = badge_verify(data=forged)
    assert result.verdict == "invalid"
    assert "differs from its issuer's" in result.reason and "recipient" in result.reason
    # A changed byte inside the image breaks its checksum.
    at = original.index(b"iTXt") + 40
    damaged = original[:at] + bytes([original[at] ^ 1]) + original[at + 1 :]
    broken = badge_verify(data=damaged)
    assert broken.verdict == "unreadable" and "altered" in broken.unreadable


# ---- another site's badges ----


def test_another_sites_hosted_badge_verifies(foreign):
    foreign.ob2_badge(identity="ana@riverside.example")
    result = badge_verify(text=f"{foreign.origin}/assertion.json", email="ana@riverside.example")
    assert result.verdict == "valid", result.as_json()
    assert result.badge.issuer_name == "Riverside Teacher Academy"
    assert result.badge.name == "Inquiry-Based Science"


def test_another_sites_revoked_badge_is_revoked(foreign):
    foreign.ob2_badge(identity="ana@riverside.example", revoked=True)
    result = badge_verify(text=f"{foreign.origin}/assertion.json")
    assert result.verdict == "revoked" and "Issued in error" in result.reason


def test_another_sites_signed_badge_verifies_by_its_key_and_revocation_list(foreign):
    token = foreign.ob2_signed_badge(identity="ana@riverside.example")
    result = badge_verify(text=token, email="ana@riverside.example")
    assert result.verdict == "valid", result.as_json()
    assert result.format == "Open Badges 2.0, signed"
    header, payload, signature = token.split(".")
    tampered = badge_verify(text=f"{header}.{payload[:-2]}AA.{signature}")
    assert tampered.verdict in ("invalid", "unreadable")
    revoked = foreign.ob2_signed_badge(identity="ana@riverside.example", revoked=True)
    assert badge_verify(text=revoked).verdict == "revoked"


def test_a_signed_badge_by_a_key_its_issuer_does_not_publish_fails(foreign):
    token = foreign.ob2_signed_badge(identity="ana@riverside.example", vouched=False)
    result = badge_verify(text=token)
    assert result.verdict == "invalid"
    assert result.reason == "The key that signed it is not one its issuer publishes."


def test_an_issuer_profile_written_into_the_badge_is_not_trusted(foreign, settings):
    foreign.ob2_badge(identity="ana@riverside.example")
    badge = json.loads(foreign.pages["/badge.json"][2])
    badge["issuer"] = {
        "type": "Issuer",
        "id": f"http://127.0.0.1:{foreign.port}/issuer.json",  # someone else's, not fetchable
        "name": "A Famous University",
        "verification": {"allowedOrigins": ["localhost"]},
    }
    foreign.serve_json("/badge.json", badge)
    result = badge_verify(text=f"{foreign.origin}/assertion.json")
    assert result.verdict == "invalid"
    assert checks(result)["Issuer profile"] == "failed"


def test_a_redirect_to_another_site_is_not_followed(foreign, settings):
    settings.LEAP_VERIFY_LOCAL_HOSTS = ["localhost", "127.0.0.1"]
    foreign.ob2_badge(identity="ana@riverside.example")
    target = f"http://127.0.0.1:{foreign.port}/assertion.json".encode()
    foreign.pages["/moved.json"] = (302, "text/plain", target)
    result = badge_verify(text=f"{foreign.origin}/moved.json")
    assert result.verdict == "unreadable" and "redirects to another site" in result.reason


def test_a_jwt_key_published_outside_its_issuers_documents_fails(foreign):
    import jwt

    foreign.did_document()
    foreign.serve_json("/elsewhere/key.json", {"kty": "OKP", "crv": "Ed25519", "x": "AA"})
    credential = foreign.ob3_credential()
    headers = {"kid": f"{foreign.origin}/elsewhere/key.json"}
    token = jwt.encode(credential, foreign.key, algorithm="EdDSA", headers=headers)
    result = badge_verify(text=token)
    assert result.verdict == "invalid"
    assert result.reason == "It names a key that is not published by its issuer."


@pytest.mark.parametrize(
    "text",
    [
        '{"@context": [{"x": 1}], "type": "Assertion", "badge": {}, "recipient": 5}',
        '{"@context": "https://www.w3.org/ns/credentials/v2", "type": [{}], "issuer": 1}',
        '{"type": "Assertion", "recipient": "x", "badge": "x", "issuedOn": 1e400}',
        "[" * 5000 + "]" * 5000,
        '{"type": "Assertion", "id": "http://localhost:1/a", "verification": "signed"}',
        '{"url": 1, "type": "Assertion", "name": "\\ud800", "id": "https://\\ud800/"}',
        '{"@context": "https://www.w3.org/ns/credentials/v2", "type": "OpenBadgeCredential", '
        '"issuer": {"id": "did:key:z6Mk", "name": "\\udfff"}, "credentialSubject": {}, '
        '"validFrom": "0001-01-01T00:00:00+01:00", "validUntil": "9999-12-31T23:00-05:00"}',
    ],
)
def test_malformed_badges_get_an_answer_not_an_error(text, client):
    result = badge_verify(text=text)
    assert result.verdict in ("unreadable", "invalid")
    response = client.post("/public/verify", {"text": text}, content_type="application/json")
    assert response.status_code in (200, 400, 422)
    assert client.post("/verify/", {"text": text}).status_code == 200


def test_a_path_with_dot_segments_is_not_fetched(foreign):
    result = badge_verify(text=f"{foreign.origin}/issuer/../assertion.json")
    assert "“.” or “..”" in result.unreadable and foreign.requests == []


def test_an_issuers_starts_with_rule_is_kept(foreign):
    foreign.ob2_badge(identity="ana@riverside.example")
    issuer = json.loads(foreign.pages["/issuer.json"][2])
    issuer["verification"] = {"startsWith": [f"{foreign.origin}/riverside/"]}
    foreign.serve_json("/issuer.json", issuer)
    result = badge_verify(text=f"{foreign.origin}/assertion.json")
    assert result.verdict == "invalid" and checks(result)["Issuer"] == "failed"


def test_a_status_leap_cannot_read_is_not_called_valid(foreign):
    import jwt

    credential = foreign.ob3_credential()
    credential["credentialStatus"] = {
        "id": f"{foreign.origin}/status/2021#3",
        "type": "StatusList2021Entry",
        "statusListIndex": "3",
        "statusListCredential": f"{foreign.origin}/status/2021",
    }
    headers = {"kid": f"{foreign.did}#key-1"}  # a VC-JWT: its claims are not canonicalised
    token = jwt.encode(credential, foreign.key, algorithm="EdDSA", headers=headers)
    result = badge_verify(text=token)
    assert result.verdict == "invalid"
    assert "cannot tell whether its issuer has revoked it" in result.reason


def test_a_badge_hosted_where_its_issuer_does_not_vouch_for_it_fails(foreign, settings):
    settings.LEAP_VERIFY_LOCAL_HOSTS = ["localhost", "127.0.0.1"]
    foreign.ob2_badge(identity="ana@riverside.example", issuer_host="127.0.0.1")
    result = badge_verify(text=f"{foreign.origin}/assertion.json")
    assert result.verdict == "invalid"
    assert checks(result)["Issuer"] == "failed"


def test_another_sites_ob3_credential_verifies_through_its_did_and_status_list(foreign):
    credential = foreign.signed(foreign.ob3_credential())
    result = badge_verify(text=json.dumps(credential))
    assert result.verdict == "valid", result.as_json()
    assert "/issuer/did.json" in foreign.requests and "/status/1" in foreign.requests
    foreign.status_list(revoked_indexes=[5])  # the issuer revokes it
    assert badge_verify(text=json.dumps(credential)).verdict == "revoked"


def test_another_sites_vc_jwt_verifies_through_the_did_url_in_its_kid(foreign):
    import jwt

    credential = foreign.ob3_credential()
    claims = {**credential, "iss": foreign.did, "sub": credential["credentialSubject"]["id"]}
    headers = {"kid": f"{foreign.did}#key-1", "typ": "JWT"}
    token = jwt.encode(claims, foreign.key, algorithm="EdDSA", headers=headers)
    result = badge_verify(text=token)
    assert result.verdict == "valid", result.as_json()
    assert result.format == "Open Badges 3.0, VC-JWT"
    claims["iss"] = "did:web:elsewhere.example"
    forged = jwt.encode(claims, foreign.key, algorithm="EdDSA", headers=headers)
    assert badge_verify(text=forged).verdict == "invalid"


def test_links_a_badge_gives_are_shown_only_when_they_are_web_addresses(foreign, client):
    credential = foreign.ob3_credential()
    credential["issuer"]["url"] = "javascript:alert(document.cookie)"
    credential["credentialSubject"]["achievement"]["criteria"]["id"] = "https://riverside.example/c"
    result = badge_verify(text=json.dumps(foreign.signed(credential)))
    assert result.verdict == "valid"
    assert result.badge.issuer_url == "" and result.badge.criteria_url.startswith("https://")
    page = client.post("/verify/", {"text": json.dumps(foreign.signed(credential))})
    assert b'href="javascript:' not in page.content


def test_a_credential_signed_by_someone_else_fails(foreign):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    impostor = foreign.signed(foreign.ob3_credential(), key=Ed25519PrivateKey.generate())
    result = badge_verify(text=json.dumps(impostor))
    assert result.verdict == "invalid"
    assert "signature does not match" in result.reason


def test_a_did_key_credential_verifies_without_any_fetch(foreign):
    did = foreign.did_key()
    credential = foreign.ob3_credential(issuer=did, valid_until="2026-04-01T00:00:00Z")
    signed = foreign.signed(credential, method=f"{did}#{did.removeprefix('did:key:')}")
    result = badge_verify(text=json.dumps(signed))
    assert result.verdict == "expired", result.as_json()
    assert checks(result)["Signature"] == "passed"
    assert foreign.requests == []


# ---- junk ----


@pytest.mark.parametrize(
    "text, reason",
    [
        ("hello", "This is not a badge"),
        ('{"name": "x"}', "This is not an Open Badge"),
        ("{not json", "does not parse"),
        ("file:///etc/passwd", "This is not a badge"),
    ],
)
def test_junk_text_gets_a_clear_message(text, reason):
    result = badge_verify(text=text)
    assert result.verdict == "unreadable" and reason in result.unreadable


def test_an_image_without_a_badge_says_so(badge_class):
    with badge_class.image.open("rb") as image:
        result = badge_verify(data=image.read(), name="plain.png")
    assert result.unreadable == "This PNG image has no badge baked into it."


def test_a_private_address_is_never_fetched(foreign, settings):
    settings.LEAP_VERIFY_LOCAL_HOSTS = []
    foreign.ob2_badge(identity="ana@riverside.example")
    for url in (
        f"http://127.0.0.1:{foreign.port}/assertion.json",
        f"http://localhost:{foreign.port}/assertion.json",
    ):
        assert "usual ports only" in badge_verify(text=url).unreadable
    for url in (
        "http://127.0.0.1/assertion.json",
        "http://localhost/assertion.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.0.0.8/badge.json",
    ):
        result = badge_verify(text=url)
        assert result.verdict == "unreadable", url
        assert "private or local address" in result.unreadable, url
    assert foreign.requests == []


def test_a_url_that_does_not_answer_times_out(foreign):
    foreign.ob2_badge(identity="ana@riverside.example")
    foreign.delay_seconds = 3  # the test settings wait 1 second
    result = badge_verify(text=f"{foreign.origin}/assertion.json")
    assert result.verdict == "unreadable"
    assert result.unreadable.endswith("did not answer within 1 seconds.")


def test_a_document_larger_than_the_limit_is_not_read(foreign, settings):
    settings.LEAP_VERIFY_MAX_BYTES = 100_000
    foreign.pages["/huge.json"] = (200, "application/json", b"{" + b" " * 200_000 + b"}")
    result = badge_verify(text=f"{foreign.origin}/huge.json")
    assert result.verdict == "unreadable" and "larger than" in result.unreadable


# ---- the page and the JSON endpoint ----


def test_the_page_shows_each_check_in_plain_words(client, assertion, learner):
    upload = SimpleUploadedFile("badge.png", baked_png(assertion), content_type="image/png")
    response = client.post("/verify/", {"file": upload, "email": learner.email})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This badge is genuine and current" in page
    assert "It was issued to maya@school.example." in page
    assert "✓ Passed" in page and "Issuer&#x27;s copy:" in page


def test_the_page_refuses_a_20_mb_file_with_a_clear_message(client):
    upload = SimpleUploadedFile(
        "huge.png", b"\x89PNG" + b"0" * 20_000_000, content_type="image/png"
    )
    page = client.post("/verify/", {"file": upload}).content.decode()
    assert "This file is 19.1\xa0MB; Leap checks badges of up to 4.8\xa0MB." in page


def test_the_page_checks_a_link_given_in_its_address(client, assertion):
    assertion_revoke(assertion=assertion, reason="Issued in error", revoked_by=None)
    page = client.get("/verify/", {"url": assertion_id(assertion)}).content.decode()
    assert "This badge has been revoked by its issuer" in page


def test_the_json_endpoint_answers_any_site(client, assertion):
    credential = ob3.credential_signed(assertion)
    response = client.post(
        "/public/verify", {"credential": credential}, content_type="application/json"
    )
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["verdict"] == "valid" and body["badge"]["name"] == "Data-Driven Instruction"
    assert {check["check"] for check in body["checks"]} == {"Signature", "Expiry", "Status"}
    junk = client.post("/public/verify", {"text": "hello"}, content_type="application/json")
    assert junk.status_code == 422 and junk.json()["verdict"] == "unreadable"
    empty = client.post("/public/verify", {}, content_type="application/json")
    assert empty.status_code == 400 and "Give a badge to check" in empty.json()["error"]
    assert client.get("/public/verify").status_code == 405
