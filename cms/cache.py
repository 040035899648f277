"""The shared cache on Redis, built so that a Redis outage slows nothing and breaks nothing
(docs/reliability.md, "Redis outage").

django-redis's IGNORE_EXCEPTIONS turns a lost connection into a miss (reads) or nothing
done (writes). That alone is not enough:

- a frozen Redis costs a socket timeout on every call: after one failure, FailFastRedis
  refuses at once for a few seconds, then tries again; it logs one warning when Redis
  goes and one line when it is back, not an error per call;
- locks, one-time codes and counts (allauth's rate limits and TOTP codes, Leap's throttles
  and PDF drawing slots) mean nothing against a cache that forgets every write: while
  Redis is away, FailOpenRedisCache uses a stand-in in the process's memory that keeps
  nothing for long;
- a change made while Redis was away could not replace what Redis held about it (a
  revocation, say); a Redis that comes back with its data would serve the old copy, so
  the first process to reach it again forgets every Leap key.
"""

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
# While Redis is away, each process caches in its own memory, keeping nothing longer.
STAND_IN_SECONDS = 30
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)

# Count one more at a key, giving it its life when the count starts: one round trip.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# The same count, then the values at the other keys (false, which Redis answers as nil,
# for a missing one): a public document's limit and its cached copy in one round trip.
_COUNT_AND_GET_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local found = {count}
for i = 2, #KEYS do found[i] = redis.call('GET', KEYS[i]) end
return found
"""


@dataclass
class Outage:
    """What this process knows about one Redis (one connection pool)."""

    down_since: float | None = None
    retry_at: float = 0.0
    forget_owed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


# One record per connection pool, shared by every thread and every cache object using it.
_outages: "weakref.WeakKeyDictionary[redis.ConnectionPool, Outage]" = weakref.WeakKeyDictionary()
_outages_lock = threading.Lock()


def outage_for(pool: redis.ConnectionPool) -> Outage:
    with _outages_lock:
        return _outages.setdefault(pool, Outage())


class FailFastRedis(redis.Redis):
    """A Redis client that, once a command has failed to reach the server, refuses every
    command at once for `retry_after` seconds (then one tries again). `forget_pattern`
    names the keys deleted when the server answers again after an outage."""

    def __init__(self, *args, retry_after=RETRY_AFTER_SECONDS, forget_pattern="", **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after
        self.forget_pattern = forget_pattern
        self.outage = outage_for(self.connection_pool)

    def execute_command(self, *args, **options):
        self._refuse_while_down()
        try:
            self._forget_if_owed()
            result = super().execute_command(*args, **options)
        except UNREACHABLE as error:
            self._note_failure(error)
            raise
        self._note_success()
        return result

    def pipeline(self, transaction=True, shard_hint=None):
        self._refuse_while_down()
        return super().pipeline(transaction, shard_hint)

    def _refuse_while_down(self) -> None:
        outage = self.outage
        if outage.down_since is not None and time.monotonic() < outage.retry_at:
            raise redis.ConnectionError("Redis did not answer a moment ago; not asked again yet")

    def _note_failure(self, error: Exception) -> None:
        outage = self.outage
        now = time.monotonic()
        with outage.lock:
            first = outage.down_since is None
            if first:
                outage.down_since = now
            outage.retry_at = now + self.retry_after
            outage.forget_owed = bool(self.forget_pattern)
        if first:
            logger.warning(
                "The cache (Redis) cannot be reached (%s): pages are built from the database, "
                "and Redis is tried again every %g seconds.",
                error.__class__.__name__,
                self.retry_after,
            )

    def _note_success(self) -> None:
        outage = self.outage
        if outage.down_since is None:
            return
        with outage.lock:
            down_since, outage.down_since = outage.down_since, None
        if down_since is not None:
            logger.warning(
                "The cache (Redis) answers again after %.0f seconds.",
                time.monotonic() - down_since,
            )

    def _forget_if_owed(self) -> None:
        """After an outage, before anything is read: delete every key the cache may hold from
        before it. A failure on the way is noted like any other, and it is owed again."""
        outage = self.outage
        if not outage.forget_owed:
            return
        with outage.lock:
            claimed, outage.forget_owed = outage.forget_owed, False
        if not claimed:
            return
        cursor = None
        while cursor != 0:  # the commands below find nothing owed, so they do not come here
            cursor, keys = self.scan(cursor or 0, match=self.forget_pattern, count=1000)
            if keys:
                self.delete(*keys)
        logger.info("Forgot the cache's keys (%s) from before the outage.", self.forget_pattern)


class FailOpenRedisCache(RedisCache):
    """django-redis's cache that, while Redis cannot be reached, uses a stand-in in this
    process's memory which keeps nothing longer than STAND_IN_SECONDS. Every use of the
    cache keeps its meaning (a lock is held until released, a one-time code is taken once,
    a count counts), only per process and briefly; a copy one process keeps can lag a change
    made in another by STAND_IN_SECONDS at most. Operations not listed here are ignored
    while Redis is away (IGNORE_EXCEPTIONS)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._stand_in = LocMemCache(
            f"leap-stand-in:{server}",
            {
                "TIMEOUT": STAND_IN_SECONDS,
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 1000},
            },
        )

    def _brief(self, timeout):
        """The stand-in's timeout: the caller's, but never past STAND_IN_SECONDS."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return STAND_IN_SECONDS if timeout is None else min(timeout, STAND_IN_SECONDS)

    def ping(self) -> None:
        """Raise unless Redis itself answers: the stand-in would pass any round trip."""
        self.client.get_client(write=True).ping()

    def get(self, key, default=None, version=None, client=None):
        try:
            return self.client.get(key, default=default, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.get(key, default=default, version=version)

    def get_many(self, keys, version=None, client=None):
        try:
            return self.client.get_many(keys, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.get_many(keys, version=version)

    def has_key(self, key, version=None, client=None):
        try:
            return self.client.has_key(key, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.has_key(key, version=version)

    def set(
        self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None, nx=False, xx=False
    ):
        try:
            return self.client.set(
                key, value, timeout=timeout, version=version, client=client, nx=nx, xx=xx
            )
        except ConnectionInterrupted:
            if nx:
                return self._stand_in.add(key, value, self._brief(timeout), version=version)
            self._stand_in.set(key, value, self._brief(timeout), version=version)
            return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        try:
            return self.client.add(key, value, timeout=timeout, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.add(key, value, self._brief(timeout), version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        try:
            return self.client.set_many(data, timeout=timeout, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.set_many(data, self._brief(timeout), version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        try:
            return self.client.touch(key, timeout=timeout, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.touch(key, self._brief(timeout), version=version)

    def delete(self, key, version=None, prefix=None, client=None):
        # What the stand-in kept is forgotten too, whether or not Redis answers.
        kept = self._stand_in.delete(key, version=version)
        try:
            return bool(self.client.delete(key, version=version, prefix=prefix, client=client))
        except ConnectionInterrupted:
            return kept

    def delete_many(self, keys, version=None, client=None):
        keys = list(keys)
        self._stand_in.delete_many(keys, version=version)
        try:
            return self.client.delete_many(keys, version=version, client=client)
        except ConnectionInterrupted:
            return None

    def incr(self, key, delta=1, version=None, client=None, ignore_key_check=False):
        try:
            return self.client.incr(
                key, delta=delta, version=version, client=client, ignore_key_check=ignore_key_check
            )
        except ConnectionInterrupted:
            return self._stand_in.incr(key, delta=delta, version=version)

    def count(self, key, timeout: int, version=None) -> int:
        """One more at `key`, a count that starts at 1 and is forgotten `timeout` seconds
        after it started: one round trip to Redis (a throttle's add-then-incr costs two on
        every request after the first)."""
        try:
            client = self.client.get_client(write=True)
            full_key = self.client.make_key(key, version=version)
            return int(client.eval(_COUNT_SCRIPT, 1, full_key, timeout))
        except (redis.RedisError, OSError):
            if self._stand_in.add(key, 1, self._brief(timeout), version=version):
                return 1
            try:
                return self._stand_in.incr(key, version=version)
            except ValueError:  # forgotten between the two
                self._stand_in.set(key, 1, self._brief(timeout), version=version)
                return 1

    def count_and_get_many(self, key, timeout: int, keys, version=None) -> tuple[int, dict]:
        """`count(key, timeout)` and `get_many(keys)` in one round trip to Redis."""
        keys = list(keys)
        try:
            client = self.client.get_client(write=True)
            full_keys = [self.client.make_key(name, version=version) for name in [key, *keys]]
            reply = client.eval(_COUNT_AND_GET_SCRIPT, len(full_keys), *full_keys, timeout)
        except (redis.RedisError, OSError):
            return self.count(key, timeout, version=version), self.get_many(keys, version=version)
        values = zip(keys, reply[1:], strict=True)
        return int(reply[0]), {
            name: self.client.decode(value) for name, value in values if value is not None
        }

    def decr(self, key, delta=1, version=None, client=None):
        try:
            return self.client.decr(key, delta=delta, version=version, client=client)
        except ConnectionInterrupted:
            return self._stand_in.decr(key, delta=delta, version=version)


def redis_cache(url: str, *, key_prefix: str, retry_after: float = RETRY_AFTER_SECONDS) -> dict:
    """Django's CACHES entry for Leap's shared cache at `url`."""
    return {
        "BACKEND": "cms.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            # A lost connection is a miss (reads) or nothing done (writes), never an error.
            "IGNORE_EXCEPTIONS": True,
            # Redis answers in well under a millisecond on a local network: half a second of
            # silence means it is down or frozen.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "REDIS_CLIENT_CLASS": "cms.cache.FailFastRedis",
            "REDIS_CLIENT_KWARGS": {
                "retry_after": retry_after,
                # Django's keys read "<prefix>:<version>:<key>"; Celery's never start so.
                "forget_pattern": f"{key_prefix}:*",
            },
        },
    }
