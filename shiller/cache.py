"""Django's Redis cache with one connection pool per process.

Django keeps a cache object per thread and per asyncio context (`caches` is an asgiref
Local), and each object opens its own pool: every websocket consumer ended up holding its own
Redis connection until garbage collection (300 screens: 303 connections), and a Redis with a
client limit refused the login page. Here every cache object of the process shares one pool
per server and options; redis-py's pools are thread-safe.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

# What an unreachable cache raises: redis-py's errors, or the socket's own.
CACHE_ERRORS = (RedisError, OSError)

_pools: dict[tuple, object] = {}
_pools_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], self._pool_class, repr(sorted(self._pool_options.items())))
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
        return pool


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
