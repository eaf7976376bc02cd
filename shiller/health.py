"""/healthz and /readyz, for load balancers and process managers.

/healthz: 200 {"status": "ok", "checks": {...}} when the database answers, Redis (the channel
layer and the cache) answers and every migration is applied; else 503, the failing checks
named ({"database": "unreachable"}), never why in detail (an error could show a host or a
password). /readyz: the same, and 503 {"status": "draining"} once the process has had SIGTERM
(live/restart.py): take no new traffic here.

Served in front of Django (shiller/asgi.py), like the static files: a probe comes from the
balancer by address, over plain HTTP, without a session; Django would refuse its Host
(ALLOWED_HOSTS) or redirect it to HTTPS (SECURE_SSL_REDIRECT). No login, no throttle: they
read nothing of anyone's and cost one query and one PING.
"""

import asyncio
import json
import logging

import redis.asyncio
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from live.restart import state

logger = logging.getLogger(__name__)

PATHS = ("/healthz", "/readyz")
# A check that takes longer has failed: a balancer's probe waits a few seconds at most.
CHECK_TIMEOUT = 3.0


def check_database() -> dict:
    """The database answers, and has every migration applied (in the database thread)."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        return {"database": "unreachable", "migrations": "unknown"}
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.warning("Health check: migrations not read", exc_info=True)
        return {"database": "ok", "migrations": "unknown"}
    return {"database": "ok", "migrations": "pending" if plan else "ok"}


async def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not used"  # The in-memory layer and cache: nothing to reach.
    client = redis.asyncio.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=settings.REDIS_TIMEOUT,
        socket_connect_timeout=settings.REDIS_TIMEOUT,
    )
    try:
        await client.ping()
    except Exception:
        logger.warning("Health check: Redis unreachable", exc_info=True)
        return "unreachable"
    finally:
        await client.aclose()
    return "ok"


async def checks() -> dict:
    async def database():
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                return await database_sync_to_async(check_database)()
        except TimeoutError:
            return {"database": "timeout", "migrations": "unknown"}

    found, redis_state = await asyncio.gather(database(), check_redis())
    return {**found, "redis": redis_state}


async def report(path: str) -> tuple[int, dict]:
    if path == "/readyz" and state.draining:
        return 503, {"status": "draining"}
    found = await checks()
    failing = {name: value for name, value in found.items() if value not in ("ok", "not used")}
    return (503 if failing else 200), {"status": "failing" if failing else "ok", "checks": found}


async def app(scope, receive, send) -> None:
    status, body = await report(scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


class HealthMiddleware:
    """The two paths answered here, everything else by `app` (Django)."""

    def __init__(self, django_app):
        self.app = django_app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] in PATHS:
            return await app(scope, receive, send)
        return await self.app(scope, receive, send)
