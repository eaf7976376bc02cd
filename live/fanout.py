"""Per-process fan-out of a session's messages to its sockets (trainee screens, control pages).

The obvious Channels design gives every socket its own layer channel in the session's group:
a change then costs one Redis write and one Redis read per screen, and near 1,000 screens the
layer falls behind (seconds of delay, dropped messages). Here each server process has one hub
with a single layer channel; the hub joins each group once, receives each broadcast once
(already serialised by live/publish.py) and hands the same text to its local sockets.

The consumers themselves have no layer channel (channel_layer_alias = None), so a Redis outage
cannot kill a socket: the hub retries, rejoins its groups when Redis is back, and screens
resync from the snapshot when they reconnect. One socket's failure never reaches the others:
each delivery is guarded, a socket that fails or stalls is dropped and closed (the page
reconnects and resyncs), and the hub's loops restart if they ever end.

The hub also knows every socket of the process, so it holds the per-process caps (sockets per
client address, per session) that the consumers check before they accept.
"""

import asyncio
import collections
import datetime
import heapq
import json
import logging
import os
import socket
import sys
import uuid

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from live import connects, loops, restart, viewers
from live.groups import control_group, screens_group, session_of
from sessions_app import services, treatment
from simulator import protocol

logger = logging.getLogger(__name__)

# How often a hub re-asserts its group memberships and viewer counts (both have TTLs).
REFRESH_SECONDS = 20
# Connect/leave storms are reported to the control pages at most this often per session.
VIEWER_REPORT_DELAY = 0.1
RETRY_SECONDS = 1
# A socket that takes longer than this to accept a message is dropped, so that one stuck
# screen cannot delay every other screen of the process (it resyncs when it reconnects).
SEND_TIMEOUT = 2
# Sockets written to between two yields to the event loop.
DELIVERY_BATCH = 50
# The close code of a socket dropped for not taking messages: the page reconnects at once and
# gets a fresh snapshot (docs/protocol.md).
CLOSE_RESYNC = protocol.CLOSE["resync"]


