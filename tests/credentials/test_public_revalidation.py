"""What verifiers and backpacks notice: an ETag on public answers and 304 when nothing
changed (a revocation changes the answer at once), JSON 404s with CORS for JSON clients,
and 405 for methods the public endpoints do not take."""

import json
import uuid

import pytest

from credentials.services.badges import assertion_award, assertion_revoke

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/ld+json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(recipient=learner, badge_class=badge_class, notify=False)


def test_an_unchanged_assertion_answers_304_and_a_revocation_changes_the_answer(
    client, assertion, django_capture_on_commit_callbacks
):
    url = f"/public/assertions/{assertion.uuid}"
    first = client.get(url, **JSON)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON)
    assert again.status_code == 304 and again.content == b""

    with django_capture_on_commit_callbacks(execute=True):  # the cached JSON is rebuilt
        assertion_revoke(assertion=assertion, reason="Evidence was copied.", revoked_by=None)
    after = client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON)
    assert after.status_code == 410
    assert after.json()["revoked"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/public/assertions/{assertion}/ob3.json",
        "/public/badges/{badge}",
        "/public/issuers/{issuer}",
        "/public/issuers/{issuer}/jwks",
        "/public/issuers/{issuer}/did.json",
        "/public/issuers/{issuer}/revocations",
    ],
)
def test_every_public_json_answer_can_be_revalidated(client, assertion, path):
    url = path.format(
        assertion=assertion.uuid,
        badge=assertion.badge_class.uuid,
        issuer=assertion.badge_class.issuer.uuid,
    )
    first = client.get(url, **JSON)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **JSON).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"', **JSON).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/public/assertions/{missing}",
        "/public/assertions/{missing}/ob3.json",
        "/public/badges/{missing}",
        "/public/issuers/{missing}/did.json",
        "/public/no-such-thing",
    ],
)
def test_json_clients_get_a_json_404_they_may_read(client, db, path):
    url = path.format(missing=uuid.uuid4())
    response = client.get(url, **JSON)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"] == "not_found"
    # People get the site's page.
    page = client.get(url, **BROWSER)
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_public_endpoints_take_only_get_and_head(client, assertion):
    url = f"/public/assertions/{assertion.uuid}"
    assert client.head(url, **JSON).status_code == 200
    for method in (client.post, client.put, client.delete):
        assert method(url).status_code == 405


def test_the_ob3_url_gives_the_jwt_or_the_json_ld_credential_by_accept(client, assertion):
    url = f"/public/assertions/{assertion.uuid}/ob3"
    assert client.get(url)["Content-Type"] == "application/vc+jwt"
    as_jwt = client.get(url, HTTP_ACCEPT="application/vc+jwt")
    assert as_jwt.content.count(b".") == 2 and "Accept" in as_jwt["Vary"]
    for accept in ("application/vc", "application/ld+json"):
        credential = client.get(url, HTTP_ACCEPT=accept)
        assert credential["Content-Type"] == "application/vc"
        assert json.loads(credential.content)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_images_revalidate_by_etag_and_carry_cors(client, assertion):
    for url in (
        f"/public/badges/{assertion.badge_class.uuid}/image",
        f"/public/assertions/{assertion.uuid}/image",
    ):
        first = client.get(url)
        assert first.status_code == 200 and first["Access-Control-Allow-Origin"] == "*"
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again["ETag"] == first["ETag"]
