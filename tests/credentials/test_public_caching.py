"""Public verification through caches (a CDN, a verifier's, a browser's): every document has
a strong ETag of its bytes, Last-Modified and a Cache-Control with stale-while-revalidate; a
client holding it gets 304 with no body, for no query (one for the key sets); a revocation,
an issuer's edit or a key rotation changes the answer and its ETag at once, and names the
changed URLs to the purge hook."""

import hashlib
import json
import uuid
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from credentials.openbadges import cache as public_cache
from credentials.openbadges.changes import public_urls_purge, revocations_stamp
from credentials.openbadges.keys import issuer_key_rotate
from credentials.openbadges.public import (
    assertion_public_json,
    badge_class_public_json,
    issuer_public_json,
    status_list_public,
)
from credentials.openbadges.status_list import bit_is_set, decoded_list
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    badge_class_for_micro_credential,
)
from credentials.services.issuers import issuer_for_district_save, issuing_arrangements_set
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/ld+json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}

# Each document: its URL, what a verifier asks for, and what a 304 costs in queries.
DOCUMENTS = {
    "assertion": ("/public/assertions/{assertion}", JSON, 0),
    "badge class": ("/public/badges/{badge}", JSON, 0),
    "issuer": ("/public/issuers/{issuer}", JSON, 0),
    "OB 3.0 JWT": ("/public/assertions/{assertion}/ob3", {"HTTP_ACCEPT": "application/vc+jwt"}, 0),
    "OB 3.0 by Accept": (
        "/public/assertions/{assertion}/ob3",
        {"HTTP_ACCEPT": "application/vc"},
        0,
    ),
    "OB 3.0 JSON-LD": ("/public/assertions/{assertion}/ob3.json", {}, 0),
    "revocation list": ("/public/issuers/{issuer}/revocations", {}, 0),
    "status list": ("/public/issuers/{issuer}/status/0", {}, 0),
    "public key": ("/public/issuers/{issuer}/keys/{kid}", {}, 0),
    # Keys are made and rotated outside the cache's reach: read in one query each time.
    "DID document": ("/public/issuers/{issuer}/did.json", {}, 1),
    "JWKS": ("/public/issuers/{issuer}/jwks", {}, 1),
}
# What a verifier reads to learn of a revocation, and what it finds afterwards.
REVOCATION_DOCUMENTS = [
    "assertion",
    "OB 3.0 JWT",
    "OB 3.0 JSON-LD",
    "revocation list",
    "status list",
]


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(recipient=learner, badge_class=badge_class, notify=False)


@pytest.fixture(params=[1, 6], ids=["one badge", "six badges"])
def issued(request, assertion, django_capture_on_commit_callbacks):
    """The assertion, and other badges of the same issuer, half of them revoked: the lists
    have something in them, and a count must not grow with it."""
    for number in range(request.param - 1):
        other = assertion_award(
            recipient=UserFactory(), badge_class=assertion.badge_class, notify=False
        )
        if number % 2 == 0:
            with django_capture_on_commit_callbacks(execute=True):
                assertion_revoke(assertion=other, reason="Copied", revoked_by=None)
    return assertion


def url_of(client, name: str, assertion) -> str:
    path, _headers, _queries = DOCUMENTS[name]
    issuer = assertion.badge_class.issuer.uuid
    kid = ""
    if "{kid}" in path:
        jwks = client.get(f"/public/issuers/{issuer}/jwks").json()
        kid = jwks["keys"][0]["kid"]
    return path.format(
        assertion=assertion.uuid, badge=assertion.badge_class.uuid, issuer=issuer, kid=kid
    )


def cache_control(response) -> dict:
    parts = [part.strip() for part in response["Cache-Control"].split(",")]
    return dict(part.partition("=")[::2] for part in parts)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_revalidates_to_an_empty_304_for_a_fixed_number_of_queries(
    client, issued, name, django_assert_num_queries
):
    url = url_of(client, name, issued)
    _path, headers, queries = DOCUMENTS[name]
    first = client.get(url, **headers)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag == '"' + hashlib.sha256(first.content).hexdigest()[:32] + '"'  # strong
    assert parsedate_to_datetime(first["Last-Modified"]) <= timezone.now()
    control = cache_control(first)
    assert "public" in control and int(control["max-age"]) > 0
    assert int(control["stale-while-revalidate"]) > 0 and int(control["stale-if-error"]) > 0
    assert first["Access-Control-Allow-Origin"] == "*"
    assert not first.cookies  # nothing of the visitor's: a shared cache may keep it

    with django_assert_num_queries(queries):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Access-Control-Allow-Origin"] == "*"
    assert again.get("Vary") == first.get("Vary")


