"""Sending a session's messages to its screens and control pages through the channel layer.

Registered with sessions_app.publishing when Django starts (live/apps.py): the services report
each change after commit, and this serialises it once and sends it to the session's two groups,
where each process's hub hands it to its sockets (fanout.py).
"""

import asyncio
import contextvars
import json
import logging
import uuid
from contextlib import asynccontextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from live import connects, loops
from live.groups import control_group, screens_group

logger = logging.getLogger(__name__)

# Never for the trainees' screens: a change of the team (each control page checks who it is
# for), a faculty note, and the checklist's actions logged and undone (assessment/services.py).
FACULTY_ONLY = {"access_changed", "note", "action_logged", "action_undone"}


class Held:
    """The broadcasts of what a socket's action stored, while it runs (held())."""

    def __init__(self):
        self.broadcasts: list[tuple[list[str], dict]] = []
        self.open = True
        self.sent = True


_held: contextvars.ContextVar[Held | None] = contextvars.ContextVar("held", default=None)


def publish(session_id: uuid.UUID | str, message: dict, ended: bool = False) -> bool:
    """Returns False, and logs, when the channel layer cannot be reached, or does not answer
    within REDIS_TIMEOUT (then the message may still arrive): the change is already stored,
    and screens resync from the snapshot when they reconnect. True at once while a socket's
    action runs: the socket sends it (held())."""
    groups, event = _addressed(session_id, message, ended)
    held = _held.get()
    if held is not None and held.open:
        held.broadcasts.append((groups, event))
        return True
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


@asynccontextmanager
async def held():
    """Hold the broadcasts of what is stored inside (a socket's action, run in the database
    thread, which sees this context), then send them from the event loop: the thread, which
    every session of the process shares, goes on to the next change instead of waiting for the
    loop and Redis. Yields a Held whose `sent` says, after, whether all of them got through.

    The thread hands its results back in the order it stored them, and each socket queues its
    broadcasts before its first await after that: one sender sends them in that order."""
    held = Held()
    token = _held.set(held)
    try:
        yield held
    finally:
        # Closed first: a task started inside inherited this context, not the hold.
        held.open = False
        _held.reset(token)
        if held.broadcasts:
            held.sent = await _sender().send(held.broadcasts)


class _Sender:
    """The broadcasts of one process's sockets, sent one after the other in the order queued."""

    def __init__(self):
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self.forever())

    def send(self, broadcasts: list) -> asyncio.Future:
        """Queued at once, in the caller's turn; the future says whether all got through."""
        done = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((broadcasts, done))
        return done

    async def forever(self) -> None:
        while True:
            broadcasts, done = await self.queue.get()
            sent = True
            for groups, event in broadcasts:
                try:
                    await _send_to_groups(groups, event)
                except TimeoutError:
                    logger.warning("Broadcast to %s timed out", groups)
                    sent = False
                except Exception:
                    logger.exception("Broadcast to %s failed", groups)
                    sent = False
            if not done.done():  # its socket may have gone meanwhile
                done.set_result(sent)


# One sender per event loop, as the hubs (fanout.get_hub).
_sender = loops.per_loop(_Sender)


def _addressed(session_id, message: dict, ended: bool) -> tuple[list[str], dict]:
    """The groups a message goes to and the layer event that carries it, serialised once."""
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
    return groups, event


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
