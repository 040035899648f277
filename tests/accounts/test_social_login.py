"""Sign-in with Google and Microsoft through allauth.socialaccount.

The whole flow runs through Leap's URLs (the log-in button's POST, then the provider's
callback); only the provider's side is mocked: the token exchange and Microsoft Graph's
profile, at the one place allauth talks HTTP (requests.Session.request).
"""

import copy
import json
import re
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core import mail

from accounts.adapter import display_name_from_provider
from accounts.models import User
from tests.cms.test_configuration import PRODUCTION, assert_one_clear_line, manage
from tests.factories import DEFAULT_PASSWORD, UserFactory

GOOGLE_APP = {"name": "Google", "client_id": "google-client.apps.example", "secret": "g-secret"}
MICROSOFT_APP = {"name": "Microsoft", "client_id": "ms-client-id", "secret": "ms-secret"}
LINK = re.compile(r"http://testserver(/accounts/[^\s]+)")


@pytest.fixture
def google(settings):
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["google"]["APPS"] = [GOOGLE_APP]
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def microsoft(settings):
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["microsoft"]["APPS"] = [MICROSOFT_APP]
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the e-mail tasks) as the request's transaction ends."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


class FakeResponse:
    def __init__(self, data: dict, status_code: int = 200):
        self.status_code = status_code
        self.text = json.dumps(data)
        self.content = self.text.encode()
        self.headers = {"content-type": "application/json"}
        self.ok = status_code < 400

    def json(self) -> dict:
        return json.loads(self.text)

    def raise_for_status(self) -> None:
        pass


class FakeProvider:
    """Answers allauth's HTTP requests as the provider would, by URL; records them."""

    def __init__(self, routes: dict[str, dict]):
        self.routes = routes
        self.requests: list[tuple[str, str, dict]] = []

    def __call__(self, method, url, **kwargs):
        self.requests.append((method, url, kwargs))
        for prefix, data in self.routes.items():
            if url.startswith(prefix):
                return FakeResponse(data)
        raise AssertionError(f"Unexpected request to the outside world: {method} {url}")


def sign_in_with(client, provider_id: str, routes: dict[str, dict]):
    """Press the provider's button, come back from the provider with a code; return the
    callback's response and what was asked of the provider."""
    started = client.post(f"/accounts/{provider_id}/login/?process=login")
    assert started.status_code == 302
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["redirect_uri"] == [f"http://testserver/accounts/{provider_id}/login/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    fake = FakeProvider(routes)
    with mock.patch.object(requests.Session, "request", fake):
        response = client.get(
            f"/accounts/{provider_id}/login/callback/",
            {"code": "code-from-provider", "state": query["state"][0]},
        )
    return response, fake


def google_token(**claims) -> dict:
    now = int(time.time())
    id_token = {
        "iss": "https://accounts.google.com",
        "aud": GOOGLE_APP["client_id"],
        "sub": "108204268033311374519",
        "email": "ana.diaz@school.example",
        "email_verified": True,
        "name": "Ana Díaz",
        "given_name": "Ana",
        "family_name": "Díaz",
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    id_token = {key: value for key, value in id_token.items() if value is not None}
    # Received straight from Google's token endpoint over TLS, the id_token's signature is not
    # checked (OpenID Connect Core 3.1.3.7), so any key signs it here.
    return {
        "access_token": "google-access-token",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": jwt.encode(
            id_token, "a-test-signing-key-of-at-least-32-bytes", algorithm="HS256"
        ),
    }


def google_routes(**claims) -> dict[str, dict]:
    return {"https://oauth2.googleapis.com/token": google_token(**claims)}


def microsoft_routes(**profile) -> dict[str, dict]:
    me = {
        "id": "6f0c2c9e-0000-4000-8000-000000000001",
        "displayName": "Kofi Mensah",
        "givenName": "Kofi",
        "surname": "Mensah",
        "mail": "kofi.mensah@district.example",
        "userPrincipalName": "kofi.mensah@district.example",
        **profile,
    }
    return {
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token": {
            "access_token": "ms-access-token",
            "token_type": "Bearer",
            "expires_in": 3600,
        },
        "https://graph.microsoft.com/v1.0/me": me,
    }


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# Google