def test_a_credential_is_kept_when_its_issuer_was_asked_for_first(
    client, assertion, django_assert_num_queries
):
    """The issuer's stamp is in the cache already (a verifier read the profile first): the
    credential built next is kept under it, not built again on every request."""
    assert client.get(url_of(client, "issuer", assertion), **JSON).status_code == 200
    url = url_of(client, "OB 3.0 JSON-LD", assertion)
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("name", DOCUMENTS)
def test_head_and_if_modified_since_work_too(client, assertion, name):
    url = url_of(client, name, assertion)
    _path, headers, _queries = DOCUMENTS[name]
    first = client.get(url, **headers)
    head = client.head(url, **headers)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == first["ETag"] and head["Last-Modified"] == first["Last-Modified"]
    assert client.head(url, HTTP_IF_NONE_MATCH=first["ETag"], **headers).status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], **headers)
    assert since.status_code == 304
    earlier = format_datetime(parsedate_to_datetime(first["Last-Modified"]).replace(year=2000))
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier, **headers).status_code == 200


@pytest.mark.parametrize(
    "if_none_match",
    ['"not-this-one"', "garbage", 'W/"not-this-one"', '""'],
)
def test_a_tag_that_does_not_match_gets_the_whole_document(client, assertion, if_none_match):
    url = f"/public/assertions/{assertion.uuid}"
    first = client.get(url, **JSON)
    other = client.get(url, HTTP_IF_NONE_MATCH=if_none_match, **JSON)
    assert other.status_code == 200 and other.content == first.content


def test_a_weakened_copy_of_the_tag_still_matches(client, assertion):
    """If-None-Match compares weakly (RFC 9110 13.1.2): a proxy that compresses the JSON
    sends the tag back as W/"…", and it still names this document."""
    url = f"/public/assertions/{assertion.uuid}"
    etag = client.get(url, **JSON)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}", **JSON).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"x", {etag}', **JSON).status_code == 304


def test_what_a_revocation_must_reach_soon_is_kept_a_minute(client, assertion):
    for name in DOCUMENTS:
        control = cache_control(client.get(url_of(client, name, assertion), **DOCUMENTS[name][1]))
        if name in REVOCATION_DOCUMENTS or name == "OB 3.0 by Accept":
            assert control["max-age"] == "60", name
        else:
            assert int(control["max-age"]) >= 300, name


@pytest.mark.parametrize("name", REVOCATION_DOCUMENTS)
def test_a_revocation_changes_the_document_and_its_etag_at_once(
    client, assertion, name, django_capture_on_commit_callbacks
):
    url = url_of(client, name, assertion)
    headers = DOCUMENTS[name][1]
    before = client.get(url, **headers)
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"], **headers).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Evidence was copied.", revoked_by=None)
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"], **headers)
    assert after["ETag"] != before["ETag"]
    if name in ("revocation list", "status list"):
        assert after.status_code == 200
        listed = json.loads(after.content)
        if name == "revocation list":
            assert [entry["revocationReason"] for entry in listed["revokedCredential"]] == [
                "Evidence was copied."
            ]
        else:
            bits = decoded_list(listed["credentialSubject"]["encodedList"])
            assert bit_is_set(bits, assertion.status_entry.index)
        # The new list revalidates as before.
        again = client.get(url, HTTP_IF_NONE_MATCH=after["ETag"], **headers)
        assert again.status_code == 304
    else:
        # The badge is gone (410, with the reason), and that answer is sent whole: RFC 9110
        # applies If-None-Match to 2xx answers only.
        assert after.status_code == 410
        assert json.loads(after.content) == {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": f"http://testserver/public/assertions/{assertion.uuid}",
            "revoked": True,
            "revocationReason": "Evidence was copied.",
        }
        assert "stale-while-revalidate" in after["Cache-Control"]
        assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"], **headers).status_code == 410


def test_an_unchanged_document_keeps_its_etag_when_another_badge_is_revoked(
    client, assertion, django_capture_on_commit_callbacks
):
    other = assertion_award(
        recipient=UserFactory(), badge_class=assertion.badge_class, notify=False
    )
    urls = [url_of(client, name, assertion) for name in ("assertion", "OB 3.0 JSON-LD")]
    before = [client.get(url, **JSON)["ETag"] for url in urls]
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=other, reason="Copied", revoked_by=None)
    for url, etag in zip(urls, before, strict=True):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON).status_code == 304


