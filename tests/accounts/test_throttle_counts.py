"""A throttle's count on the shared cache is one round trip to Redis per request (it is on
every public badge request), keeps its window, and still counts while Redis is away."""

import os

import pytest
from django.core.cache import cache

from accounts.throttle import throttle_allows, throttle_clear
from cms.cache import redis_cache
from tests.costs import redis_commands

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.needs_redis
def test_each_count_is_one_round_trip_and_the_window_is_kept(monkeypatch):
    throttle_clear(scope="count-test", key="ip:192.0.2.1")
    with redis_commands(monkeypatch) as commands:
        answers = [
            throttle_allows(scope="count-test", key="ip:192.0.2.1", limit=3, seconds=60)
            for _ in range(5)
        ]
    assert answers == [True, True, True, False, False]
    assert len(commands) == 5, commands
    raw = cache.client.get_client(write=True)
    full_key = cache.client.make_key("leap:throttle:count-test:" + _digest("ip:192.0.2.1"))
    assert 0 < raw.ttl(full_key) <= 60


def test_while_redis_is_away_the_count_goes_on_in_the_process(settings):
    settings.CACHES = {
        "default": redis_cache(UNREACHABLE_REDIS, key_prefix=f"leap-away-{os.getpid()}")
    }
    answers = [
        throttle_allows(scope="away-test", key="ip:192.0.2.2", limit=2, seconds=60)
        for _ in range(4)
    ]
    assert answers == [True, True, False, False]


def _digest(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()
