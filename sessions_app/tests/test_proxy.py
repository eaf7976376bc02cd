"""The production shape: deploy/nginx.conf in front of daphne with DEBUG=false, over HTTPS.

Clients connect from different loopback addresses (127.0.1.2, 127.0.1.3...), so nginx sees two
clients and daphne sees only nginx: what the throttles count must be the client behind it.
"""

import asyncio
import http.client
import json
import secrets
import ssl
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from sessions_app.tests.servers import daphne, nginx
from shiller.tests.factory import make_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and Redis (make test provides both)",
    ),
]

FIRST = "127.0.0.2"
# The test's own certificate: the point is the proxy, not the chain of trust.
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


@pytest.fixture
def proxy():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
    }
    with daphne(env=production) as upstream, nginx(upstream) as port:
        yield port


def get(port: int, path: str, source: str, headers=None) -> int:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, source_address=(source, 0), context=UNVERIFIED, timeout=10
    )
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def clients(attempt: int) -> tuple[str, str]:
    return f"127.0.{attempt + 1}.2", f"127.0.{attempt + 1}.3"


def within_one_minute(check) -> None:
    """Run `check(first, second)` with two fresh client addresses until it fails, if it does,
    within one minute: daphne counts failures in fixed minutes of the same clock (this runs a
    real server, whose clock cannot be frozen), and a minute turning over mid-check restarts
    its counts."""
    for attempt in range(3):
        minute = time.time() // 60
        try:
            return check(*clients(attempt))
        except AssertionError:
            if time.time() // 60 == minute:
                raise
    raise AssertionError("a minute turned over during each of three tries")


async def within_one_minute_async(check) -> None:
    for attempt in range(3):
        minute = time.time() // 60
        try:
            return await check(*clients(attempt))
        except AssertionError:
            if time.time() // 60 == minute:
                raise
    raise AssertionError("a minute turned over during each of three tries")


def test_clients_behind_the_proxy_are_throttled_apart(alice, proxy):
    make_session(alice, code="ABC234")

    def check(first, second):
        for _ in range(10):
            assert get(proxy, "/monitor/ZZZ999/", first) == 404
        assert get(proxy, "/monitor/ZZZ999/", first) == 429
        # Choosing another address in X-Forwarded-For buys nothing: nginx appends the real one.
        assert get(proxy, "/monitor/ZZZ999/", first, {"X-Forwarded-For": "203.0.113.9"}) == 429
        assert get(proxy, "/monitor/ABC234/", first) == 200  # a right code still gets in
        assert get(proxy, "/monitor/ZZZ999/", second) == 404  # the classmate is not held back

    within_one_minute(check)


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxy):
    connection = http.client.HTTPSConnection("127.0.0.1", proxy, context=UNVERIFIED, timeout=10)
    connection.putrequest("POST", "/join/")
    connection.putheader("Content-Length", str(2 * 1024 * 1024))
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


async def close_code(port: int, code: str, source: str, origin: str | None = None) -> int | str:
    """What a screen opening `code` through the proxy gets: its close code, or "snapshot"."""
    async with websockets.connect(
        f"wss://127.0.0.1:{port}/ws/monitor/{code}/",
        origin=origin or f"https://127.0.0.1:{port}",
        ssl=UNVERIFIED,
        local_addr=(source, 0),
    ) as socket:
        try:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code
        return message["type"]


async def test_screens_behind_the_proxy_are_throttled_apart(alice, proxy):
    await sync_to_async(make_session)(alice, code="ABC234")

    async def check(first, second):
        for _ in range(10):
            assert await close_code(proxy, "ZZZ999", first) == 4404
        assert await close_code(proxy, "ZZZ999", first) == 4429
        assert await close_code(proxy, "ABC234", first) == "snapshot"
        assert await close_code(proxy, "ZZZ999", second) == 4404

    await within_one_minute_async(check)


async def test_the_proxy_keeps_the_origin_check_exact(alice, proxy):
    await sync_to_async(make_session)(alice, code="ABC234")
    # Behind TLS the socket's own origin is https, as the browser's page is.
    assert await close_code(proxy, "ABC234", FIRST) == "snapshot"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await close_code(proxy, "ABC234", FIRST, origin=f"http://127.0.0.1:{proxy}")
    assert refused.value.response.status_code == 403
