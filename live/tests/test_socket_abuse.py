"""What a hostile or broken socket cannot do: crash its consumer, stay counted once gone, stop
the hub for other sessions, flood the database, or open sockets without end."""

import asyncio
import json

import pytest
import redis
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from live import consumers, fanout, viewers
from live.groups import screens_group
from live.tests.ws import (
    control,
    disconnect_all,
    receive,
    receive_type,
    refusal,
    screen,
    send,
    session_cookie,
    viewers_reach,
)
from sessions_app import services
from sessions_app.models import Session, SessionEvent
from sessions_app.tests.servers import daphne
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db(transaction=True)

NESTED = "[" * 1000 + "]" * 1000
CHANGE = {**vitals.DEFAULT_VALUES, "heart_rate": 130}


async def open_screen(code="ABC234"):
    s = screen(code)
    assert (await s.connect())[0]
    assert (await receive(s))["type"] == "snapshot"
    return s


async def test_deeply_nested_json_leaves_a_screen_connected_and_counted_once(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    s = await open_screen()
    await viewers_reach(trainer, 1)
    for _ in range(5):
        await s.send_to(text_data=NESTED)
    await send(s, {"type": "ping"})
    assert (await receive(s))["type"] == "pong"
    await s.disconnect()
    await viewers_reach(trainer, 0)
    await trainer.disconnect()


async def test_the_control_page_is_told_its_message_was_malformed(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await receive_type(trainer, "viewers")
    await trainer.send_to(text_data=NESTED)
    assert await receive(trainer) == {
        "type": "error",
        "request_id": None,
        "errors": {"message": "Malformed JSON."},
    }
    await trainer.send_to(text_data=json.dumps({"type": "ping", "padding": "x" * 10_000}))
    error = await receive(trainer)
    assert error["errors"] == {
        "message": "A message must be a JSON object of at most 8192 characters."
    }
    await send(trainer, {"type": "set_vitals", "values": CHANGE, "request_id": 1})
    assert (await receive_type(trainer, "ack"))["request_id"] == 1
    await trainer.disconnect()


async def test_a_long_message_from_a_screen_is_ignored_unparsed(alice, monkeypatch):
    await sync_to_async(make_session)(alice)
    s = await open_screen()
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(
        consumers.json, "loads", lambda text: parsed.append(text) or real_loads(text)
    )
    await s.send_to(text_data=json.dumps({"type": "ping", "padding": "x" * 2000}))
    assert await s.receive_nothing(timeout=0.2)
    assert parsed == []
    await s.disconnect()


async def test_a_screen_whose_consumer_dies_is_no_longer_counted(alice, monkeypatch):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    s = await open_screen()
    await viewers_reach(trainer, 1)

    async def crash(self, message):
        raise RuntimeError("a bug outside receive()")

    monkeypatch.setattr(consumers.MonitorConsumer, "websocket_receive", crash)
    await s.send_to(text_data="{}")
    with pytest.raises(RuntimeError):
        await s.wait(timeout=3)
    await viewers_reach(trainer, 0)
    assert fanout.get_hub().screen_count(str(session.pk)) == 0
    await trainer.disconnect()


class FailingSocket:
    """A socket whose writes raise, as a consumer with a bug would."""

    def __init__(self):
        self.closed_with = None

    async def deliver(self, event):
        raise RuntimeError("broken socket")

    async def close(self, code=None):
        self.closed_with = code


class StuckSocket(FailingSocket):
    """A socket whose writes never complete, as a frozen client behind a full buffer."""

    async def deliver(self, event):
        await asyncio.Event().wait()


async def test_a_failing_socket_is_dropped_and_the_hub_serves_every_session(alice):
    first = await sync_to_async(make_session)(alice)
    second = await sync_to_async(make_session)(alice, code="OTH234")
    hub = fanout.get_hub()
    broken = FailingSocket()
    await hub.subscribe(screens_group(first.pk), broken)
    watcher, other = await open_screen(), await open_screen("OTH234")
    await sync_to_async(services.apply_vitals)(first.pk, CHANGE)
    assert (await receive(watcher))["values"] == CHANGE
    await sync_to_async(services.apply_vitals)(second.pk, CHANGE)
    assert (await receive(other))["values"] == CHANGE
    assert broken not in hub.subscribers[screens_group(first.pk)]
    await asyncio.sleep(0.05)
    assert broken.closed_with == fanout.CLOSE_RESYNC
    await disconnect_all(watcher, other)


async def test_a_stuck_socket_is_dropped_and_closed_so_its_page_resyncs(alice, monkeypatch):
    monkeypatch.setattr(fanout, "SEND_TIMEOUT", 0.2)
    session = await sync_to_async(make_session)(alice)
    hub = fanout.get_hub()
    stuck = StuckSocket()
    await hub.subscribe(screens_group(session.pk), stuck)
    s = await open_screen()
    for heart_rate in (61, 62):
        await sync_to_async(services.apply_vitals)(session.pk, {**CHANGE, "heart_rate": heart_rate})
    assert (await receive(s))["values"]["heart_rate"] == 61
    assert (await receive(s))["values"]["heart_rate"] == 62
    assert stuck not in hub.subscribers[screens_group(session.pk)]
    assert stuck.closed_with == fanout.CLOSE_RESYNC == 4408
    await s.disconnect()


async def test_the_hub_loop_comes_back_if_it_ever_ends(alice, monkeypatch):
    monkeypatch.setattr(fanout, "RETRY_SECONDS", 0.01)
    real_read = fanout.Hub._read
    calls = []

    async def read_that_dies_once(self):
        calls.append(self.channel_name)
        if len(calls) == 1:
            raise RuntimeError("the read loop died")
        await real_read(self)

    monkeypatch.setattr(fanout.Hub, "_read", read_that_dies_once)
    session = await sync_to_async(make_session)(alice)
    s = await open_screen()
    await asyncio.sleep(0.1)
    await sync_to_async(services.apply_vitals)(session.pk, CHANGE)
    assert (await receive(s))["values"] == CHANGE
    assert len(calls) == 2
    await s.disconnect()


async def test_a_slow_cache_does_not_hold_up_the_screens(alice, monkeypatch):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await receive_type(trainer, "viewers")
    asked, never = asyncio.Event(), asyncio.Event()

    async def hanging_count(session_id):
        asked.set()
        await never.wait()

    monkeypatch.setattr(viewers, "connected", hanging_count)
    # Each new screen makes the hub tell the control page to read the count again.
    watcher, late = await open_screen(), await open_screen()
    await asyncio.wait_for(asked.wait(), timeout=3)
    await sync_to_async(services.apply_vitals)(session.pk, CHANGE)
    assert (await receive(watcher))["values"] == CHANGE
    assert (await receive(late))["values"] == CHANGE
    # The control page is not dropped for it: it gets the change too.
    assert (await receive_type(trainer, "vitals"))["values"] == CHANGE
    await disconnect_all(watcher, late, trainer)


async def test_a_classroom_pressing_nibp_and_silence_costs_one_query_each(alice, monkeypatch):
    session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    calls = {"start_nibp": 0, "silence_alarms": 0}
    for name in calls:
        real = getattr(services, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, counted)
    screens = [await open_screen() for _ in range(50)]
    for _ in range(5):
        for s in screens:
            await send(s, {"type": "start_nibp"})
            await send(s, {"type": "silence_alarms"})
    for s in screens:
        assert (await receive_type(s, "nibp_started"))["type"] == "nibp_started"
        assert (await receive_type(s, "alarms_silenced"))["type"] == "alarms_silenced"
    for s in screens:
        assert await s.receive_nothing(timeout=0.01)
    # Meanwhile the trainer's changes go through at once.
    trainer = await control(session, alice)
    await trainer.connect()
    await send(trainer, {"type": "set_vitals", "values": CHANGE, "request_id": 1})
    assert (await receive_type(trainer, "ack"))["request_id"] == 1
    assert calls == {"start_nibp": 1, "silence_alarms": 1}
    kinds = await sync_to_async(lambda: sorted(SessionEvent.objects.values_list("kind", flat=True)))()
    assert kinds == ["alarms_silenced", "nibp_started", "vitals"]
    await disconnect_all(*screens, trainer)


async def test_a_screen_that_floods_is_answered_only_up_to_its_burst(alice):
    await sync_to_async(make_session)(alice)
    s = await open_screen()
    for _ in range(consumers.SCREEN_BURST + consumers.SCREEN_FLOOD_CLOSE - 1):
        await send(s, {"type": "ping"})
    pongs = 0
    while not await s.receive_nothing(timeout=0.1):
        pongs += (await receive(s))["type"] == "pong"
    assert consumers.SCREEN_BURST <= pongs <= consumers.SCREEN_BURST + 1
    await s.disconnect()


async def test_sockets_from_one_address_are_capped(alice, settings):
    settings.MAX_SOCKETS_PER_ADDRESS = 3
    session = await sync_to_async(make_session)(alice)
    first, second = await open_screen(), await open_screen()
    trainer = await control(session, alice)
    assert (await trainer.connect())[0]
    assert await refusal(screen("ABC234")) == consumers.CLOSE_FULL == 4503
    assert await refusal(await control(session, alice)) == 4503
    await first.disconnect()
    third = await open_screen()
    await disconnect_all(second, third, trainer)


async def test_screens_of_one_session_are_capped_and_control_pages_apart(alice, settings):
    settings.MAX_SOCKETS_PER_SESSION = 2
    session = await sync_to_async(make_session)(alice)
    await sync_to_async(make_session)(alice, code="OTH234")
    screens = [await open_screen(), await open_screen()]
    assert await refusal(screen("ABC234")) == 4503
    other = await open_screen("OTH234")
    trainer = await control(session, alice)
    assert (await trainer.connect())[0]
    await viewers_reach(trainer, 2)
    await disconnect_all(*screens, other, trainer)


# On a real daphne: the failures above were daphne's (a consumer's exception closes the socket
# with 1011 and skips disconnect(); one Redis connection per socket).

needs_the_real_stack = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.REDIS_URL,
    reason="needs PostgreSQL and Redis (make test provides both)",
)


SCREENS = 90  # and a control page: within MAX_SOCKETS_PER_ADDRESS from 127.0.0.1


@needs_the_real_stack
async def test_on_daphne_hostile_screens_leave_no_ghosts_and_share_redis_connections(alice):
    session = await sync_to_async(make_session)(alice)
    cookie = (await sync_to_async(session_cookie)(alice)).decode()
    probe = redis.Redis.from_url(settings.REDIS_URL)
    with daphne() as server:
        origin = f"http://{server}"
        async with websockets.connect(
            f"ws://{server}/ws/control/{session.pk}/",
            origin=origin,
            additional_headers={"Cookie": cookie},
        ) as trainer:
            before = len(await sync_to_async(probe.client_list)())
            screens = [
                await websockets.connect(f"ws://{server}/ws/monitor/{session.code}/", origin=origin)
                for _ in range(SCREENS)
            ]
            for s in screens:
                assert json.loads(await s.recv())["type"] == "snapshot"
                await s.send(NESTED)
                await s.send(json.dumps({"type": "ping", "padding": "x" * 10_000}))
            await viewer_count_reaches(trainer, SCREENS)
            opened = len(await sync_to_async(probe.client_list)()) - before
            assert opened < 10, f"{opened} Redis connections for {SCREENS} screens"
            # A frame over daphne's own cap drops its socket, which then counts no more.
            huge = screens.pop()
            await huge.send(json.dumps({"type": "ping", "padding": "x" * 100_000}))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(huge.recv(), 5)
            await viewer_count_reaches(trainer, SCREENS - 1)
            for s in screens:
                await s.send(json.dumps({"type": "ping"}))
                assert json.loads(await s.recv())["type"] == "pong"  # still served
                await s.close()
            await viewer_count_reaches(trainer, 0)
            await trainer.send(NESTED)
            reply = json.loads(await asyncio.wait_for(trainer.recv(), 5))
            assert reply["errors"] == {"message": "Malformed JSON."}


async def viewer_count_reaches(trainer, count: int) -> None:
    while True:
        message = json.loads(await asyncio.wait_for(trainer.recv(), 10))
        if message["type"] == "viewers" and message["count"] == count:
            return


@needs_the_real_stack
async def test_on_daphne_a_thousand_sockets_from_one_address_are_not_all_accepted(alice):
    await sync_to_async(make_session)(alice)
    with daphne(env={"MAX_SOCKETS_PER_ADDRESS": "20"}) as server:
        origin = f"http://{server}"
        opened, refused = [], 0
        for _ in range(25):
            s = await websockets.connect(f"ws://{server}/ws/monitor/ABC234/", origin=origin)
            try:
                json.loads(await s.recv())
                opened.append(s)
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd.code == 4503
                refused += 1
        assert (len(opened), refused) == (20, 5)
        for s in opened:
            await s.close()


async def test_a_screen_that_keeps_flooding_is_closed(alice):
    await sync_to_async(make_session)(alice)
    s = await open_screen()
    for _ in range(consumers.SCREEN_BURST + consumers.SCREEN_FLOOD_CLOSE + 5):
        await send(s, {"type": "ping"})
    pongs = 0
    while (output := await s.receive_output(timeout=3))["type"] == "websocket.send":
        pongs += 1
    assert output == {"type": "websocket.close", "code": 1008}
    assert pongs <= consumers.SCREEN_BURST + 1


@pytest.mark.parametrize("code", ["%00", "ABC\x00", "ÀBC234", "ABC2345"])
async def test_a_code_we_could_not_have_drawn_is_refused_without_a_query(alice, code, monkeypatch):
    await sync_to_async(make_session)(alice)
    lookups = []
    real_filter = Session.objects.filter
    monkeypatch.setattr(
        Session.objects, "filter", lambda **kwargs: lookups.append(kwargs) or real_filter(**kwargs)
    )
    assert await refusal(screen(code)) == 4404
    assert lookups == []
    assert await refusal(screen("ZZZ999")) == 4404  # a code we could have drawn is looked up
    assert lookups == [{"code": "ZZZ999"}]
