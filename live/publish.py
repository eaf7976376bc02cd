"""Sending a session's messages to its screens and control pages through the channel layer.

Registered with sessions_app.publishing when Django starts (live/apps.py): the services report
each change after commit, and this serialises it once and sends it to the session's two groups,
where each process's hub hands it to its sockets (fanout.py).
"""

import asyncio
import json
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from live import connects
from live.groups import control_group, screens_group

logger = logging.getLogger(__name__)

# Never for the trainees' screens: a change of the team (each control page checks who it is
# for) and a faculty note.
FACULTY_ONLY = {"access_changed", "note"}


def publish(session_id: uuid.UUID | str, message: dict, ended: bool = False) -> bool:
    """Returns False, and logs, when the channel layer cannot be reached, or does not answer
    within REDIS_TIMEOUT (then the message may still arrive): the change is already stored,
    and screens resync from the snapshot when they reconnect."""
    event = {"type": "monitor.ended" if ended else "monitor.message", "text": json.dumps(message)}
    if message["type"] == "session_extended":
        # Every hub moves the moment it ends the session's sockets (fanout.Hub.end_at).
        event.update(session=str(session_id), expires_at=message["expires_at"])
    elif message["type"] == "treatment" and "pending_step" in message["treatment"]:
        # Every hub applies a step a shock triggered when it falls due (fanout.Hub.step_at).
        event.update(session=str(session_id), step_due=message["treatment"]["pending_step"]["at"])
    groups = [screens_group(session_id), control_group(session_id)]
    if message["type"] in FACULTY_ONLY:
        groups = [control_group(session_id)]
    try:
        async_to_sync(_send_to_groups)(groups, event)
    except TimeoutError:
        # A hung Redis must not hold the database thread that every session shares.
        logger.warning("Broadcast to session %s timed out", session_id)
        return False
    except Exception:
        logger.exception("Broadcast to session %s failed", session_id)
        return False
    return True


async def _send_to_groups(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    try:
        async with asyncio.timeout(settings.REDIS_TIMEOUT):
            for group in groups:
                # The hub that receives it hands it to the sockets of this group (fanout.py).
                await layer.group_send(group, {**event, "group": group})
    except BaseException:
        # Maybe never heard here: no screen of this process is sent a snapshot read before it.
        for group in groups:
            connects.heard(group)
        raise
