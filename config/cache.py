"""A Redis cache that degrades to "nothing cached" when Redis is down.

Redis holds only disposable things here (job progress, rate-limit counters, throttles). Votes and every other
record of work live in PostgreSQL, so an unreachable Redis must not turn pages into errors.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def _safely(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            logger.warning("cache %s failed, carrying on without the cache: %s", method, error)
            return default

    def get(self, *args: Any, **kwargs: Any) -> Any:
        default = kwargs.get("default", args[1] if len(args) > 1 else None)
        return self._safely("get", default, *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._safely("set", None, *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._safely("add", False, *args, **kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._safely("delete", False, *args, **kwargs))

    def incr(self, *args: Any, **kwargs: Any) -> int:
        try:
            return super().incr(*args, **kwargs)
        except RedisError as error:
            # Callers treat ValueError as "no such key" and start counting afresh; that is the right fallback.
            raise ValueError(str(error)) from error

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._safely("get_many", {}, *args, **kwargs) or {}

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._safely("touch", False, *args, **kwargs))

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._safely("has_key", False, *args, **kwargs))
