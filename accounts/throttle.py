"""A simple limit on how often something may be asked for, counted in Django's cache (Redis
in production, so every web process shares the count): at most `limit` times in a window
of `seconds`, per key. A fixed window: the count starts at the first attempt and is
forgotten when the window ends. Keys are hashed, so no address is stored in the cache.

With Redis down, the cache counts in each process's memory for 30 seconds at most
(cms/cache.py): a throttle still refuses a burst, only per process and over a shorter
window. Refusing everyone instead would turn every honest request away for the length of
the outage (docs/reliability.md)."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.client_ip import client_ip


def throttle_allows(*, scope: str, key: str, limit: int, seconds: int) -> bool:
    """Count one attempt by `key` at `scope`; False once there have been more than
    `limit` in the window."""
    cache_key = _cache_key(scope, key)
    count = getattr(cache, "count", None)  # the shared cache on Redis (cms.cache) has it
    if count is not None:
        return count(cache_key, seconds) <= limit
    if cache.add(cache_key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    return count <= limit


def _cache_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    return f"leap:throttle:{scope}:{digest}"


def throttle_exceeded(*, scope: str, key: str, limit: int) -> bool:
    """Whether `key` has gone past `limit` at `scope` in the current window, without
    counting an attempt."""
    return (cache.get(_cache_key(scope, key)) or 0) > limit


def throttle_clear(*, scope: str, key: str) -> None:
    """Forget the count of `key` at `scope` (after something that proves the owner)."""
    cache.delete(_cache_key(scope, key))


# ---- Limits on requests, per person and per address (LEAP_THROTTLES) ----
# Each scope names its limits in settings: {"user": (count, seconds), "ip": (count,
# seconds)}; "user" falls back to the address for visitors. The address is the client's,
# read through trusted proxies (accounts.client_ip).

CODE_WAIT = (
    "Too many codes that did not match. Please wait a few minutes, then check the code with the "
    "person who gave it to you."
)
WAIT = "You have done this many times in a short while. Please wait a few minutes, then try again."


def _limits(scope: str) -> list[tuple[str, int, int]]:
    return [
        (per, count, seconds) for per, (count, seconds) in settings.LEAP_THROTTLES[scope].items()
    ]


def _who(request, per: str) -> str:
    user = getattr(request, "user", None)
    if per == "user" and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def throttle_request(request, scope: str) -> int | None:
    """Count this request at `scope`; the seconds to wait when it goes past a limit."""
    for per, count, seconds in _limits(scope):
        if not throttle_allows(
            scope=f"{scope}:{per}", key=_who(request, per), limit=count, seconds=seconds
        ):
            return seconds
    return None


def throttle_request_reading(request, scope: str, keys: list[str]) -> tuple[int | None, dict]:
    """`throttle_request`, and the values at `keys` in the cache: on Redis, and for a scope
    with one limit, both in one round trip (a cached public document then costs one).
    The seconds to wait (None when within the limit), and what was found."""
    limits = _limits(scope)
    count_and_get = getattr(cache, "count_and_get_many", None)
    if count_and_get is None or len(limits) != 1:
        return throttle_request(request, scope), cache.get_many(keys)
    ((per, limit, seconds),) = limits
    count, found = count_and_get(_cache_key(f"{scope}:{per}", _who(request, per)), seconds, keys)
    return (seconds if count > limit else None), found


def throttle_blocked(request, scope: str) -> int | None:
    """For limits on failures (wrong codes, unknown tokens): the seconds to wait when this
    person or address has failed too often already; counts nothing."""
    for per, count, seconds in _limits(scope):
        if throttle_exceeded(scope=f"{scope}:{per}", key=_who(request, per), limit=count - 1):
            return seconds
    return None


def throttle_failure(request, scope: str) -> None:
    """Count one failure at `scope` (see throttle_blocked)."""
    for per, count, seconds in _limits(scope):
        throttle_allows(
            scope=f"{scope}:{per}", key=_who(request, per), limit=count, seconds=seconds
        )


def too_many_requests(request, seconds: int, message: str = WAIT) -> HttpResponse:
    """429 with Retry-After: a page for people, JSON for scripts that asked for it."""
    if "json" in request.headers.get("Accept", ""):
        # "problems" is what the draft script shows ("Not saved: …").
        response = JsonResponse({"error": message, "problems": [message]}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def throttled(scope: str, *, methods: tuple[str, ...] = ("POST",), message: str = WAIT):
    """View decorator: every request of `methods` counts at `scope`; past a limit, 429."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Leap asking its own public views in-process (the badge verifier) is no client.
            if request.method in methods and not getattr(request, "leap_in_process", False):
                wait = throttle_request(request, scope)
                if wait is not None:
                    return too_many_requests(request, wait, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
