"""The W3C Bitstring status list, read as DCC's and 1EdTech's verifiers read it: the
credential's BitstringStatusListEntry points at a signed list credential of the issuer's;
the bit is clear while the badge is valid and set once it is revoked (at once: the list is
revalidated by ETag); bits are drawn at random, one per badge."""

import json
from urllib.parse import urlsplit

import pytest

from credentials.models import StatusListEntry
from credentials.openbadges.data_integrity import canonical
from credentials.openbadges.status_list import (
    LIST_SIZE,
    bit_is_set,
    decoded_list,
    encoded_list,
)
from credentials.services.badges import assertion_award, assertion_revoke
from tests.credentials.test_ob3_data_integrity import verify as signed_by_issuer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def get_json(client, url: str, **headers):
    response = client.get(urlsplit(url).path, **headers)
    return response, (json.loads(response.content) if response.content else None)


def status_of(client, credential: dict) -> bool:
    """True when revoked, as a verifier works it out."""
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["id"] != entry["statusListCredential"]
    response, listed = get_json(client, entry["statusListCredential"])
    assert response.status_code == 200 and response["Content-Type"] == "application/vc"
    assert "BitstringStatusListCredential" in listed["type"]
    assert listed["issuer"] == credential["issuer"]["id"]
    assert signed_by_issuer(client, listed)
    bits = decoded_list(listed["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == LIST_SIZE
    return bit_is_set(bits, int(entry["statusListIndex"]))


def test_the_bit_is_clear_then_set_when_the_badge_is_revoked(
    client, badge_class, learner, django_capture_on_commit_callbacks
):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    _, credential = get_json(client, f"/public/assertions/{assertion.uuid}/ob3.json")
    assert status_of(client, credential) is False
    list_url = credential["credentialStatus"]["statusListCredential"]
    before, _ = get_json(client, list_url)

    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
    # A verifier holding the old list revalidates and gets the new one at once.
    after, _ = get_json(client, list_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert status_of(client, credential) is True


def test_each_badge_has_its_own_random_bit_and_others_stay_clear(
    client, badge_class, django_capture_on_commit_callbacks
):
    assertions = [
        assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
        for _ in range(5)
    ]
    indexes = [a.status_entry.index for a in assertions]
    assert len(set(indexes)) == 5
    assert indexes != sorted(indexes) or max(indexes) > 5  # not handed out in order
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertions[2], reason="Copied", revoked_by=None)
    credentials = [get_json(client, f"/public/assertions/{a.uuid}/ob3.json")[1] for a in assertions]
    # The revoked one is 410 (no credential served); its bit is set for holders of a copy.
    assert credentials[2]["revoked"] is True
    entry = StatusListEntry.objects.get(assertion=assertions[2])
    _, listed = get_json(client, f"/public/issuers/{badge_class.issuer.uuid}/status/0")
    bits = decoded_list(listed["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, entry.index)
    for position in (0, 1, 3, 4):
        assert status_of(client, credentials[position]) is False


def test_a_tampered_list_fails_its_proof(client, badge_class, learner):
    assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    _, listed = get_json(client, f"/public/issuers/{badge_class.issuer.uuid}/status/0")
    assert signed_by_issuer(client, listed)
    listed["credentialSubject"]["encodedList"] = encoded_list([1])  # "revoke" someone
    assert not signed_by_issuer(client, listed)


def test_the_list_credential_uses_only_defined_terms_and_unknown_lists_are_404(
    client, badge_class, learner
):
    assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    _, listed = get_json(client, f"/public/issuers/{badge_class.issuer.uuid}/status/0")
    quads = canonical({k: v for k, v in listed.items() if k != "proof"})
    assert "BitstringStatusList" in quads
    response = client.get(
        f"/public/issuers/{badge_class.issuer.uuid}/status/7", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404


def test_the_encoding_follows_the_specification():
    # Bit 0 is the most significant bit of the first byte.
    bits = decoded_list(encoded_list([0, 9, LIST_SIZE - 1]))
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert sum(bin(byte).count("1") for byte in bits) == 3
    assert encoded_list([]).startswith("u")


def test_a_list_half_full_sends_the_next_badges_to_a_new_list_at_a_fixed_cost(
    badge_class, monkeypatch
):
    """The open list is found from the latest list alone, not by counting every list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credentials.openbadges import status_list

    monkeypatch.setattr(status_list, "FILL_LIMIT", 2)
    numbers, costs = [], []
    for _ in range(5):
        assertion = assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
        entry = StatusListEntry.objects.get(assertion=assertion)
        numbers.append(entry.number)
        with CaptureQueriesContext(connection) as captured:
            status_list._open_list(badge_class.issuer)
        costs.append(len(captured))
    assert numbers == [0, 0, 1, 1, 2]
    assert set(costs) == {2}
