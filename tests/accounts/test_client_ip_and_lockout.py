"""Rate limits count per client address, read through trusted proxies only; wrong
passwords tried by someone else never lock the owner out of their account."""

import itertools
import secrets

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import RequestFactory

from accounts import adapter
from accounts.client_ip import client_ip
from tests.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.5"
# Each test uses addresses and accounts of its own: the counts live in the cache, which
# tests share (and, with Redis, outlive a run).
_run = secrets.randbelow(250)
_addresses = (f"198.18.{_run}.{n % 250 + 1}" for n in itertools.count())


def an_owner():
    return UserFactory(email=f"owner-{secrets.token_hex(6)}@school.example")


def next_address() -> str:
    return next(_addresses)


def seen(remote: str, forwarded: str | None = None) -> str:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_connecting_address_is_the_client(settings):
    settings.LEAP_TRUSTED_PROXIES = []
    assert seen("198.51.100.7", "192.0.2.1") == "198.51.100.7"


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(settings):
    settings.LEAP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert seen(PROXY, "192.0.2.1") == "192.0.2.1"
    # Two trusted hops (a load balancer, then the TLS proxy).
    assert seen(PROXY, "192.0.2.1, 10.1.2.3") == "192.0.2.1"
    assert seen(PROXY, "2001:db8::1") == "2001:db8::1"


def test_a_forged_x_forwarded_for_cannot_choose_the_address(settings):
    settings.LEAP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.2.3.4" itself; the proxy appended what it really saw.
    assert seen(PROXY, "1.2.3.4, 192.0.2.1") == "192.0.2.1"
    # Straight to the app, not through the proxy: the header is ignored altogether.
    assert seen("198.51.100.7", "1.2.3.4") == "198.51.100.7"
    # A trusted proxy passing on nonsense: the proxy's own address counts, nothing is guessed.
    assert seen(PROXY, "not-an-address") == PROXY
    assert seen(PROXY, "") == PROXY


def test_allauth_uses_the_same_address(settings, rf):
    settings.LEAP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9")
    assert adapter.AccountAdapter(request).get_client_ip(request) == "192.0.2.9"


@pytest.fixture
def limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.LEAP_TRUSTED_PROXIES = ["10.0.0.0/8"]


def log_in(client, email: str, password: str, address: str):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


TOO_MANY = "Too many wrong passwords have been tried for this account"


@pytest.mark.django_db
def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client, limits):
    owner = an_owner()
    stranger = next_address()
    for _ in range(5):
        assert (
            TOO_MANY not in log_in(client, owner.email, "wrong-guess-1", stranger).content.decode()
        )
    # The stranger is stopped, even when they try the right password now…
    refused = log_in(client, owner.email, DEFAULT_PASSWORD, stranger)
    assert TOO_MANY in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # …but the owner, from their own computer behind the same proxy, signs in.
    signed_in = log_in(client, owner.email, DEFAULT_PASSWORD, next_address())
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == owner.pk


@pytest.mark.django_db
def test_many_addresses_together_stop_password_guessing_for_the_account(
    client, limits, monkeypatch
):
    monkeypatch.setitem(adapter.LOGIN_FAILURES_PER_ACCOUNT, "limit", 6)
    owner = an_owner()
    for _ in range(4):  # two wrong passwords from each of four addresses
        address = next_address()
        log_in(client, owner.email, "wrong-guess-1", address)
        log_in(client, owner.email, "wrong-guess-2", address)
    # Without a second factor, the password is not even checked any more, so the answer
    # gives nothing away, from any address.
    refused = log_in(client, owner.email, DEFAULT_PASSWORD, next_address())
    assert TOO_MANY in refused.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_account_with_a_second_factor_still_lets_its_owner_in(client, limits, monkeypatch):
    monkeypatch.setitem(adapter.LOGIN_FAILURES_PER_ACCOUNT, "limit", 6)
    owner = an_owner()
    TOTP.activate(owner, generate_totp_secret())
    for _ in range(4):
        address = next_address()
        log_in(client, owner.email, "wrong-guess-1", address)
        log_in(client, owner.email, "wrong-guess-2", address)
    wrong = log_in(client, owner.email, "wrong-guess-3", next_address())
    assert TOO_MANY not in wrong.content.decode()
    assert wrong.status_code == 200  # refused as a wrong password: the second factor still guards
    right = log_in(client, owner.email, DEFAULT_PASSWORD, next_address())
    assert right["Location"] == "/accounts/2fa/authenticate/"  # the second factor is next
    assert "_auth_user_id" not in client.session
