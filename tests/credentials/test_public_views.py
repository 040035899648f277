"""The public Open Badges 2.0 contract: ids, content negotiation, revocation, 404s, cost."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.openbadges import cache as public_cache
from credentials.openbadges.changes import assertion_stamp
from credentials.openbadges.public import assertion_public_json
from credentials.services.badges import assertion_award, assertion_revoke
from tests.throttling import limit

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/ld+json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(
        recipient=learner, badge_class=badge_class, evidence="https://example.org/e"
    )


def test_assertion_json_follows_open_badges_2(client, assertion):
    response = client.get(f"/public/assertions/{assertion.uuid}", **JSON)
    assert response["Content-Type"] == "application/ld+json"
    data = response.json()
    assert data["@context"] == "https://w3id.org/openbadges/v2"
    assert data["type"] == "Assertion"
    assert data["id"] == f"http://testserver/public/assertions/{assertion.uuid}"
    assert data["badge"] == f"http://testserver/public/badges/{assertion.badge_class.uuid}"
    assert data["recipient"] == {
        "type": "email",
        "hashed": True,
        "salt": assertion.salt,
        "identity": assertion.identity_hash,
    }
    assert data["verification"] == {"type": "hosted"}
    assert data["expires"] and data["issuedOn"]
    assert data["evidence"]["id"] == "https://example.org/e"
    assert "maya@school.example" not in response.content.decode()


def test_badge_and_issuer_json(client, assertion):
    badge = client.get(f"/public/badges/{assertion.badge_class.uuid}", **JSON).json()
    assert badge["type"] == "BadgeClass"
    assert badge["criteria"]["id"].startswith("http://testserver/micro-credentials/")
    assert {a["targetCode"] for a in badge["alignment"]} == {"2.7", "CTO-10"}
    issuer = client.get(badge["issuer"].removeprefix("http://testserver"), **JSON).json()
    assert issuer["type"] == "Issuer"
    assert issuer["url"] == "http://testserver/"
    image = client.get(badge["image"].removeprefix("http://testserver"))
    assert image["Content-Type"] == "image/png"


def test_browsers_get_a_page_and_json_is_one_click_away(client, assertion):
    page = client.get(f"/public/assertions/{assertion.uuid}", **BROWSER)
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "Data-Driven Instruction" in html and "Valid." in html
    assert "Maya Torres" not in html  # private until the learner makes it public
    forced = client.get(f"/public/assertions/{assertion.uuid}?format=json", **BROWSER)
    assert forced.json()["type"] == "Assertion"


def test_revoking_changes_every_public_view_at_once(
    client, assertion, django_capture_on_commit_callbacks
):
    url = f"/public/assertions/{assertion.uuid}"
    assert client.get(url, **JSON).status_code == 200  # now cached
    assert client.get(f"{url}/ob3").status_code == 200
    assert client.get(f"{url}/image").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Plagiarised evidence", revoked_by=None)
    response = client.get(url, **JSON)
    assert response.status_code == 410
    assert response.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"http://testserver{url}",
        "revoked": True,
        "revocationReason": "Plagiarised evidence",
    }
    html = client.get(url, **BROWSER).content.decode()
    assert "Revoked" in html and "Plagiarised evidence" in html
    assert "https://example.org/e" not in html  # evidence is no longer shown
    for suffix in ("/ob3", "/ob3.json", "/image"):
        gone = client.get(url + suffix)
        assert gone.status_code == 410, suffix
        assert b"example.org/e" not in gone.content


@pytest.mark.parametrize("seen_before", [True, False], ids=["stamped", "never asked for"])
def test_a_read_before_a_revocation_cannot_cache_the_valid_badge_after_it(
    client, assertion, django_capture_on_commit_callbacks, seen_before
):
    """A request reads the badge while it is valid; the revocation commits before that
    request stores what it read. Whether the badge had been asked for before (its stamp in
    the cache) or not, the next request gets the revocation."""
    url = f"/public/assertions/{assertion.uuid}"
    key = public_cache.assertion_key(assertion.uuid)
    if seen_before:
        assert client.get(url, **JSON).status_code == 200
        cache.delete(key)  # evicted: the next request builds it again
    stale = assertion_public_json(assertion.uuid)

    def read_while_the_badge_is_revoked():
        with django_capture_on_commit_callbacks(execute=True):
            assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
        return stale

    public_cache.document(key, [assertion_stamp(assertion.uuid)], read_while_the_badge_is_revoked)
    assert client.get(url, **JSON).status_code == 410


def test_content_negotiation_respects_preferences_and_head(client, assertion):
    url = f"/public/assertions/{assertion.uuid}"
    prefers_json = client.get(url, HTTP_ACCEPT="application/ld+json, text/html;q=0.1")
    assert prefers_json["Content-Type"] == "application/ld+json"
    assert client.head(url, **JSON).status_code == 200
    assert "Accept" in client.get(url, **BROWSER)["Vary"]


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*",
        "application/ld+json",
        "application/json",
        "application/ld+json, application/json;q=0.9",
        "image/png",
        "text/*",
        "text/html",
        "TEXT/HTML",
        "Text/*;q=0.9, application/JSON;q=0.1",
        "text/plain",
        "text/html;q=0.5, */*",
        "*/*;q=0.1, text/html",
        "application/json;q=0.2, text/html;q=0.9",
        "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8",
    ],
)
def test_the_quick_reading_of_accept_agrees_with_full_negotiation(rf, accept):
    """wants_json skips weighing the header when it holds no text type; wherever it does,
    the answer is the one the full negotiation gives."""
    from credentials.views.public import MEDIA_TYPES, wants_json

    request = rf.get("/public/assertions/x", HTTP_ACCEPT=accept)
    assert wants_json(request) == (request.get_preferred_type(MEDIA_TYPES) != "text/html")


@pytest.mark.parametrize("kind", ["assertions", "badges", "issuers"])
def test_unknown_and_malformed_ids_are_404(client, kind):
    assert client.get(f"/public/{kind}/{uuid.uuid4()}", **JSON).status_code == 404
    assert client.get(f"/public/{kind}/{uuid.uuid4()}", **BROWSER).status_code == 404
    assert client.get(f"/public/{kind}/not-a-uuid", **JSON).status_code == 404
    assert client.get(f"/public/{kind}/{uuid.uuid4()}/image").status_code == 404


def test_assertion_json_costs_three_queries_cold_and_none_cached(client, assertion):
    cache.clear()
    url = f"/public/assertions/{assertion.uuid}"
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url, **JSON).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url, **JSON).status_code == 200
    assert len(cold.captured_queries) <= 3
    assert len(warm.captured_queries) == 0


def test_the_baked_image_is_rebaked_when_missing(client, assertion):
    assertion.refresh_from_db()
    assertion.baked_image.delete(save=True)
    response = client.get(f"/public/assertions/{assertion.uuid}/image")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"openbadges" in b"".join(response.streaming_content)


def test_the_badge_page_shows_the_criteria_as_formatted_text(client, badge_class):
    page = client.get(f"/public/badges/{badge_class.uuid}", **BROWSER)
    html = page.content.decode()
    assert "**" not in html
    assert "<strong>Every rubric criterion must be met:</strong>" in html
    assert "<ol>" in html and "<ul>" in html


def test_public_json_stays_cacheable_for_someone_signed_in(client, assertion, learner):
    """Pages for people signed in are no-store (cms.middleware); the public Open Badges
    JSON and images are the same for everyone and keep their shared-cache headers."""
    client.force_login(learner)
    response = client.get(f"/public/assertions/{assertion.uuid}", **JSON)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "no-store" not in response["Cache-Control"]
    image = client.get(f"/public/badges/{assertion.badge_class.uuid}/image")
    assert "no-store" not in image.get("Cache-Control", "")
    # A file keeps its own sandboxing policy; the site's page policy does not replace it.
    assert "sandbox" in image["Content-Security-Policy"]
    own_page = client.get("/my/badges/")
    assert "no-store" in own_page["Cache-Control"]


def test_public_verification_is_limited_per_address_generously(client, settings, assertion):
    """One address asking too fast gets 429 (JSON for JSON clients); others are unaffected."""
    for address in ("198.51.100.60", "198.51.100.61"):
        limit(settings, "public", {"ip": (3, 60)}, address=address)
    url = f"/public/assertions/{assertion.uuid}"
    for _ in range(3):
        assert client.get(url, REMOTE_ADDR="198.51.100.60", **JSON).status_code == 200
    refused = client.get(url, REMOTE_ADDR="198.51.100.60", **JSON)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Please wait" in refused.json()["error"]
    assert client.get(url, REMOTE_ADDR="198.51.100.61", **JSON).status_code == 200
