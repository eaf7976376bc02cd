"""What a trainee screen reads when it connects, shared by the screens connecting at once.

A class reconnecting after a restart is hundreds of screens of one session within a second.
Each used to look its code up and build its own snapshot through the process's one database
thread: 1,000 screens took 7-13 s, nearly all of it queued there. Here the screens of a
session that connect together share one lookup of their code, and a snapshot is read once and
sent to every screen that connects while it holds.

Nothing sent is stale. A screen subscribes to its session (the hub) before it asks for the
snapshot, so a change committed after the snapshot was read reaches it through the hub (held
until the snapshot is sent, MonitorConsumer.deliver). A read serves the screens that asked
before it started (SharedRead); it is then kept, and sent with the current time as its "now",
until the first of: a message of the session heard by the hub (the change itself, or its
broadcast that follows it), a broadcast of it from this process that failed (live/publish.py),
a moment at which time alone changes it (a trend's end, the silence's, a measurement's:
services.monitor_state_changes_at), a layer outage (the hub may miss messages), and
SNAPSHOT_REUSE_SECONDS.
"""

import asyncio
import datetime
import itertools
import json
import weakref
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.utils import timezone, translation

from live import loops
from live.groups import screens_group, session_of
from sessions_app import services
from sessions_app.models import Session


class SharedRead:
    """`await shared(key, item)`: what `read(key, items)` returned for `item`, from a read of
    `key` that started after the call, shared with the calls waiting when it started."""

    def __init__(self, read):
        self._read = read
        # Per event loop: a server process has one; tests start one per test.
        self._waiting: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._reading: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, key, item=None):
        loop = asyncio.get_running_loop()
        waiting = self._waiting.setdefault(loop, {})
        reading = self._reading.setdefault(loop, {})
        future = loop.create_future()
        waiting.setdefault(key, []).append((item, future))
        if key not in reading:
            # Kept in `reading` until it ends: the loop holds only weak references to tasks.
            reading[key] = loop.create_task(self._read_while_asked(key, waiting, reading))
        return await future

    async def _read_while_asked(self, key, waiting: dict, reading: dict) -> None:
        try:
            while batch := waiting.pop(key, None):
                try:
                    results = await self._read(key, [item for item, _future in batch])
                except Exception as error:
                    for _item, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                except BaseException:
                    for _item, future in batch:
                        future.cancel()
                    raise
                for (_item, future), result in zip(batch, results, strict=True):
                    # A screen that went away meanwhile has cancelled its future.
                    if not future.done():
                        future.set_result(result)
        finally:
            del reading[key]


@database_sync_to_async
def _join(code: str, addresses: list[str]) -> list[tuple[Session | None, int | None]]:
    return services.attempt_joins(code, addresses)


# Unknown codes count against each address like failed joins: guessing does not pay.
join = SharedRead(_join)


# A kept snapshot serves screens at most this long after its read, even when nothing said it
# changed: the bound on what a change this process never heard of (another process's broadcast
# lost to a Redis outage this hub has not noticed yet) could hide from a screen that connects.
# A class's reconnect takes 1-3 s.
SNAPSHOT_REUSE_SECONDS = 1.0


@dataclass
class _Snapshot:
    number: int  # Taken when its read started (_Kept.count).
    read_at: float  # The event loop's clock.
    changes_at: datetime.datetime | None  # services.monitor_state_changes_at
    session: Session
    state: dict


class _Kept:
    """A process's snapshots, each kept until the hub hears a message of its session (the hub
    calls `heard`), the hub may have missed one (`forget`), time changes it, or it is old."""

    def __init__(self):
        self.count = itertools.count(1)
        self.heard_at: dict[str, int] = {}
        self.forgotten_at = 0
        # Not in every group of the hub's sockets, as far as the hub knows.
        self.deaf = False
        self.snapshots: dict[tuple[str, str], _Snapshot] = {}

    def forget_before_now(self) -> None:
        self.forgotten_at = next(self.count)
        self.snapshots.clear()
        # Older than forgotten_at: no longer needed (and so not kept for every session ever heard).
        self.heard_at.clear()

    def holds(self, snapshot: _Snapshot, session_id: str, now: datetime.datetime) -> bool:
        """Whether a read now would give `snapshot` again, but for its "now"."""
        return (
            not self.deaf
            and snapshot.number > max(self.heard_at.get(session_id, 0), self.forgotten_at)
            and asyncio.get_running_loop().time() - snapshot.read_at < SNAPSHOT_REUSE_SECONDS
            and (snapshot.changes_at is None or now < snapshot.changes_at)
        )


_kept = loops.per_loop(_Kept)


def heard(group: str) -> None:
    """The hub received a message for `group`, or stopped listening to it."""
    session_id = session_of(group)
    if group != screens_group(session_id):
        return  # The control pages' messages change nothing a screen is sent.
    kept = _kept()
    kept.heard_at[session_id] = next(kept.count)
    for key in [key for key in kept.snapshots if key[0] == session_id]:
        del kept.snapshots[key]


def forget() -> None:
    """The hub may miss messages (the layer unreachable, a group not joined): keep nothing, and
    keep nothing new until it is `listening` again."""
    kept = _kept()
    kept.forget_before_now()
    kept.deaf = True


def listening() -> None:
    """The hub has joined every group of its sockets: what is read from now on may be kept (a
    read begun before may lack a change the hub missed)."""
    kept = _kept()
    kept.forget_before_now()
    kept.deaf = False


async def snapshot(session_id: str) -> tuple[Session | None, str | None]:
    """The session and its snapshot's text in the active language, as a read now would give
    them; (None, None) when it is gone."""
    key = (session_id, translation.get_language())
    kept = _kept()
    held = kept.snapshots.get(key)
    now = timezone.now()
    if held is not None and kept.holds(held, session_id, now):
        return held.session, json.dumps({**held.state, "now": now.isoformat()})
    return await _snapshots(key)


async def _read_snapshots(key: tuple[str, str], items: list) -> list:
    kept = _kept()
    number = next(kept.count)
    session, state, changes_at = await _read_snapshot(*key)
    if session is None:
        return [(None, None)] * len(items)
    read = _Snapshot(number, asyncio.get_running_loop().time(), changes_at, session, state)
    if kept.holds(read, key[0], timezone.now()):
        kept.snapshots[key] = read
    return [(session, json.dumps(state))] * len(items)


@database_sync_to_async
def _read_snapshot(session_id: str, language: str):
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return None, None, None
    now = timezone.now()
    # Result titles are in the screen's language: one snapshot per session and language.
    with translation.override(language):
        state = services.monitor_state(session, now)
    return session, state, services.monitor_state_changes_at(session, now)


_snapshots = SharedRead(_read_snapshots)
