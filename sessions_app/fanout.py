"""Per-process fan-out of a session's messages to its trainee screens.

The obvious Channels design gives every screen its own layer channel in the session's group:
a change then costs one Redis write and one Redis read per screen, and near 1,000 screens the
layer falls behind (seconds of delay, dropped messages). Here each server process has one hub
with a single layer channel; the hub joins a session's group once, receives each broadcast once
(already serialised by services.broadcast) and writes the same text to its local sockets.
"""

import asyncio
import logging
import uuid
import weakref

from channels.layers import get_channel_layer

from sessions_app import viewers
from sessions_app.groups import control_group, screens_group

logger = logging.getLogger(__name__)

# How often a hub re-asserts its group memberships and viewer counts (both have TTLs).
REFRESH_SECONDS = 20
# Connect/leave storms are reported to the control pages at most this often per session.
VIEWER_REPORT_DELAY = 0.1
RETRY_SECONDS = 1


class ScreenHub:
    def __init__(self):
        self.id = uuid.uuid4().hex
        self.layer = get_channel_layer()
        self.channel_name: str | None = None
        self.screens: dict[str, set] = {}
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._pending_reports: set[str] = set()
        self._report_tasks: set[asyncio.Task] = set()

    async def subscribe(self, session_id: str, screen) -> None:
        async with self._lock:
            if self.channel_name is None:
                self.channel_name = await self.layer.new_channel()
                self._tasks = [
                    asyncio.create_task(self._read()),
                    asyncio.create_task(self._refresh()),
                ]
            if session_id not in self.screens:
                self.screens[session_id] = set()
                await self.layer.group_add(screens_group(session_id), self.channel_name)
            self.screens[session_id].add(screen)
        self._report_viewers(session_id)

    async def unsubscribe(self, session_id: str, screen) -> None:
        async with self._lock:
            screens = self.screens.get(session_id)
            if screens is None or screen not in screens:
                return
            screens.discard(screen)
            if not screens:
                del self.screens[session_id]
                await self._leave_group(session_id)
            if not self.screens:
                self._stop()
        self._report_viewers(session_id)

    async def _leave_group(self, session_id: str) -> None:
        try:
            await self.layer.group_discard(screens_group(session_id), self.channel_name)
        except Exception:
            # The group entry expires on its own (group_expiry) if the layer is down now.
            logger.warning("Could not leave group of session %s", session_id, exc_info=True)

    def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        self.channel_name = None

    async def _read(self) -> None:
        channel_name = self.channel_name
        while True:
            try:
                message = await self.layer.receive(channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Channel layer unreachable; retrying", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await self._deliver(message)

    async def _deliver(self, message: dict) -> None:
        screens = list(self.screens.get(message.get("session_id"), ()))
        text = message["text"]
        ended = message["type"] == "monitor.ended"
        for screen in screens:
            await screen.deliver(text, ended)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            for session_id in list(self.screens):
                try:
                    # Also heals a membership the layer dropped (expiry, a Redis restart).
                    await self.layer.group_add(screens_group(session_id), self.channel_name)
                    await viewers.publish(session_id, self.id, len(self.screens.get(session_id, ())))
                except Exception:
                    logger.warning("Refresh of session %s failed", session_id, exc_info=True)

    def _report_viewers(self, session_id: str) -> None:
        if session_id not in self._pending_reports:
            self._pending_reports.add(session_id)
            task = asyncio.create_task(self._send_viewer_report(session_id))
            self._report_tasks.add(task)
            task.add_done_callback(self._report_tasks.discard)

    async def _send_viewer_report(self, session_id: str) -> None:
        await asyncio.sleep(VIEWER_REPORT_DELAY)
        self._pending_reports.discard(session_id)
        try:
            await viewers.publish(session_id, self.id, len(self.screens.get(session_id, ())))
            await self.layer.group_send(
                control_group(session_id), {"type": "viewers.changed", "session_id": session_id}
            )
        except Exception:
            logger.warning("Viewer count of session %s not reported", session_id, exc_info=True)


# One hub per event loop: a server process has one loop; tests start a loop per test.
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ScreenHub]" = (
    weakref.WeakKeyDictionary()
)


def get_hub() -> ScreenHub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = ScreenHub()
    return hub
