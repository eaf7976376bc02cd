"""Which trainee screens watch a session, across every server process.

Each process (each fan-out hub) writes its own count and the description of its first screens
(sessions_app/screens.py, with since when and when last heard) under its own cache key with a
TTL and keeps refreshing it while it has screens; the total is the sum of the live keys. A process that
dies stops refreshing, so its screens drop out of the count within VIEWER_TTL seconds. The cache
is Redis when REDIS_URL is set, so every process sees the same numbers. When it cannot be
reached, counts fail open: nothing is published, the total is unknown (None), and both are
logged; the hubs publish again on their next refresh.
"""

import logging
import uuid

from django.core.cache import cache

logger = logging.getLogger(__name__)

VIEWER_TTL = 60
# Screens described per process: a control page lists this many; beyond, it says how many more.
LISTED_SCREENS = 30
# The list of hubs that ever counted screens for a session; outlives the counts themselves.
HUB_INDEX_TTL = 24 * 60 * 60


def _count_key(session_id: uuid.UUID | str, hub_id: str) -> str:
    return f"viewers:{session_id}:{hub_id}"


def _index_key(session_id: uuid.UUID | str) -> str:
    return f"viewers:{session_id}:hubs"


async def publish(
    session_id: uuid.UUID | str, hub_id: str, count: int, screens: list[dict]
) -> None:
    """Record that hub `hub_id` has `count` screens of this session, the first of them
    described in `screens` (refreshes the TTL)."""
    try:
        seen = {"count": count, "screens": screens[:LISTED_SCREENS]}
        await _publish(_count_key(session_id, hub_id), _index_key(session_id), hub_id, seen)
    except Exception:
        logger.warning("Viewer count of session %s not published", session_id, exc_info=True)


async def _publish(key: str, index_key: str, hub_id: str, seen: dict) -> None:
    """`seen` under `key`, and the hub in the index that lists whose entries to read."""
    await cache.aset(key, seen, VIEWER_TTL)
    hubs = await cache.aget(index_key) or []
    if hub_id not in hubs:
        # Two hubs registering at once may lose one entry; each hub re-registers on its
        # next refresh (fanout.REFRESH_SECONDS), so the index heals by itself.
        await cache.aset(index_key, [*hubs, hub_id], HUB_INDEX_TTL)


async def connected(session_id: uuid.UUID | str) -> tuple[int, list[dict]] | None:
    """How many screens watch the session in every process, and the first of them, oldest
    first; None when the cache cannot be reached."""
    try:
        hubs = await cache.aget(_index_key(session_id)) or []
        if not hubs:
            return 0, []
        seen = await cache.aget_many([_count_key(session_id, hub_id) for hub_id in hubs])
    except Exception:
        logger.warning("Viewer count of session %s unknown", session_id, exc_info=True)
        return None
    screens = sorted(
        (screen for hub in seen.values() for screen in hub["screens"]), key=lambda s: s["since"]
    )
    return sum(hub["count"] for hub in seen.values()), screens[:LISTED_SCREENS]


# Each server process's own line for `manage.py connected`: its sockets, whatever the session.
PROCESS_INDEX_KEY = "viewers:processes"


def _process_key(hub_id: str) -> str:
    return f"viewers:process:{hub_id}"


async def publish_process(hub_id: str, seen: dict) -> None:
    """Record what this process serves (refreshes the TTL, as the counts')."""
    try:
        await _publish(_process_key(hub_id), PROCESS_INDEX_KEY, hub_id, seen)
    except Exception:
        logger.warning("Sockets of process %s not published", hub_id, exc_info=True)


def processes() -> list[dict]:
    """What every live process last published, oldest process first (for a command)."""
    hubs = cache.get(PROCESS_INDEX_KEY) or []
    seen = cache.get_many([_process_key(hub_id) for hub_id in hubs])
    live = [hub_id for hub_id in hubs if _process_key(hub_id) in seen]
    if live != hubs:
        cache.set(PROCESS_INDEX_KEY, live, HUB_INDEX_TTL)  # Forget the processes gone.
    return [seen[_process_key(hub_id)] for hub_id in live]
