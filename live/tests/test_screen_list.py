"""The control page lists the connected screens: what each is, since when, when last heard."""

import datetime
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from live.tests.ws import HOST, ORIGIN, control, disconnect_all, receive, send, viewers_reach
from shiller.asgi import application
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db(transaction=True)

IPAD = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"
TV = "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 Chrome/76.0 TV Safari/537.36"


def named_screen(code: str, user_agent: str, query: str = "") -> WebsocketCommunicator:
    headers = [HOST, ORIGIN, (b"user-agent", user_agent.encode())]
    return WebsocketCommunicator(application, f"/ws/monitor/{code}/{query}", headers=headers)


def items(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li.*?</li>", html)]


async def test_each_screen_is_listed_with_its_name_device_and_times(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await viewers_reach(trainer, 0)
    tablet = named_screen("ABC234", IPAD, "?screen=Bed%203")
    await tablet.connect()
    await receive(tablet)
    await viewers_reach(trainer, 1)
    tv = named_screen("ABC234", TV)
    await tv.connect()
    await receive(tv)

    listed = items((await viewers_reach(trainer, 2))["html"]["screens"])

    # Oldest first; the typed name leads, the device tells the rest.
    times = r" since \d\d:\d\d · last seen \d\d:\d\d:\d\d$"
    assert len(listed) == 2
    assert re.match(r"Bed 3 \(iPad · Safari\)" + times, listed[0])
    assert re.match(r"TV · Samsung Internet" + times, listed[1])
    await disconnect_all(tablet, tv, trainer)


async def test_a_screen_name_cannot_inject_markup_or_run_long(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await viewers_reach(trainer, 0)
    hostile = named_screen("ABC234", IPAD, "?screen=%3Cscript%3Ealert(1)%3C/script%3E" + "x" * 100)
    await hostile.connect()
    await receive(hostile)

    html = (await viewers_reach(trainer, 1))["html"]["screens"]

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" + "x" * 15 + " (iPad" in html  # 40 characters
    await disconnect_all(hostile, trainer)


async def test_last_seen_moves_when_the_screen_is_heard(alice, monkeypatch):
    session = await sync_to_async(make_session)(alice)
    tablet = named_screen("ABC234", IPAD)
    await tablet.connect()
    await receive(tablet)
    later = timezone.now() + datetime.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    await send(tablet, {"type": "ping"})
    await receive(tablet)
    trainer = await control(session, alice)
    await trainer.connect()

    listed = items((await viewers_reach(trainer, 1))["html"]["screens"])

    assert f"last seen {timezone.localtime(later):%H:%M:%S}" in listed[0]
    await disconnect_all(tablet, trainer)
