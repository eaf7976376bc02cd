"""How many trainee screens watch a session, across every server process.

Each process (each fan-out hub) writes its own count under its own cache key with a TTL and
keeps refreshing it while it has screens; the total is the sum of the live keys. A process that
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
# The list of hubs that ever counted screens for a session; outlives the counts themselves.
HUB_INDEX_TTL = 24 * 60 * 60


def _count_key(session_id: uuid.UUID | str, hub_id: str) -> str:
    return f"viewers:{session_id}:{hub_id}"


def _index_key(session_id: uuid.UUID | str) -> str:
    return f"viewers:{session_id}:hubs"


async def publish(session_id: uuid.UUID | str, hub_id: str, count: int) -> None:
    """Record that hub `hub_id` has `count` screens of this session (refreshes the TTL)."""
    try:
        await _publish(session_id, hub_id, count)
    except Exception:
        logger.warning("Viewer count of session %s not published", session_id, exc_info=True)


async def _publish(session_id, hub_id: str, count: int) -> None:
    await cache.aset(_count_key(session_id, hub_id), count, VIEWER_TTL)
    hubs = await cache.aget(_index_key(session_id)) or []
    if hub_id not in hubs:
        # Two hubs registering at once may lose one entry; each hub re-registers on its
        # next refresh (fanout.REFRESH_SECONDS), so the count heals by itself.
        await cache.aset(_index_key(session_id), [*hubs, hub_id], HUB_INDEX_TTL)


async def total(session_id: uuid.UUID | str) -> int | None:
    """The screens of the session in every process; None when the cache cannot be reached."""
    try:
        hubs = await cache.aget(_index_key(session_id)) or []
        if not hubs:
            return 0
        counts = await cache.aget_many([_count_key(session_id, hub_id) for hub_id in hubs])
    except Exception:
        logger.warning("Viewer count of session %s unknown", session_id, exc_info=True)
        return None
    return sum(counts.values())