@pytest.mark.django_db
def test_google_sign_in_creates_an_account_named_from_the_profile(client, google, settings):
    response, fake = sign_in_with(client, "google", google_routes())

    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    user = signed_in_user(client)
    assert user.email == "ana.diaz@school.example"
    assert user.display_name == "Ana Díaz"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, True, True)
    assert SocialAccount.objects.get(user=user).provider == "google"
    assert mail.outbox == []  # Google verified the address: no link to click
    [(method, url, kwargs)] = fake.requests
    assert (method, url) == ("POST", "https://oauth2.googleapis.com/token")
    assert "code_verifier" in kwargs["data"]


@pytest.mark.django_db
def test_google_sign_in_connects_the_existing_account_with_that_verified_address(client, google):
    ana = UserFactory(email="ana.diaz@school.example", display_name="Ana D.")

    sign_in_with(client, "google", google_routes())

    assert signed_in_user(client) == ana
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(provider="google").user == ana
    ana.refresh_from_db()
    assert ana.display_name == "Ana D."  # what she chose is kept
    assert ana.check_password(DEFAULT_PASSWORD)  # her password still works

    # The next time, the connected Google account alone finds her.
    client.logout()
    sign_in_with(client, "google", google_routes(email="ana@personal.example"))
    assert signed_in_user(client) == ana


@pytest.mark.django_db
def test_an_unverified_google_address_never_opens_an_existing_account(client, google, on_commit):
    ana = UserFactory(email="ana.diaz@school.example")

    response, _ = on_commit(sign_in_with, client, "google", google_routes(email_verified=False))

    assert signed_in_user(client) is None
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    ana.refresh_from_db()
    assert ana.check_password(DEFAULT_PASSWORD)
    # As with e-mail sign-up, the page does not reveal the account; the owner gets a note.
    assert [message.to for message in mail.outbox] == [["ana.diaz@school.example"]]


@pytest.mark.django_db
def test_a_user_with_two_factor_authentication_still_gives_a_code(client, google):
    ana = UserFactory(email="ana.diaz@school.example")
    TOTP.activate(ana, generate_totp_secret())

    response, _ = sign_in_with(client, "google", google_routes())

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_without_an_email_from_google_the_sign_up_form_asks_for_name_and_email(
    client, google, on_commit
):
    response, _ = sign_in_with(
        client, "google", google_routes(email=None, email_verified=None, name="Ana Díaz")
    )
    assert response["Location"] == "/accounts/3rdparty/signup/"

    form_page = client.get("/accounts/3rdparty/signup/")
    assert form_page.status_code == 200
    assert form_page.context["form"]["display_name"].value() == "Ana Díaz"
    html = form_page.content.decode()
    assert 'name="display_name"' in html and 'name="email"' in html

    submitted = on_commit(
        client.post,
        "/accounts/3rdparty/signup/",
        {"display_name": "  Ana   Díaz ", "email": "Ana@School.Example"},
    )

    assert submitted["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="ana@school.example")
    assert user.display_name == "Ana Díaz"
    assert not EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).provider == "google"
    assert [message.to for message in mail.outbox] == [["ana@school.example"]]


# Microsoft


@pytest.mark.django_db
def test_microsoft_sign_in_creates_an_account_whose_address_is_verified_by_link(
    client, microsoft, on_commit
):
    response, fake = on_commit(sign_in_with, client, "microsoft", microsoft_routes())

    # allauth never marks Microsoft's address verified, so Leap's own link must be clicked.
    assert response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user(client) is None
    user = User.objects.get(email="kofi.mensah@district.example")
    assert user.display_name == "Kofi Mensah"
    assert not EmailAddress.objects.get(user=user).verified
    assert [url for _, url, _ in fake.requests] == [
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
        "https://graph.microsoft.com/v1.0/me",
    ]

    confirm_path = LINK.search(mail.outbox[0].body).group(1)
    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    sign_in_with(client, "microsoft", microsoft_routes())
    assert signed_in_user(client) == user


