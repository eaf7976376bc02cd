"""The trainer's side of a run: numbered changes sent to Shiller's control socket or the floor."""

import asyncio
import json
import time

from websockets.asyncio.client import ClientConnection, connect

from changes import set_vitals_message

OPEN_TIMEOUT = 10
# The longest wait for the next ack before a phase gives up (and reports what is missing).
REPLY_TIMEOUT = 15


class TrainerClient:
    """Sends changes and notes when; with `expects_replies`, collects Shiller's acks and errors.

    A change's request_id is its number, so replies and arrivals join on it afterwards.
    """

    def __init__(self, url: str, cookie: str | None = None, expects_replies: bool = True):
        self.url = url
        self.cookie = cookie
        self.expects_replies = expects_replies
        self.sent_ns: dict[int, int] = {}
        self.replies: dict[int, dict] = {}
        self.websocket: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._replied = asyncio.Condition()

    async def __aenter__(self) -> "TrainerClient":
        host = self.url.split("/")[2]
        self.websocket = await connect(
            self.url,
            origin=f"http://{host}",
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
            ping_interval=None,
            compression=None,
            open_timeout=OPEN_TIMEOUT,
        )
        if self.expects_replies:
            self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self.websocket.close()

    async def _read(self) -> None:
        # Broadcasts and viewer counts also arrive here; only replies to requests matter.
        async for text in self.websocket:
            message = json.loads(text)
            is_reply = message.get("type") in ("ack", "error")
            if is_reply and isinstance(message.get("request_id"), int):
                message["at_ns"] = time.time_ns()
                self.replies[message["request_id"]] = message
                async with self._replied:
                    self._replied.notify_all()

    async def send(self, seq: int) -> None:
        text = json.dumps(set_vitals_message(seq))
        self.sent_ns[seq] = time.time_ns()
        await self.websocket.send(text)

    async def send_at_rate(self, first: int, count: int, rate: float) -> None:
        """Send changes on a fixed schedule, whatever the acks do (no coordinated omission)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
            await self.send(first + i)

    async def send_pipelined(self, first: int, seconds: float, window: int) -> tuple[int, float]:
        """Send changes for `seconds`, as fast as acks come back (`window` unanswered at most).

        Returns how many were sent and the seconds from the first send to the last reply.
        """
        base = len(self.replies)
        start = time.perf_counter()
        sent = 0
        while time.perf_counter() - start < seconds:
            if not await self.wait_for_replies(base + sent - window + 1):
                break
            await self.send(first + sent)
            sent += 1
        await self.wait_for_replies(base + sent)
        return sent, time.perf_counter() - start

    async def wait_for_replies(self, count: int) -> bool:
        """Wait until `count` requests have their reply; False after REPLY_TIMEOUT without one."""
        async with self._replied:
            while len(self.replies) < count:
                try:
                    await asyncio.wait_for(self._replied.wait(), REPLY_TIMEOUT)
                except TimeoutError:
                    return False
        return True

    def acks(self, seqs: range) -> dict[int, str]:
        """Event id of each acked change among `seqs`, by change number."""
        return {
            seq: reply["event_id"]
            for seq, reply in self.replies.items()
            if seq in seqs and reply["type"] == "ack"
        }
