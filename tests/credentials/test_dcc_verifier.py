"""The Digital Credentials Consortium's verifier (npm `@digitalcredentials/verifier-core`,
what VerifierPlus and the Learner Credential Wallet run), driven by a small Node script
(tests/verifiers/dcc/verify.mjs) against a live server, with nothing fetched from outside:
a fresh credential has a valid signature and a checked, clear status; after revocation the
status says revoked; a tampered credential's signature is invalid.

Needs Node and `npm ci` in tests/verifiers/dcc (`make dcc-verifier`; `make test` does it where
npm exists). Without them these tests are deselected, unless LEAP_REQUIRE_DCC is set (CI)."""

import json
import os
import subprocess

import pytest

from credentials.openbadges.ob3 import credential_signed
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    badge_class_for_micro_credential,
)
from tests.verifiers import DCC_DIR

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.needs_dcc,
]


def dcc_verify(credential: dict, site: str, tmp_path) -> dict:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential), encoding="utf-8")
    done = subprocess.run(
        ["node", str(DCC_DIR / "verify.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=DCC_DIR,
        env={**os.environ, "LEAP_SITE": site + "/"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def steps(result: dict) -> dict:
    assert not result.get("errors"), result
    return {step["id"]: step for step in result["log"]}


@pytest.fixture
def hosted(live_server, settings, micro_credential, learner):
    """A badge whose ids, issuer DID and status list point at the live server."""
    settings.SITE_URL = live_server.url
    badge_class = badge_class_for_micro_credential(page=micro_credential)
    return assertion_award(recipient=learner, badge_class=badge_class, notify=False)


def test_a_fresh_credential_verifies_then_shows_revoked(hosted, live_server, tmp_path):
    credential = credential_signed(hosted)
    checked = steps(dcc_verify(credential, live_server.url, tmp_path))
    assert checked["valid_signature"]["valid"] is True
    assert checked["revocation_status"]["valid"] is True  # checked, and not revoked
    assert checked["expiration"]["valid"] is True

    assertion_revoke(assertion=hosted, reason="Evidence was copied.", revoked_by=None)
    # The holder's copy of the credential is unchanged; its status list now says revoked.
    checked = steps(dcc_verify(credential, live_server.url, tmp_path))
    assert checked["valid_signature"]["valid"] is True
    assert checked["revocation_status"]["valid"] is False


def test_a_tampered_credential_fails_its_signature(hosted, live_server, tmp_path):
    credential = credential_signed(hosted)
    credential["credentialSubject"]["achievement"]["name"] = "Something never earned"
    result = dcc_verify(credential, live_server.url, tmp_path)
    if result.get("errors"):  # reported as a fatal error rather than a failed step
        assert any("signature" in json.dumps(error).lower() for error in result["errors"])
    else:
        assert steps(result)["valid_signature"]["valid"] is False
