"""What a trainee screen reads when it connects, shared by the screens connecting at once.

A class reconnecting after a restart is hundreds of screens of one session within a second.
Each used to look its code up and build its own snapshot through the process's one database
thread: 1,000 screens took 7-13 s, nearly all of it queued there. Here the screens of a
session that connect together share one lookup of their code and one snapshot.

Nothing shared is stale: a screen gets the result of a read that started after it asked. The
screens waiting when a read starts share it; those that ask while it runs share the next one,
which starts when it ends. So a screen, subscribed to its session before it asks for the
snapshot, misses no change: one committed before its read is in the snapshot, one committed
after reaches it through the hub (held until the snapshot is sent, MonitorConsumer.deliver).
"""

import asyncio
import json
import weakref

from channels.db import database_sync_to_async
from django.utils import translation

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


@database_sync_to_async
def _snapshot(key: tuple[str, str], items: list) -> list[tuple[Session | None, str | None]]:
    session_id, language = key
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return [(None, None)] * len(items)
    # Result titles are in the screen's language: one snapshot per session and language.
    with translation.override(language):
        text = json.dumps(services.monitor_state(session))
    return [(session, text)] * len(items)


# Unknown codes count against each address like failed joins: guessing does not pay.
join = SharedRead(_join)


async def snapshot(session_id: str) -> tuple[Session | None, str | None]:
    """The session as read now and its snapshot's text in the active language; (None, None)
    when it is gone."""
    return await _snapshots((session_id, translation.get_language()))


_snapshots = SharedRead(_snapshot)
