"""Screens connecting together share their snapshot, and none of them is sent an old one."""

import asyncio
import datetime

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from live import connects
from live.tests.ws import disconnect_all, receive, receive_type, refusal, screen
from sessions_app import services
from shiller.tests.factory import make_session
from simulator import protocol, vitals

pytestmark = pytest.mark.django_db(transaction=True)

TACHYCARDIA = {**vitals.DEFAULT_VALUES, "heart_rate": 150}


async def connected_screen(code: str = "ABC234"):
    s = screen(code)
    connected, _ = await s.connect()
    assert connected
    return s, await receive(s)


async def test_screens_connecting_at_once_share_their_snapshot(alice, monkeypatch):
    await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    reads = []
    monitor_state = services.monitor_state
    monkeypatch.setattr(
        services, "monitor_state", lambda *args: reads.append(args) or monitor_state(*args)
    )
    screens = [screen("ABC234") for _ in range(20)]
    await asyncio.gather(*(s.connect() for s in screens[:10]))
    # One read for the first screen; one for those that asked while it ran, after them.
    assert len(reads) <= 2
    await asyncio.gather(*(s.connect() for s in screens[10:]))
    snapshots = [await receive(s) for s in screens]

    assert len(reads) <= 2
    assert [s["type"] for s in snapshots] == ["snapshot"] * 20
    assert all(s["values"] == vitals.DEFAULT_VALUES for s in snapshots)
    await disconnect_all(*screens)


async def test_a_screen_that_connects_after_a_change_gets_it_in_its_snapshot(alice):
    session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    first, _ = await connected_screen()
    await sync_to_async(services.apply_vitals)(session.pk, TACHYCARDIA)
    # The first screen has been sent the change: the snapshot it got is no longer the session's.
    assert (await receive_type(first, "vitals"))["values"]["heart_rate"] == 150

    second, snapshot = await connected_screen()

    assert snapshot["values"]["heart_rate"] == 150
    await disconnect_all(first, second)


async def test_a_screen_that_connects_after_a_change_nobody_heard_of_gets_it(alice, monkeypatch):
    session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    first, _ = await connected_screen()

    async def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(get_channel_layer(), "group_send", unreachable)
    change = await sync_to_async(services.apply_vitals)(session.pk, TACHYCARDIA)
    assert change.broadcast is False

    second, snapshot = await connected_screen()

    assert snapshot["values"]["heart_rate"] == 150
    await disconnect_all(first, second)


async def test_a_screen_that_connects_after_a_trend_ended_is_not_sent_it(alice):
    now = timezone.now()
    with time_machine.travel(now) as traveller:
        session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
        await sync_to_async(services.apply_vitals)(session.pk, TACHYCARDIA, transition_seconds=30)
        first, during = await connected_screen()
        traveller.move_to(now + datetime.timedelta(seconds=31))

        second, after = await connected_screen()

    assert during["trend"]["seconds"] == 30
    assert after["trend"] is None
    assert after["now"] > during["now"]
    await disconnect_all(first, second)


async def test_a_screen_is_sent_the_time_it_connects_at(alice):
    await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    first, earlier = await connected_screen()
    before = timezone.now().isoformat()

    second, snapshot = await connected_screen()

    # Its clock is set from it (clock.js): the time of the first screen's read would be wrong.
    assert snapshot["now"] >= before > earlier["now"]
    assert {**snapshot, "now": None} == {**earlier, "now": None}
    await disconnect_all(first, second)


async def test_a_screen_whose_session_is_closed_while_it_connects_is_told_it_ended(
    alice, monkeypatch
):
    session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    join = connects.join

    async def join_then_close(code, address):
        found = await join(code, address)
        await sync_to_async(services.close_session)(session)
        return found

    monkeypatch.setattr(connects, "join", join_then_close)

    assert await refusal(screen("ABC234")) == protocol.CLOSE["ended"]
