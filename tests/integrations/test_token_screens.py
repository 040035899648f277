"""A district admin makes, names, scopes and revokes API tokens: the secret is shown once
and works at once; a revoked one stops; making or revoking one asks who it is after a
while; and nobody but the district's admins sees the screen."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from integrations.models import ApiToken
from tests.factories import MembershipFactory
from tests.integrations.conftest import bearer, token_for

pytestmark = pytest.mark.django_db

LONG_AGO = 11 * 60  # seconds: past the ten-minute window


def screen(data) -> str:
    return reverse("integrations:district_api", args=[data.district.slug])


def test_an_admin_makes_a_token_sees_it_once_and_it_works(client, riverside):
    client.force_login(riverside.admin)
    response = client.post(
        screen(riverside), {"name": "HR nightly", "scopes": ["members", "credit"], "days": "90"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("leap_") and secret in response.content.decode()
    token = ApiToken.objects.get(name="HR nightly")
    assert token.scopes == ["members", "credit"] and token.token_hash != secret
    assert AuditEntry.objects.filter(action="token_created", district_id=riverside.district.pk)

    assert client.get("/api/v1/members", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/badges", **bearer(secret)).status_code == 403

    listing = client.get(screen(riverside)).content.decode()
    assert "HR nightly" in listing and secret not in listing
    assert token.token_start in listing


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "", "scopes": ["members"], "days": "90"}, "This field is required"),
        ({"name": "x", "days": "90"}, "This field is required"),
        ({"name": "x", "scopes": ["everything"], "days": "90"}, "not one of the available"),
        ({"name": "x", "scopes": ["members"], "days": "7"}, "not one of the available"),
    ],
)
def test_a_wrong_form_says_why_and_makes_nothing(client, riverside, data, says):
    client.force_login(riverside.admin)
    response = client.post(screen(riverside), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(client, riverside):
    token, secret = token_for(riverside)
    client.force_login(riverside.admin)
    response = client.post(
        reverse("integrations:token_revoke", args=[riverside.district.slug, token.pk])
    )
    assert response.status_code == 302
    assert client.get("/api/v1/schools", **bearer(secret)).status_code == 401
    assert "Revoked" in client.get(screen(riverside)).content.decode()
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_making_or_revoking_a_token_asks_who_it_is_after_a_while(client, riverside):
    token, secret = token_for(riverside)
    client.force_login(riverside.admin)
    client.authentication_age(riverside.admin, LONG_AGO)
    made = client.post(screen(riverside), {"name": "x", "scopes": ["members"], "days": "90"})
    revoked = client.post(
        reverse("integrations:token_revoke", args=[riverside.district.slug, token.pk])
    )
    for response in (made, revoked):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
    assert ApiToken.objects.count() == 1
    assert client.get("/api/v1/schools", **bearer(secret)).status_code == 200


def test_only_the_districts_admins_see_its_tokens(client, riverside, hillcrest, outsider):
    token, _ = token_for(riverside)
    learner = riverside.members[0].user
    facilitator = MembershipFactory(district=riverside.district, role="facilitator").user
    for person in (outsider, learner, facilitator, hillcrest.admin):
        client.force_login(person)
        assert client.get(screen(riverside)).status_code == 404
        assert (
            client.post(
                reverse("integrations:token_revoke", args=[riverside.district.slug, token.pk])
            ).status_code
            == 404
        )
    # Another district's admin cannot revoke it through their own district either.
    client.force_login(hillcrest.admin)
    response = client.post(
        reverse("integrations:token_revoke", args=[hillcrest.district.slug, token.pk])
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_schema_and_its_documentation_are_served_from_leap_itself(client):
    schema = client.get("/api/v1/schema?format=json")
    assert schema.status_code == 200
    assert "/api/v1/members" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page
    # Any other address under the API is a JSON 404, not the site's page.
    missing = client.get("/api/v1/nothing/here.html")
    assert missing.status_code == 404 and "no such endpoint" in missing.json()["detail"]