@pytest.mark.django_db
def test_microsoft_sign_in_never_takes_over_an_account_with_the_same_address(
    client, microsoft, on_commit
):
    # Microsoft's `mail` can be set by any tenant's admin, so it proves nothing.
    kofi = UserFactory(email="kofi.mensah@district.example")

    on_commit(sign_in_with, client, "microsoft", microsoft_routes())

    assert signed_in_user(client) is None
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    kofi.refresh_from_db()
    assert kofi.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_an_admin_can_trust_a_tenants_domains_for_microsoft(client):
    SocialApp.objects.create(
        provider="microsoft",
        name="District",
        client_id="ms-client-id",
        secret="ms-secret",
        settings={"verified_email": ["district.example"]},
    )
    kofi = UserFactory(email="kofi.mensah@district.example")

    sign_in_with(client, "microsoft", microsoft_routes())

    assert signed_in_user(client) == kofi
    assert SocialAccount.objects.get(provider="microsoft").user == kofi


def test_the_display_name_falls_back_to_the_email_local_part():
    assert display_name_from_provider({"displayName": " Kofi  Mensah "}, {}, "k@x.example") == (
        "Kofi Mensah"
    )
    assert display_name_from_provider({}, {"first_name": "Kofi"}, "k@x.example") == "Kofi"
    assert display_name_from_provider({}, {}, "kofi.mensah@x.example") == "kofi.mensah"


# The buttons


def social_buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="[^"]*provider-button[^"]*">\s*(.*?)\s*<', html)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_no_provider_buttons_until_a_provider_is_configured(client, path):
    html = client.get(path).content.decode()
    assert social_buttons(html) == []
    assert "social-login" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_a_provider_configured_in_settings_gets_a_post_button(client, google, path):
    html = client.get(path + "?next=/my/badges/").content.decode()
    assert social_buttons(html) == ["Continue with Google"]
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden"', html)
    assert form.group(1) == "/accounts/google/login/?process=login&amp;next=%2Fmy%2Fbadges%2F"


@pytest.mark.django_db
def test_a_provider_added_in_the_django_admin_gets_a_button(client, google):
    SocialApp.objects.create(provider="microsoft", name="Microsoft", client_id="id", secret="s")
    html = client.get("/accounts/login/").content.decode()
    assert social_buttons(html) == ["Continue with Google", "Continue with Microsoft"]


@pytest.mark.django_db
def test_a_get_to_the_provider_url_does_not_leave_the_site(client, google):
    # Links and prefetches must not start a sign-in; the page asks for a POST instead.
    response = client.get("/accounts/google/login/")
    assert response.status_code == 200
    assert b'method="post"' in response.content


@pytest.mark.django_db
def test_connected_accounts_are_listed_in_the_account_settings(client, google):
    client.force_login(UserFactory())
    html = client.get("/accounts/3rdparty/").content.decode()
    assert "Connected accounts" in html
    assert social_buttons(html) == ["Connect a Google account"]


# Configuration from the environment


@pytest.mark.parametrize(
    "env",
    [
        {"GOOGLE_CLIENT_ID": "id"},
        {"GOOGLE_CLIENT_SECRET": "secret"},
        {"MICROSOFT_CLIENT_ID": "id"},
        {"MICROSOFT_CLIENT_SECRET": "secret"},
    ],
)
def test_a_half_configured_provider_names_the_missing_setting(env):
    [(name, _)] = env.items()
    other = name.replace("_ID", "_SECRET") if name.endswith("_ID") else name.replace("SECRET", "ID")
    done = manage("check", **env)
    assert_one_clear_line(done, name)
    assert other in done.stderr


def test_providers_configured_from_the_environment_pass_the_deployment_checklist():
    env = {
        **PRODUCTION,
        "GOOGLE_CLIENT_ID": "google-id",
        "GOOGLE_CLIENT_SECRET": "google-secret",
        "MICROSOFT_CLIENT_ID": "ms-id",
        "MICROSOFT_CLIENT_SECRET": "ms-secret",
        "MICROSOFT_TENANT": "district.example",
    }
    done = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode == 0, done.stdout + done.stderr

    code = (
        "from django.conf import settings; p = settings.SOCIALACCOUNT_PROVIDERS; "
        "print([(a['client_id'], a['secret']) for n in sorted(p) for a in p[n]['APPS']]); "
        "print(p['microsoft']['TENANT'])"
    )
    done = manage("shell", "--no-imports", "-c", code, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[('google-id', 'google-secret'), ('ms-id', 'ms-secret')]",
        "district.example",
    ]