@pytest.fixture
def purged():
    """The URLs the purge hook is told about, as a CDN purge connected to it would be."""
    urls = []

    def receiver(sender, **kwargs):
        urls.extend(kwargs["urls"])

    public_urls_purge.connect(receiver, weak=False)
    yield urls
    public_urls_purge.disconnect(receiver)


def test_a_revocation_names_every_changed_url_to_the_purge_hook(
    client, assertion, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
    issuer = assertion.badge_class.issuer.uuid
    site = "http://testserver/public"
    assert set(purged) >= {
        f"{site}/assertions/{assertion.uuid}",
        f"{site}/assertions/{assertion.uuid}/ob3",
        f"{site}/assertions/{assertion.uuid}/ob3.json",
        f"{site}/issuers/{issuer}/revocations",
        f"{site}/issuers/{issuer}/status/{assertion.status_entry.number}",
    }


def test_a_failing_purge_does_not_undo_the_revocation(
    client, assertion, django_capture_on_commit_callbacks, caplog
):
    def broken_cdn(sender, **kwargs):
        raise ConnectionError("the CDN did not answer")

    public_urls_purge.connect(broken_cdn, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
    finally:
        public_urls_purge.disconnect(broken_cdn)
    assert "the CDN did not answer" in caplog.text
    assert client.get(f"/public/assertions/{assertion.uuid}", **JSON).status_code == 410


def test_an_issuers_edit_changes_its_profile_and_the_credentials_that_carry_it(
    client, micro_credential, learner, purged, django_capture_on_commit_callbacks
):
    district = DistrictFactory()
    MembershipFactory(district=district, user=learner)
    profile = {
        "district": district,
        "url": "https://springfield.example/",
        "email": "badges@springfield.example",
        "description": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        issuer = issuer_for_district_save(name="Springfield Schools", **profile)
        issuing_arrangements_set(issuer=issuer, pages=[micro_credential])
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=learner)
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    urls = [url_of(client, name, assertion) for name in ("issuer", "OB 3.0 JSON-LD")]
    before = [client.get(url, **JSON)["ETag"] for url in urls]

    with django_capture_on_commit_callbacks(execute=True):
        issuer_for_district_save(name="Springfield Public Schools", **profile)
    issuer_json, credential = (
        client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON)
        for url, etag in zip(urls, before, strict=True)
    )
    assert (
        issuer_json.status_code == 200
        and issuer_json.json()["name"] == "Springfield Public Schools"
    )
    assert credential.status_code == 200
    assert json.loads(credential.content)["issuer"]["name"] == "Springfield Public Schools"
    assert f"http://testserver/public/issuers/{issuer.uuid}" in purged


def test_a_key_rotation_signs_again_and_publishes_the_new_key(
    client, assertion, purged, django_capture_on_commit_callbacks
):
    issuer = assertion.badge_class.issuer
    urls = [url_of(client, name, assertion) for name in ("OB 3.0 JWT", "DID document")]
    before = [client.get(url, HTTP_ACCEPT="application/vc+jwt") for url in urls]
    with django_capture_on_commit_callbacks(execute=True):
        issuer_key_rotate(issuer=issuer)
    token, document = (
        client.get(url, HTTP_IF_NONE_MATCH=old["ETag"], HTTP_ACCEPT="application/vc+jwt")
        for url, old in zip(urls, before, strict=True)
    )
    assert token.status_code == 200 and token.content != before[0].content
    assert document.status_code == 200
    assert len(document.json()["verificationMethod"]) == 2  # the old key stays published
    assert f"http://testserver/public/issuers/{issuer.uuid}/did.json" in purged


def test_the_page_for_people_revalidates_by_its_bytes_and_stays_out_of_shared_caches(
    client, assertion, learner
):
    """The page is drawn for its visitor (their navigation, a status that turns to expired
    with the clock), so it is not kept: its ETag is worked out from the drawn page."""
    url = f"/public/assertions/{assertion.uuid}"
    page = client.get(url, **BROWSER)
    assert page.status_code == 200 and page["ETag"]
    assert page["Cache-Control"] == "no-cache" and "Last-Modified" not in page
    assert "Accept" in page["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH=page["ETag"], **BROWSER).status_code == 304
    client.force_login(learner)
    signed_in = client.get(url, **BROWSER)
    assert "no-store" in signed_in["Cache-Control"] and "private" in signed_in["Cache-Control"]


def test_a_list_read_before_a_revocation_is_not_served_after_it(
    client, assertion, django_capture_on_commit_callbacks
):
    """A request reads the stamps, then the database; if a revocation commits in between
    and the request stores the list it read, the list it stored is not served."""
    issuer = assertion.badge_class.issuer.uuid
    stale = status_list_public(issuer, 0)  # the list while the badge was valid

    def read_while_the_badge_is_revoked():
        with django_capture_on_commit_callbacks(execute=True):
            assertion_revoke(assertion=assertion, reason="Copied", revoked_by=None)
        return stale

    key = public_cache.status_list_key(issuer, 0)
    public_cache.document(key, [revocations_stamp(issuer)], read_while_the_badge_is_revoked)
    listed = json.loads(client.get(f"/public/issuers/{issuer}/status/0").content)
    bits = decoded_list(listed["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, assertion.status_entry.index)


def test_what_the_release_before_kept_is_neither_served_nor_overwritten(client, assertion):
    """The release before kept (status, body) under "ob2:assertion:<uuid>" and the like for
    an hour, and its processes still do during a rolling deploy. Whatever is found under
    either name, verifiers get the document, and the old processes still find what they
    can read."""
    badge_class = assertion.badge_class
    documents = [
        ("assertions", assertion.uuid, public_cache.assertion_key, assertion_public_json),
        ("badges", badge_class.uuid, public_cache.badge_class_key, badge_class_public_json),
        ("issuers", badge_class.issuer.uuid, public_cache.issuer_key, issuer_public_json),
    ]
    old_keys = {"assertions": "assertion", "badges": "badge", "issuers": "issuer"}
    old = (200, b'{"kept": "by the release before"}')
    for kind, uuid_, key, _built in documents:
        cache.set(f"ob2:{old_keys[kind]}:{uuid_}", old, 3600)
        cache.set(key(uuid_), old, 3600)

    for kind, uuid_, _key, built in documents:
        url = f"/public/{kind}/{uuid_}"
        response = client.get(url, **JSON)
        assert response.status_code == 200, kind
        assert response.content == built(uuid_).body, kind
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **JSON).status_code == 304
        assert cache.get(f"ob2:{old_keys[kind]}:{uuid_}") == old, kind


def cache_keys() -> set[str]:
    """Every key in the tests' cache: Redis when REDIS_URL is set, else local memory."""
    if hasattr(cache, "keys"):
        return set(cache.keys("*"))
    return set(cache._cache)


def test_unknown_ids_leave_nothing_in_the_cache(client, assertion, django_assert_num_queries):
    """A scanner asking for made-up ids gets 404s and writes no key; a real badge is kept
    as before and revalidates for no query."""
    paths = [
        "/public/assertions/{}",
        "/public/assertions/{}/ob3.json",
        "/public/issuers/{}",
        "/public/issuers/{}/revocations",
        "/public/issuers/{}/status/0",
    ]

    def kept() -> set[str]:
        # Not the address's request count (one key an address and window, whatever it
        # asks for): made before or during the test, depending on the window.
        return {key for key in cache_keys() if ":throttle:" not in key}

    before = kept()
    for n in range(20):
        path = paths[n % len(paths)].format(uuid.uuid4())
        assert client.get(path, **JSON).status_code == 404, path
    assert kept() == before

    url = f"/public/assertions/{assertion.uuid}"
    etag = client.get(url, **JSON)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON).status_code == 304
    assert kept() > before


@pytest.mark.needs_redis
@pytest.mark.parametrize("name", ["assertion", "badge class", "issuer"])
def test_a_cached_document_costs_one_redis_round_trip(
    client, assertion, name, monkeypatch, django_capture_on_commit_callbacks
):
    """The address's limit and the cached document (with its stamps) are read in one
    script: what a verifier asks for most costs one round trip, not two. A revocation still
    shows at once (the stamps come in the same read)."""
    from tests.costs import redis_commands

    url = url_of(client, name, assertion)
    first = client.get(url, **JSON)
    assert first.status_code == 200
    with redis_commands(monkeypatch) as commands:
        again = client.get(url, **JSON)
    assert (again.status_code, again.content) == (200, first.content)
    assert commands == ["EVAL"]
    if name == "assertion":
        with django_capture_on_commit_callbacks(execute=True):
            assertion_revoke(assertion=assertion, reason="Issued in error.", revoked_by=None)
        assert client.get(url, **JSON).json()["revoked"] is True
