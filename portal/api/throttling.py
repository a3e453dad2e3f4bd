"""API rate limits as fixed-window counters shared through the cache, counted in small batches.

DRF's own throttles keep every request's timestamp in a list that is read, trimmed, pickled and
written back on each request; at a few thousand requests a minute that list alone costs more than
the request it guards. Here each caller has one counter per window (a minute for "2000/min").

Each process adds its requests to the shared counter in batches of up to `batch` (one round trip per
batch, not per request), so with N processes a caller can get at most N × (batch − 1) requests beyond
the rate in a window. The batch is 1 (exact) for rates under 200 a window, such as the anonymous
120/min, and at most 20 (the signed-in 2000/min: at most 4 % over with 4 processes). A fixed window
also lets a caller send up to twice the rate across a window boundary. Both are fine for what this
is: protection against abuse. Once a caller is over the limit, this process refuses them without asking the cache.
"""

from __future__ import annotations

import logging
import math
import threading

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# (window length, window number) -> key -> [requests not yet added to the shared counter,
# the shared count when last added]
_pending: dict[tuple[int, int], dict[str, list[int]]] = {}


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident_key = self.get_cache_key(request, view)
        if ident_key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{ident_key}:{window}"
        batch = max(1, min(20, self.num_requests // 100))
        with _lock:
            counts = _pending.get((self.duration, window))
            if counts is None:  # a new window: forget the counts of the ones before it
                for old in [w for w in _pending if w[0] == self.duration]:
                    del _pending[old]
                counts = _pending[(self.duration, window)] = {}
            entry = counts.setdefault(key, [0, 0])
            if entry[1] >= self.num_requests:
                return False  # already over the limit: no need to ask the cache
            entry[0] += 1
            if entry[0] < batch:
                return entry[1] + entry[0] <= self.num_requests
            unsent, entry[0] = entry[0], 0
        try:
            shared = self._add(key, unsent)
        except Exception:  # the cache being down must not take the API down with it
            logger.warning("throttle: cache unavailable, request allowed", exc_info=True)
            return True
        with _lock:
            entry[1] = max(entry[1], shared)
        return shared <= self.num_requests

    def _add(self, key: str, n: int) -> int:
        if hasattr(self.cache, "count"):  # portal.cache.PortalRedisCache: one round trip
            return self.cache.count(key, self.duration + 1, n)
        try:
            return self.cache.incr(key, n)
        except ValueError:  # the window's first batch (or a race with it)
            return n if self.cache.add(key, n, self.duration + 1) else self.cache.incr(key, n)

    def wait(self):
        return max(1, math.ceil(self.window_ends - self.now))


class AnonWindowThrottle(FixedWindowMixin, AnonRateThrottle):
    """Anonymous callers, per address; rate from DEFAULT_THROTTLE_RATES["anon"]."""


class UserWindowThrottle(FixedWindowMixin, UserRateThrottle):
    """Signed-in callers, per user; rate from DEFAULT_THROTTLE_RATES["user"]."""
