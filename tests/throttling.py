"""Tests of Leap's rate limits set a scope's limits themselves, with counts starting from
nothing: tests share one cache, and SQLite gives a new person the id of an earlier one."""

from accounts.throttle import throttle_clear


def limit(settings, scope: str, limits: dict, *, person=None, address: str = "127.0.0.1"):
    settings.LEAP_THROTTLES = {**settings.LEAP_THROTTLES, scope: limits}
    if person is not None:
        throttle_clear(scope=f"{scope}:user", key=f"user:{person.pk}")
    throttle_clear(scope=f"{scope}:user", key=f"ip:{address}")
    throttle_clear(scope=f"{scope}:ip", key=f"ip:{address}")
