"""The cache backend used when REDIS_URL is set: django-redis, falling back to this
process's memory while Redis cannot be reached.

django-redis's IGNORE_EXCEPTIONS alone turns an outage into "a miss": ``get`` answers its
default, ``set`` does nothing and ``add`` answers None. A miss is fine for anything cached,
but not for what the cache is also used as, a set of short locks and counters claimed with
``add``: allauth's sign-in rate limits take a lock with ``add`` and, failing to get it,
refuse the sign-in (so nobody could sign in while Redis is down), and the plan importer's
save lock would report every import as "already being saved". So the cache API calls go
to a local-memory cache while Redis is unreachable: pages, sign-in throttling and locks
keep working, per process, until Redis answers again. The Redis-only calls (``ttl``,
``lock``, ...) keep django-redis's IGNORE_EXCEPTIONS behaviour.

After a failure Redis is not asked again for ``RETRY_SECONDS``, so that a Redis that does
not answer at all (rather than refusing) costs one connect timeout, not one per call.
/healthz asks Redis itself through :meth:`RedisCacheWithLocalFallback.ping`.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# django-redis wraps most connection failures in ConnectionInterrupted, not all (touch).
_UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError)
# The Django cache API; anything else is Redis-specific and has no local equivalent.
_FALLBACK_METHODS = (
    "add", "get", "set", "touch", "delete", "get_many", "set_many", "delete_many",
    "has_key", "incr", "decr", "clear",
)


class RedisCacheWithLocalFallback(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"redis-fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _redis_failed(self, method: str, exc: Exception) -> None:
        with self._lock:
            was_up = self._down_until == 0.0
            self._down_until = time.monotonic() + RETRY_SECONDS
        if was_up:
            logger.error(
                "Redis cache unreachable (%s in %s: %s); using this process's memory until it answers",
                exc.__class__.__name__, method, exc.__cause__ or exc,
            )

    def _redis_answered(self) -> None:
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            logger.warning("Redis cache answers again; back on Redis")

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(self.client, method)(*args, **kwargs)
            except _UNREACHABLE as exc:
                self._redis_failed(method, exc)
            else:
                self._redis_answered()
                return bool(result) if method == "delete" else result
        return getattr(self._local, method)(*args, **kwargs)

    def ping(self) -> bool:
        """Whether Redis itself answers (never the local fallback). Raises if it does not."""
        return bool(self.client.get_client().ping())


def _make(method: str):
    def call(self, *args, **kwargs):
        return self._call(method, *args, **kwargs)

    call.__name__ = method
    call.__doc__ = f"``{method}`` on Redis, or on this process's memory while Redis is unreachable."
    return call


for _method in _FALLBACK_METHODS:
    setattr(RedisCacheWithLocalFallback, _method, _make(_method))
