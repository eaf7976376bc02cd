"""Two daphne processes behind the real Redis layer, as in production."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from live.tests.ws import session_cookie
from sessions_app.models import SessionEvent
from sessions_app.tests.servers import daphne
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and Redis (make test provides both)",
    ),
]

# In the stored form (every field present), as it comes back to the screens.
CHANGE = vitals.validate(
    {
        "systolic": 90,
        "diastolic": 60,
        "heart_rate": 44,
        "spo2": 91,
        "flags": {"rhythm": "sinus_bradycardia", "alarm": False, "spo2_probe_off": False},
    }
)


async def next_of_type(socket, message_type: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
        if message["type"] == message_type:
            return message


async def test_a_change_sent_to_one_process_reaches_a_screen_on_the_other(alice):
    session = await sync_to_async(make_session)(alice)
    cookie = (await sync_to_async(session_cookie)(alice)).decode()
    with daphne() as server_a, daphne() as server_b:
        control = await websockets.connect(
            f"ws://{server_a}/ws/control/{session.pk}/",
            origin=f"http://{server_a}",
            additional_headers={"Cookie": cookie},
        )
        assert (await next_of_type(control, "viewers"))["count"] == 0

        screen = await websockets.connect(
            f"ws://{server_b}/ws/monitor/{session.code}/?screen=Bed+3",
            origin=f"http://{server_b}",
            user_agent_header="Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Safari/604.1",
        )
        assert (await next_of_type(screen, "snapshot"))["values"] is None
        # The viewer on B is counted, and described, on A's control page.
        viewers = await next_of_type(control, "viewers")
        assert viewers["count"] == 1
        assert "Bed 3 (iPad · Safari)" in viewers["html"]["screens"]

        await control.send(json.dumps({"type": "set_vitals", "values": CHANGE, "request_id": "a1"}))
        ack = await next_of_type(control, "ack")
        vitals = await next_of_type(screen, "vitals")
        assert vitals["values"] == CHANGE
        assert vitals["event_id"] == ack["event_id"]
        assert await sync_to_async(SessionEvent.objects.count)() == 1

        await screen.close()
        assert (await next_of_type(control, "viewers"))["count"] == 0
        await control.close()


async def test_screens_get_every_change_in_order_and_a_closed_screen_stops_no_one(alice):
    session = await sync_to_async(make_session)(alice)
    cookie = (await sync_to_async(session_cookie)(alice)).decode()
    with daphne() as server:
        control = await websockets.connect(
            f"ws://{server}/ws/control/{session.pk}/",
            origin=f"http://{server}",
            additional_headers={"Cookie": cookie},
        )
        screens = []
        for _ in range(3):
            screen = await websockets.connect(
                f"ws://{server}/ws/monitor/{session.code}/", origin=f"http://{server}"
            )
            await next_of_type(screen, "snapshot")
            screens.append(screen)
        await screens.pop().close()

        # Sent without waiting for the acks: the changes follow each other closely.
        heart_rates = list(range(40, 60))
        for rate in heart_rates:
            change = {**CHANGE, "heart_rate": rate}
            await control.send(json.dumps({"type": "set_vitals", "values": change}))
        for screen in screens:
            seen = [await next_of_type(screen, "vitals") for _ in heart_rates]
            assert [vitals["values"]["heart_rate"] for vitals in seen] == heart_rates
            await screen.close()
        await control.close()
