"""Redis goes away mid-run and Leap keeps serving from the database: pages (Wagtail's
site-root paths included), log-in with and without a second factor, throttles, /health/,
and public verification (the badge page, Open Badges 2.0 JSON, 3.0, the baked image).
The Redis here is the test's own redis-server, stopped, frozen and started again; the
shared one is never touched."""

import io
import json
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django_redis.pool import ConnectionFactory
from openbadges_bakery import unbake

from accounts.throttle import throttle_allows
from cms import cache as leap_cache
from cms.cache import redis_cache
from cms.demo import site_tree_ensure
from cms.tasks import worker_heartbeat
from credentials.openbadges.cache import assertion_key
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    assertion_set_public,
    badge_class_for_micro_credential,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.needs_redis, pytest.mark.django_db]

JSON = {"HTTP_ACCEPT": "application/ld+json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
RETRY_AFTER = 0.5  # seconds before a process asks a silent Redis again (5 in production)


def use_as_cache(settings, server: RedisServer, *, retry_after: float) -> None:
    settings.CACHES = {
        "default": redis_cache(server.url, key_prefix="leap", retry_after=retry_after)
    }


@pytest.fixture
def redis_server(settings):
    """The test's own Redis as Leap's cache and broker, configured as in production."""
    server = RedisServer()
    server.start()
    use_as_cache(settings, server, retry_after=RETRY_AFTER)
    settings.CELERY_BROKER_URL = server.url  # what /health/ checks (tasks run in-process here)
    # allauth's own rate limits read and write the cache too, as in production.
    del settings.ACCOUNT_RATE_LIMITS
    yield server
    server.stop()
    pool = ConnectionFactory._pools.pop(server.url, None)
    if pool is not None:
        pool.disconnect()


@pytest.fixture
def site(db):
    """The home page, a catalogue section with one micro-credential, and a badge of it
    earned by Maya, who has made it public."""
    home = site_tree_ensure()
    catalogue = MicroCredentialIndexPageFactory(parent=home, title="Micro-credentials")
    page = MicroCredentialPageFactory(parent=catalogue, title="Data-Driven Instruction")
    learner = onboarded(UserFactory(email="maya@school.example", display_name="Maya Torres"))
    assertion = assertion_award(
        recipient=learner,
        badge_class=badge_class_for_micro_credential(page=page),
        evidence="https://example.org/evidence",
        notify=False,
    )
    assertion = assertion_set_public(assertion=assertion, is_public=True)
    return {"catalogue": catalogue.url, "assertion": assertion, "learner": learner}


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": DEFAULT_PASSWORD})


def assert_everything_answers(client, site):
    """Each public and signed-in page a visitor, a learner and a verifier use, with what
    they should see on it."""
    assertion = site["assertion"]
    public = f"/public/assertions/{assertion.uuid}"

    home = client.get("/")
    assert home.status_code == 200
    assert "Data-Driven Instruction" in home.content.decode()

    catalogue = client.get(site["catalogue"])
    assert catalogue.status_code == 200
    assert "Data-Driven Instruction" in catalogue.content.decode()

    page = client.get(public, **BROWSER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Valid." in html and "Maya Torres" in html

    ob2 = client.get(public, **JSON)
    assert ob2.status_code == 200
    assert ob2.json()["id"] == f"http://testserver{public}"
    assert ob2.json()["recipient"]["identity"] == assertion.identity_hash
    badge = client.get(ob2.json()["badge"].removeprefix("http://testserver"), **JSON)
    assert badge.status_code == 200 and badge.json()["name"] == "Data-Driven Instruction"
    issuer = client.get(badge.json()["issuer"].removeprefix("http://testserver"), **JSON)
    assert issuer.status_code == 200 and issuer.json()["type"] == "Issuer"

    jwt = client.get(f"{public}/ob3")
    assert jwt.status_code == 200 and jwt["Content-Type"] == "application/vc+jwt"
    assert jwt.content.count(b".") == 2
    ob3 = client.get(f"{public}/ob3.json")
    assert ob3.status_code == 200
    assert "OpenBadgeCredential" in json.loads(ob3.content)["type"]

    image = client.get(f"{public}/image")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    baked = io.BytesIO(b"".join(image.streaming_content))
    assert json.loads(unbake(baked))["id"] == f"http://testserver{public}"


def assert_people_can_log_in(client, site, editor, secret):
    """A learner with a password, then an editor with a second factor, whose code is taken
    once (in this process's memory while Redis is away): the same code cannot sign in
    twice."""
    assert log_in(client, "maya@school.example").status_code == 302
    assert int(client.session["_auth_user_id"]) == site["learner"].pk
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Data-Driven Instruction" in dashboard.content.decode()
    client.post("/accounts/logout/")

    assert log_in(client, editor.email)["Location"] == "/accounts/2fa/authenticate/"
    code = current_code(secret)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert int(client.session["_auth_user_id"]) == editor.pk
    client.post("/accounts/logout/")
    log_in(client, editor.email)
    replayed = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert replayed.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_with_redis_stopped_pages_log_in_and_verification_answer_from_the_database(
    client, redis_server, site, django_capture_on_commit_callbacks, caplog
):
    assertion = site["assertion"]
    editor = UserFactory(email="editor@district.example", display_name="Ed Ng")
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    # Warm: the pages fill the cache (Wagtail's site-root paths, the public JSON).
    assert_everything_answers(client, site)
    assert any(key.endswith(assertion_key(assertion.uuid)) for key in redis_server.stored_keys())
    assert any("wagtail_site_root_paths" in key for key in redis_server.stored_keys())

    redis_server.stop()
    with caplog.at_level("WARNING"):
        with django_capture_on_commit_callbacks() as queued:
            assert_everything_answers(client, site)
            assert_people_can_log_in(client, site, editor, secret)
        assert queued == []  # reading and signing in need no queue (the broker is down too)

        # Leap's throttles still count, per process.
        allowed = [
            throttle_allows(scope="outage-test", key="203.0.113.9", limit=2, seconds=60)
            for _ in range(3)
        ]
        assert allowed == [True, True, False]

        health = client.get("/health/")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"] == {
            "database": "ok",
            "cache": "unavailable",
            "broker": "unavailable",
            "worker": "unknown",  # its heartbeat is kept in the cache
        }

        # A revocation while Redis is away shows at once here (in other processes, once
        # their stand-in copy ends: STAND_IN_SECONDS at most).
        with django_capture_on_commit_callbacks(execute=True):
            assertion_revoke(assertion=assertion, reason="Evidence was copied", revoked_by=None)
        revoked = client.get(f"/public/assertions/{assertion.uuid}", **JSON)
        assert revoked.status_code == 410 and revoked.json()["revoked"] is True
    warnings = [r for r in caplog.records if r.name == "cms.cache"]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]

    redis_server.start()
    time.sleep(RETRY_AFTER)
    cache.set("leap-check", "back")
    assert cache.get("leap-check") == "back"
    assert client.get(f"/public/assertions/{assertion.uuid}", **JSON).status_code == 410
    assert any(key.endswith(assertion_key(assertion.uuid)) for key in redis_server.stored_keys())
    worker_heartbeat()  # what forgetting the old keys took away comes back within a minute
    assert client.get("/health/").json()["status"] == "ok"


