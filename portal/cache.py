"""Django's Redis cache backend, made cheaper on the path every API request takes, and harmless when
Redis is away.

Django builds a new `redis.Redis` client object for every cache operation (the connection pool is
reused, the client is not); at three cache operations per API request that construction cost more
than the round trips. Here each process keeps one client per pool (redis-py clients are thread-safe),
and keys are not checked against memcached's rules.
`count()` adds to a counter with expiry in one round trip, for the API rate limits (portal.api.throttling).

Falling through: every call has short socket timeouts (CACHE_SOCKET_TIMEOUT) and no client retries, and
a failed call opens a breaker for CACHE_BREAKER_SECONDS during which calls do not touch Redis at all — a
read is a miss, a write is dropped, `add` and `count` let the caller go on. So a stopped or frozen
(SIGSTOP) Redis costs one timeout per process and window, not seconds per request. The keys whose writes
were dropped are deleted once Redis answers again, so nothing cached before the outage outlives a change
made during it (a cached answer's generation key is such a write).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)

MAX_DROPPED_KEYS = 10_000


class CacheUnavailable(Exception):
    pass


class _Breaker:
    def __init__(self):
        self.open_until = 0.0
        self.dropped: set[str] = set()
        self.overflow = False
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, exc) -> None:
        if not self.is_open():
            log.warning("cache unavailable for %s s: %s", settings.CACHE_BREAKER_SECONDS, exc)
        self.open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS

    def drop(self, keys) -> None:
        with self.lock:
            self.dropped.update(keys)
            if len(self.dropped) > MAX_DROPPED_KEYS:
                self.overflow = True
                self.dropped.clear()


class _PortalRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._breaker = _Breaker()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def _call(self, method, *args, written=(), fallback=None):
        """Runs a cache operation, or answers `fallback` without touching Redis while it is away."""
        breaker = self._breaker
        if breaker.is_open():
            breaker.drop(written)
            return fallback
        try:
            if breaker.dropped or breaker.overflow:
                self._forget_dropped()
            return method(*args)
        except self._lib.exceptions.RedisError as exc:
            breaker.trip(exc)
            breaker.drop(written)
            return fallback

    def _forget_dropped(self) -> None:
        breaker = self._breaker
        with breaker.lock:
            keys, overflow = list(breaker.dropped), breaker.overflow
            breaker.dropped.clear()
            breaker.overflow = False
        try:
            if overflow:
                super().clear()
            elif keys:
                self.get_client(write=True).delete(*keys)
        except self._lib.exceptions.RedisError:
            breaker.drop(keys)
            raise

    def add(self, key, value, timeout):
        # Unknown while Redis is away: let the caller go on (a debounce runs, a lock-free path proceeds).
        return self._call(super().add, key, value, timeout, written=[key], fallback=True)

    def get(self, key, default):
        return self._call(super().get, key, default, fallback=default)

    def set(self, key, value, timeout):
        return self._call(super().set, key, value, timeout, written=[key], fallback=None)

    def touch(self, key, timeout):
        return self._call(super().touch, key, timeout, fallback=False)

    def delete(self, key):
        return self._call(super().delete, key, written=[key], fallback=False)

    def get_many(self, keys):
        return self._call(super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._call(super().has_key, key, fallback=False)

    def incr(self, key, delta):
        result = self._call(super().incr, key, delta, written=[key], fallback=CacheUnavailable)
        if result is CacheUnavailable:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def set_many(self, data, timeout):
        return self._call(super().set_many, data, timeout, written=list(data), fallback=None)

    def delete_many(self, keys):
        return self._call(super().delete_many, keys, written=list(keys), fallback=None)

    def _count(self, key, timeout: int, n: int) -> int:
        pipeline = self.get_client(key, write=True).pipeline(transaction=False)
        pipeline.incrby(key, n)
        pipeline.expire(key, timeout, nx=True)  # the window's first request sets its expiry
        return pipeline.execute()[0]

    def count(self, key, timeout: int, n: int) -> int:
        # Away: the rate limit lets the request through rather than refusing everyone.
        return self._call(self._count, key, timeout, n, fallback=n)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**_short_timeouts(), **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = _PortalRedisCacheClient

    def validate_key(self, key):
        """Redis takes any key: Django's check for keys memcached would refuse is skipped (it runs per key)."""

    def count(self, key, timeout: int, n: int = 1, version=None) -> int:
        """Adds `n` to the counter at `key` (created at `n`, expiring after `timeout` seconds); returns it."""
        return self._cache.count(self.make_and_validate_key(key, version=version), timeout, n)


def _short_timeouts() -> dict:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    seconds = settings.CACHE_SOCKET_TIMEOUT
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds, "retry": Retry(NoBackoff(), 0),
            "health_check_interval": 0}