class Hub:
    def __init__(self):
        self.id = uuid.uuid4().hex
        self.layer = get_channel_layer()
        self.channel_name: str | None = None
        self.subscribers: dict[str, set] = {}
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._viewed_sessions: set[str] = set()
        self._pending_reports: set[str] = set()
        self._background: set[asyncio.Task] = set()
        self._addresses: collections.Counter[str] = collections.Counter()
        self._outage_logged = False
        self._screen_actions: dict[str, object] = {}
        # session id -> (its end, the timer that ends its sockets in this process then).
        self._ends: dict[str, tuple[datetime.datetime, asyncio.TimerHandle]] = {}
        self._steps: dict[str, tuple[datetime.datetime, asyncio.TimerHandle]] = {}

    def admit_address(self, address: str, limit: int) -> bool:
        """Count one more socket from `address`, unless it has `limit` already."""
        if self._addresses[address] >= limit:
            return False
        self._addresses[address] += 1
        return True

    def release_address(self, address: str) -> None:
        self._addresses[address] -= 1
        if self._addresses[address] <= 0:
            del self._addresses[address]

    def screen_actions(self, session_id: str, factory):
        """The per-session state the screens of this process share (consumers.ScreenActions)."""
        actions = self._screen_actions.get(session_id)
        if actions is None:
            actions = self._screen_actions[session_id] = factory()
        return actions

    async def subscribe(self, group: str, socket, limit: int | None = None) -> bool:
        """`socket.deliver(event)` will be awaited for every event sent to `group`; False, and
        not subscribed, when the group has `limit` sockets already."""
        async with self._lock:
            sockets = self.subscribers.get(group, set())
            if limit is not None and len(sockets) >= limit:
                return False
            self.subscribers.setdefault(group, set()).add(socket)
            if not self._tasks or any(task.done() for task in self._tasks):
                if self.channel_name is None:
                    # Before the first snapshot is read, so that no change falls between.
                    try:
                        self.channel_name = await self.layer.new_channel()
                    except Exception:
                        logger.warning("Channel layer unreachable; retrying: %s", _reason())
                        self._outage_logged = True
                        connects.forget()
                self._start()
            if self.channel_name is None:
                return True  # The read loop joins every group once it has its channel.
            try:
                # Joined again for every socket, not only the group's first: the call is
                # idempotent, and it repairs a membership that a Redis restart lost.
                await self.layer.group_add(group, self.channel_name)
            except Exception:
                # The socket still gets its snapshot; the read loop rejoins when Redis is back.
                logger.warning("Could not join group %s; will retry: %s", group, _reason())
                connects.forget()
            return True

    def end_at(self, session_id: str, expires_at: datetime.datetime) -> None:
        """This process's sockets of the session end at `expires_at` by themselves, without
        waiting for expire_sessions (which closes it in the database); an extension moves it."""
        scheduled = self._ends.get(session_id)
        if scheduled is not None:
            if scheduled[0] == expires_at:
                return
            scheduled[1].cancel()
        delay = max((expires_at - timezone.now()).total_seconds(), 0)
        timer = asyncio.get_running_loop().call_later(
            delay, lambda: self._in_background(self.end_if_over(session_id))
        )
        self._ends[session_id] = (expires_at, timer)

    def step_at(self, session_id: str, due: datetime.datetime) -> None:
        """Apply the step a shock triggered when it falls due (treatment.apply_due_step, which
        every process with the session's sockets calls and the first one does)."""
        scheduled = self._steps.get(session_id)
        if scheduled is not None:
            if scheduled[0] == due:
                return
            scheduled[1].cancel()
        delay = max((due - timezone.now()).total_seconds(), 0)
        timer = asyncio.get_running_loop().call_later(
            delay, lambda: self._in_background(self.apply_due_step(session_id))
        )
        self._steps[session_id] = (due, timer)

    async def apply_due_step(self, session_id: str) -> None:
        self._steps.pop(session_id, None)
        if not self._has_sockets(session_id):
            return  # The next socket to connect schedules it again.
        try:
            await database_sync_to_async(treatment.apply_due_step)(session_id)
        except Exception:
            logger.exception("The step a shock triggered in session %s failed", session_id)

    def ends_at(self, session_id: str) -> datetime.datetime | None:
        scheduled = self._ends.get(session_id)
        return scheduled[0] if scheduled else None

    async def end_if_over(self, session_id: str) -> None:
        """At the session's end: tell its screens and control pages here, unless the database
        says it goes on (an extension this process missed while Redis was down)."""
        self._ends.pop(session_id, None)
        if not self._has_sockets(session_id):
            return
        try:
            expires_at = await database_sync_to_async(services.open_until)(session_id)
        except Exception:
            logger.warning("End of session %s not checked: %s", session_id, _reason())
            expires_at = timezone.now() + datetime.timedelta(seconds=RETRY_SECONDS)
        if expires_at is not None and expires_at > timezone.now():
            self.end_at(session_id, expires_at)
            return
        # A session closed by its trainer has told its sockets already; one expired says so.
        text = json.dumps({"type": "session_ended", "reason": "expired"})
        for group in (screens_group(session_id), control_group(session_id)):
            await self._deliver({"type": "monitor.ended", "text": text, "group": group})

    def _has_sockets(self, session_id: str) -> bool:
        return any(
            self.subscribers.get(group)
            for group in (screens_group(session_id), control_group(session_id))
        )

    def _start(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = [
            asyncio.create_task(self._forever(self._read)),
            asyncio.create_task(self._forever(self._refresh)),
        ]

    async def unsubscribe(self, group: str, socket) -> None:
        async with self._lock:
            sockets = self.subscribers.get(group, set())
            sockets.discard(socket)
            if sockets:
                return
            self.subscribers.pop(group, None)
            session_id = session_of(group)
            if not self._has_sockets(session_id) and session_id in self._ends:
                self._ends.pop(session_id)[1].cancel()
            connects.heard(group)  # Not listening any more.
            try:
                await self.layer.group_discard(group, self.channel_name)
            except Exception:
                # The membership expires on its own (group_expiry) if the layer is down now.
                logger.warning("Could not leave group %s", group, exc_info=True)
            if not self.subscribers:
                self._stop()

    async def add_screen(self, session_id: str, socket, limit: int | None = None) -> bool:
        if not await self.subscribe(screens_group(session_id), socket, limit):
            return False
        self._viewed_sessions.add(session_id)
        self._report_viewers(session_id)
        return True

    async def remove_screen(self, session_id: str, socket) -> None:
        await self.unsubscribe(screens_group(session_id), socket)
        if not self.screen_count(session_id):
            self._screen_actions.pop(session_id, None)
        self._report_viewers(session_id)

    def screen_count(self, session_id: str) -> int:
        return len(self.subscribers.get(screens_group(session_id), ()))

    async def _publish_viewers(self, session_id: str) -> None:
        sockets = self.subscribers.get(screens_group(session_id), ())
        oldest = heapq.nsmallest(viewers.LISTED_SCREENS, sockets, key=lambda s: s.since)
        screens = [socket.description() for socket in oldest]
        await viewers.publish(session_id, self.id, len(sockets), screens)

    def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        self.channel_name = None

    async def _forever(self, loop, *args) -> None:
        """Run `loop` again if it ever returns or raises: every session of the process
        depends on it."""
        while True:
            try:
                await loop(*args)
                logger.error("Hub loop %s ended; restarting it", loop.__name__)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Hub loop %s failed; restarting it", loop.__name__)
            await asyncio.sleep(RETRY_SECONDS)

    async def _read(self) -> None:
        layer_was_down = self.channel_name is None
        while True:
            try:
                if self.channel_name is None:
                    # The pub/sub layer subscribes to a new channel: Redis may be down now.
                    self.channel_name = await self.layer.new_channel()
                if layer_was_down:
                    # A restarted Redis has forgotten the groups: join them again at once.
                    await self._join_groups()
                    connects.listening()
                    if self._outage_logged:
                        logger.warning("Channel layer reachable again")
                    layer_was_down = self._outage_logged = False
                event = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                connects.forget()
                # Once per outage, not every second of it.
                if not self._outage_logged:
                    logger.warning("Channel layer unreachable; retrying: %s", _reason())
                    self._outage_logged = True
                layer_was_down = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if "group" in event:
                connects.heard(event["group"])  # Before any socket is sent it.
            try:
                await self._deliver(event)
            except Exception:
                logger.exception("Delivery of an event to %s failed", event.get("group"))

    async def _deliver(self, event: dict) -> None:
        group = event.get("group")
        if "expires_at" in event:
            self.end_at(event["session"], datetime.datetime.fromisoformat(event["expires_at"]))
        if "step_due" in event:
            self.step_at(event["session"], datetime.datetime.fromisoformat(event["step_due"]))
        sockets = list(self.subscribers.get(group, ()))
        start = 0
        while start < len(sockets):
            end = min(start + DELIVERY_BATCH, len(sockets))
            current = start
            try:
                # One timeout per batch, not per socket: it is the hot loop. When it fires,
                # the socket being written to is the stuck one.
                async with asyncio.timeout(SEND_TIMEOUT):
                    for current in range(start, end):
                        try:
                            await sockets[current].deliver(event)
                        except Exception:
                            logger.warning("Dropped a failing socket of %s", group, exc_info=True)
                            self._drop(group, sockets[current])
            except TimeoutError:
                logger.warning("Dropped a socket of %s that stopped taking messages", group)
                self._drop(group, sockets[current])
                end = current + 1
            start = end
            # Let the control sockets and the other sessions run between batches.
            await asyncio.sleep(0)

    def _drop(self, group: str, socket) -> None:
        """Stop writing to `socket` and close it, so that its page reconnects and resyncs
        (its disconnect then reports the viewer count)."""
        self.subscribers.get(group, set()).discard(socket)
        self._in_background(self._close(socket))

    async def _close(self, socket) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await socket.close(code=CLOSE_RESYNC)
        except Exception:
            logger.info("A dropped socket did not close cleanly", exc_info=True)

    def close_for_restart(self, socket) -> None:
        """Close `socket` with 1012 (live/restart.py): it leaves the hub once its page has
        answered and its consumer has finished what it was doing."""
        self._in_background(self._close_for_restart(socket))

    async def _close_for_restart(self, socket) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await socket.close_for_restart()
        except Exception:
            logger.info("A socket did not close cleanly for the restart", exc_info=True)

    def _in_background(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _join_groups(self) -> None:
        for group in list(self.subscribers):
            await self.layer.group_add(group, self.channel_name)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                # Also heals a membership the layer dropped (expiry, a Redis restart).
                await self._join_groups()
                connects.listening()
                for session_id in list(self._viewed_sessions):
                    await self._publish_viewers(session_id)
                await self.publish_process()
            except Exception:
                logger.warning("Refresh of hub %s failed: %s", self.id, _reason())

    def _report_viewers(self, session_id: str) -> None:
        if session_id not in self._pending_reports:
            self._pending_reports.add(session_id)
            self._in_background(self._send_viewer_report(session_id))

    async def publish_process(self) -> None:
        """This process's line for `manage.py connected` (live/viewers.py)."""
        screens = [group for group in self.subscribers if group == screens_group(session_of(group))]
        await viewers.publish_process(
            self.id,
            {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "screens": sum(len(self.subscribers[group]) for group in screens),
                "control_pages": sum(
                    len(sockets) for group, sockets in self.subscribers.items() if group not in screens
                ),
                "sessions": len({session_of(group) for group in self.subscribers}),
                "draining": restart.state.draining,
                "at": timezone.now().isoformat(),
            },
        )

    async def _send_viewer_report(self, session_id: str) -> None:
        await asyncio.sleep(VIEWER_REPORT_DELAY)
        self._pending_reports.discard(session_id)
        group = control_group(session_id)
        if not self.screen_count(session_id):
            self._viewed_sessions.discard(session_id)
        await self._publish_viewers(session_id)
        await self.publish_process()
        try:
            await self.layer.group_send(group, {"type": "viewers.changed", "group": group})
        except Exception:
            logger.warning("Viewer count of session %s not reported", session_id, exc_info=True)


def _reason() -> str:
    """The exception being handled, in one line: an outage is logged without tracebacks."""
    error = sys.exc_info()[1]
    return f"{type(error).__name__}: {error}"


# The process's hub (one per event loop: the tests start one per test).
get_hub = loops.per_loop(Hub)
