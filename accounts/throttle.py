"""A simple limit on how often something may be asked for, counted in Django's cache (Redis
in production, so every web process shares the count): at most `limit` times in a window
of `seconds`, per key. A fixed window: the count starts at the first attempt and is
forgotten when the window ends. Keys are hashed, so no address is stored in the cache.

With Redis down, the cache counts in each process's memory for 30 seconds at most
(cms/cache.py): a throttle still refuses a burst, only per process and over a shorter
window. Refusing everyone instead would turn every honest request away for the length of
the outage (docs/reliability.md)."""

import hashlib

from django.core.cache import cache


def throttle_allows(*, scope: str, key: str, limit: int, seconds: int) -> bool:
    """Count one attempt by `key` at `scope`; False once there have been more than
    `limit` in the window."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    cache_key = f"leap:throttle:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    return count <= limit