def test_a_frozen_redis_costs_one_timeout_and_what_changed_meanwhile_is_not_served_stale(
    client, redis_server, site, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """A hung Redis keeps its data. A revocation made while it was frozen could not replace
    the cached 'valid' copy, so the first process to reach it again forgets Leap's keys."""
    retry_after = 3  # long enough for the five requests below to fall inside it
    use_as_cache(settings, redis_server, retry_after=retry_after)
    assertion = site["assertion"]
    url = f"/public/assertions/{assertion.uuid}"
    assert client.get(url, **JSON).status_code == 200  # cached as valid

    redis_server.freeze()
    timeouts = []
    note_failure = leap_cache.FailFastRedis._note_failure
    monkeypatch.setattr(
        leap_cache.FailFastRedis,
        "_note_failure",
        lambda self, error: (timeouts.append(error), note_failure(self, error))[1],
    )
    for _ in range(5):
        assert client.get(url, **JSON).status_code == 200
    # The first request waits for one socket timeout; the next ones do not ask Redis again.
    assert len(timeouts) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Issued by mistake", revoked_by=None)
    assert client.get(url, **JSON).status_code == 410

    redis_server.thaw()
    time.sleep(retry_after)
    response = client.get(url, **JSON)
    assert response.status_code == 410
    assert response.json()["revocationReason"] == "Issued by mistake"


def test_what_a_process_keeps_while_redis_is_away_lasts_seconds_not_hours(
    redis_server, monkeypatch
):
    """Another process cannot tell this one that a copy changed while Redis is away, so
    the stand-in keeps nothing for long (30 seconds in production)."""
    monkeypatch.setattr(leap_cache, "STAND_IN_SECONDS", 0.3)
    redis_server.stop()
    cache.set("leap-figures", [12, 40], timeout=None)  # for ever, were Redis there
    assert cache.get("leap-figures") == [12, 40]
    time.sleep(0.4)
    assert cache.get("leap-figures") is None
