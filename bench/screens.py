"""A process of trainee screens for the benches: opens websockets, notes when changes arrive.

Driven over stdin/stdout, one JSON object per line:
  <- {"event": "ready"}
  -> {"cmd": "connect", "urls": [...], "changes": M, "concurrency": C, "wait_snapshot": bool}
  <- {"event": "connected", "screens": n, "errors": [...]}
  -> {"cmd": "drain", "timeout": s}      wait until every screen has changes 0..M-1
  <- {"event": "drained", "complete": n, "received": n}
  -> {"cmd": "finish", "sent_ns": [...]}  the trainer's send time of each change
     (or {url: [...]}, one list per session's URL, when the process watches several sessions)
  <- {"event": "result", "latencies_us": [...], "received": n, ...}
Changes numbered M and above (the persistence phase) are only counted.
"""

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from contextlib import suppress
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from changes import CHANGE_TYPES, seq_of

OPEN_TIMEOUT = 10
CLOSE_TIMEOUT = 2
# Commands can carry every send time; results every latency.
LINE_LIMIT = 64 * 1024 * 1024


class Screen:
    def __init__(self, url: str, websocket: ClientConnection, changes: int, on_complete):
        self.url = url
        self.websocket = websocket
        self.changes = changes
        self.on_complete = on_complete
        self.arrivals: dict[int, int] = {}  # change number -> time.time_ns() on arrival
        self.duplicates = 0
        self.later = 0
        self.closed_early = False

    async def watch(self) -> None:
        try:
            async for text in self.websocket:
                arrived = time.time_ns()
                message = json.loads(text)
                if message.get("type") in CHANGE_TYPES:
                    self.note(seq_of(message["values"]), arrived)
        except ConnectionClosed:
            self.closed_early = True

    def note(self, seq: int, arrived: int) -> None:
        if seq >= self.changes:
            self.later += 1
        elif seq in self.arrivals:
            self.duplicates += 1
        else:
            self.arrivals[seq] = arrived
            if len(self.arrivals) == self.changes:
                self.on_complete()


class ScreenProcess:
    def __init__(self):
        self.screens: list[Screen] = []
        self.tasks: list[asyncio.Task] = []
        self.complete = 0
        self.all_complete = asyncio.Event()

    async def connect(self, command: dict) -> dict:
        gate = asyncio.Semaphore(command["concurrency"])

        async def open_one(url: str) -> ClientConnection:
            async with gate:
                websocket = await connect(
                    url,
                    origin=f"http://{urlsplit(url).netloc}",
                    # Browsers send no pings; daphne does not compress: neither do the screens.
                    ping_interval=None,
                    compression=None,
                    open_timeout=OPEN_TIMEOUT,
                    close_timeout=CLOSE_TIMEOUT,
                )
                if command["wait_snapshot"]:
                    try:
                        await self.receive_snapshot(websocket)
                    except BaseException:
                        await websocket.close()
                        raise
                return websocket

        opened = await asyncio.gather(
            *(open_one(url) for url in command["urls"]), return_exceptions=True
        )
        errors = [repr(result) for result in opened if isinstance(result, BaseException)]
        for url, websocket in zip(command["urls"], opened, strict=True):
            if not isinstance(websocket, BaseException):
                screen = Screen(url, websocket, command["changes"], self.screen_complete)
                self.screens.append(screen)
                self.tasks.append(asyncio.create_task(screen.watch()))
        if not self.screens or command["changes"] == 0:
            self.all_complete.set()
        return {"event": "connected", "screens": len(self.screens), "errors": errors[:5]}

    @staticmethod
    async def receive_snapshot(websocket: ClientConnection) -> None:
        """A Shiller screen follows the session once its snapshot has arrived."""
        first = json.loads(await asyncio.wait_for(websocket.recv(), OPEN_TIMEOUT))
        if first.get("type") != "snapshot":
            raise RuntimeError(f"expected a snapshot, got {first.get('type')}")

    def screen_complete(self) -> None:
        self.complete += 1
        if self.complete == len(self.screens):
            self.all_complete.set()

    async def drain(self, command: dict) -> dict:
        with suppress(TimeoutError):
            await asyncio.wait_for(self.all_complete.wait(), command["timeout"])
        received = sum(len(screen.arrivals) for screen in self.screens)
        return {"event": "drained", "complete": self.complete, "received": received}

    async def finish(self, command: dict) -> dict:
        sent_ns = command["sent_ns"]
        latencies_us = []
        for screen in self.screens:
            sent = sent_ns[screen.url] if isinstance(sent_ns, dict) else sent_ns
            latencies_us += [
                (arrived - sent[seq]) // 1000
                for seq, arrived in screen.arrivals.items()
                if sent[seq] is not None
            ]
        result = {
            "event": "result",
            "latencies_us": latencies_us,
            "received": sum(len(screen.arrivals) for screen in self.screens),
            "duplicates": sum(screen.duplicates for screen in self.screens),
            "later": sum(screen.later for screen in self.screens),
            "closed_early": sum(screen.closed_early for screen in self.screens),
        }
        await self.close()
        return result

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        closing = [asyncio.create_task(screen.websocket.close()) for screen in self.screens]
        if closing:
            # Bounded: a server still flushing a backlog may not answer the closing handshake.
            await asyncio.wait(closing, timeout=CLOSE_TIMEOUT * 2)


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    process = ScreenProcess()
    handlers = {"connect": process.connect, "drain": process.drain, "finish": process.finish}
    reply({"event": "ready"})
    while line := await stdin.readline():
        command = json.loads(line)
        reply(await handlers[command["cmd"]](command))
        if command["cmd"] == "finish":
            return


if __name__ == "__main__":
    # One file descriptor per screen: lift the soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # A screen that stalls for its own collections would count them as the server's latency.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from shiller import collector

    collector.tune()
    asyncio.run(main())
