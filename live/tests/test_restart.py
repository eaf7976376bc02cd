"""A restart loses nothing: one of two daphnes gets SIGTERM while a trainer keeps sending."""

import asyncio
import json
import signal
import tempfile

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from live.tests.ws import session_cookie
from sessions_app.models import SessionEvent
from sessions_app.tests.servers import daphne_process
from shiller.tests.factory import make_session
from simulator import protocol, vitals

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and Redis (make test provides both)",
    ),
]

CHANGE = vitals.validate(
    {"systolic": 90, "diastolic": 60, "heart_rate": 40, "spo2": 91, "flags": {"rhythm": "sinus"}}
)
CHANGES = 150
SIGTERM_AFTER = 20
DRAIN_SECONDS = 5
TIMEOUT = 10
SERVICE_RESTART = protocol.CLOSE["restart"]


def rate_of(message: dict) -> int | None:
    values = message.get("values")
    return values["heart_rate"] if values else None


class Screen:
    """A trainee screen that, like live-socket.js, reconnects at once after a 1012, here to
    the process that stays; it keeps the newest heart rate it was shown."""

    def __init__(self, code: str, server: str, survivor: str):
        self.code, self.server, self.survivor = code, server, survivor
        self.closes: list[int] = []
        self.rate: int | None = None

    async def open(self, server: str):
        socket = await websockets.connect(
            f"ws://{server}/ws/monitor/{self.code}/", origin=f"http://{server}"
        )
        while (message := json.loads(await socket.recv()))["type"] != "snapshot":
            pass
        self.rate = rate_of(message)
        return socket

    async def watch(self, first) -> None:
        socket = first
        while True:
            try:
                message = json.loads(await socket.recv())
            except websockets.ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
                socket = await self.open(self.survivor)
                continue
            if message["type"] == "vitals":
                self.rate = rate_of(message)


class Control:
    """The control page: each change waits for its ack; one left unanswered by a closing
    socket is sent again on the next (control.js's queue)."""

    def __init__(self, session_id, cookie: str, survivor: str):
        self.session_id, self.cookie, self.survivor = session_id, cookie, survivor
        self.closes: list[int] = []
        self.sent_after_reconnect = 0

    async def open(self, server: str):
        self.socket = await websockets.connect(
            f"ws://{server}/ws/control/{self.session_id}/",
            origin=f"http://{server}",
            additional_headers={"Cookie": self.cookie},
        )

    async def send(self, rate: int) -> None:
        while True:
            try:
                await self.socket.send(
                    json.dumps({"type": "set_vitals", "values": {**CHANGE, "heart_rate": rate}})
                )
                while json.loads(await self.socket.recv())["type"] != "ack":
                    pass
            except websockets.ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
                await self.open(self.survivor)
                continue
            if self.closes:
                self.sent_after_reconnect += 1
            return


async def test_a_restart_sends_every_page_to_the_other_process_without_losing_a_change(alice):
    session = await sync_to_async(make_session)(alice)
    cookie = (await sync_to_async(session_cookie)(alice)).decode()
    env = {"SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS), "LOG_FORMAT": "json"}
    with (
        tempfile.TemporaryFile() as log_a,
        daphne_process(env=env, stderr=log_a) as (server_a, process_a),
        daphne_process(env=env) as (server_b, _process_b),
    ):
        screens = [Screen(session.code, server, server_b) for server in [server_a] * 3 + [server_b] * 3]
        watchers = [
            asyncio.create_task(screen.watch(await screen.open(screen.server)))
            for screen in screens
        ]
        control = Control(session.pk, cookie, server_b)
        await control.open(server_a)
        sent = list(range(40, 40 + CHANGES))
        for number, rate in enumerate(sent):
            if number == SIGTERM_AFTER:
                process_a.send_signal(signal.SIGTERM)
            await asyncio.wait_for(control.send(rate), TIMEOUT)

        # The restarting process has drained and exited within its drain time.
        exit_code = await asyncio.wait_for(asyncio.to_thread(process_a.wait), DRAIN_SECONDS + 5)
        assert exit_code == 0
        # Its pages were told "restarting", and the change stream went on through the other.
        assert control.closes == [SERVICE_RESTART]
        assert control.sent_after_reconnect > 0
        assert [screen.closes for screen in screens] == [[SERVICE_RESTART]] * 3 + [[]] * 3

        # Every screen ends on the newest values, wherever it was.
        async def all_on_newest():
            while any(screen.rate != sent[-1] for screen in screens):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(all_on_newest(), TIMEOUT)
        # What was stored is what was sent: nothing lost, nothing twice.
        stored = await sync_to_async(list)(
            SessionEvent.objects.filter(session=session).order_by("created_at").values_list(
                "heart_rate", flat=True
            )
        )
        assert stored == sent
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

        log_a.seek(0)
        lines = [json.loads(line) for line in log_a.read().decode().splitlines() if line.startswith("{")]
        closes = [line for line in lines if line.get("event") == "socket_close"]
        assert {line["close_code"] for line in closes} == {SERVICE_RESTART}
        assert sorted(line["kind"] for line in closes) == ["control"] + ["monitor"] * 3
        assert any(line["message"].startswith("Drained") for line in lines)
