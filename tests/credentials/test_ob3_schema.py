"""Leap's Open Badges 3.0 credential is valid against the official AchievementCredential
JSON Schema (bundled in tests/credentials/conformance, as published by 1EdTech), and says
so in its credentialSchema."""

import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from credentials.openbadges.ob3 import ACHIEVEMENT_CREDENTIAL_SCHEMA, credential_json
from credentials.services.badges import assertion_award

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent
        / "conformance"
        / "ob_v3p0_achievementcredential_schema.json"
    ).read_text(encoding="utf-8")
)

pytestmark = pytest.mark.django_db


def problems(document: dict) -> list[str]:
    validator = Draft201909Validator(SCHEMA)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_schema_is_the_official_one_and_it_can_fail():
    Draft201909Validator.check_schema(SCHEMA)
    assert problems({"type": ["VerifiableCredential"]})  # missing everything required


def test_a_credential_with_evidence_and_expiry_is_valid(badge_class, learner):
    assertion = assertion_award(
        recipient=learner,
        badge_class=badge_class,
        evidence="https://example.org/evidence",
        notify=False,
    )
    assertion.expires_on = assertion.issued_on + dt.timedelta(days=365)
    credential = credential_json(assertion)
    assert credential["credentialSchema"] == [ACHIEVEMENT_CREDENTIAL_SCHEMA]
    assert problems(credential) == []
    assert credential["credentialSubject"]["achievement"]["alignment"], "alignments checked too"


def test_a_credential_without_evidence_or_expiry_is_valid(badge_class, learner):
    credential = credential_json(
        assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    )
    assert problems(credential) == []
