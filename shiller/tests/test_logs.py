"""Structured logs: one JSON line per request and per socket, never a join code or a name."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator

from live.tests.ws import HOST, ORIGIN, TIMEOUT, control
from shiller.asgi import application
from shiller.logs import JsonFormatter
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEE = "Alice Martin"


@pytest.fixture
def logged():
    """Every line logged meanwhile, as LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def read(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_request_is_one_line_with_its_method_path_status_and_duration(logged):
    stream = logged
    r = await _get("/join/", b"")
    assert r["status"] == 200
    (line,) = [line for line in read(stream) if line.get("event") == "request"]
    assert line["method"] == "GET"
    assert line["path"] == "/join/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["process"] == os.getpid()
    assert line["level"] == "INFO" and line["logger"] == "shiller.access"


async def test_a_monitor_page_is_logged_without_its_code_or_the_screen_name(alice, logged):
    stream = logged
    session = await make_session_async(alice)
    path = f"/monitor/{session.code}/"
    query = f"screen={TRAINEE.replace(' ', '+')}&code={session.code}".encode()
    r = await _get(path, query)
    assert r["status"] == 200
    (line,) = [line for line in read(stream) if line.get("event") == "request"]
    assert line["path"] == "/monitor/-/"
    text = stream.getvalue()
    assert session.code not in text
    assert "Alice" not in text


async def _get(path: str, query: bytes) -> dict:
    communicator = HttpCommunicator(application, "GET", path, headers=[HOST])
    communicator.scope["query_string"] = query
    r = await communicator.get_response()
    await communicator.wait()  # The line is written once the application has returned.
    return r


async def make_session_async(trainer):
    return await sync_to_async(make_session)(trainer)


async def test_a_screen_s_socket_is_a_line_when_it_opens_and_one_when_it_closes(alice, logged):
    stream = logged
    session = await make_session_async(alice)
    screen = WebsocketCommunicator(
        application,
        f"/ws/monitor/{session.code}/?screen={TRAINEE.replace(' ', '+')}",
        headers=[HOST, ORIGIN],
    )
    connected, _ = await screen.connect()
    assert connected
    snapshot = await screen.receive_json_from(timeout=TIMEOUT)
    assert snapshot["type"] == "snapshot"
    await screen.disconnect(code=1001)

    sockets = [line for line in read(stream) if line.get("logger") == "shiller.sockets"]
    assert [line["event"] for line in sockets] == ["socket_open", "socket_close"]
    opened, closed = sockets
    assert opened["kind"] == closed["kind"] == "monitor"
    assert opened["session"] == closed["session"] == str(session.pk)
    assert closed["close_code"] == 1001
    assert isinstance(closed["duration_ms"], int)
    text = stream.getvalue()
    assert session.code not in text
    assert "Alice" not in text


async def test_a_control_socket_closed_by_the_server_logs_the_code_it_sent(alice, logged):
    stream = logged
    session = await make_session_async(alice)
    page = await control(session, alice)
    connected, _ = await page.connect()
    assert connected
    await page.receive_json_from(timeout=TIMEOUT)  # the viewer count
    await page.send_json_to({"type": "close_session"})
    while (output := await page.receive_output(timeout=TIMEOUT))["type"] != "websocket.close":
        pass
    await page.wait(timeout=TIMEOUT)

    (closed,) = [line for line in read(stream) if line.get("event") == "socket_close"]
    assert closed["kind"] == "control"
    assert closed["close_code"] == output.get("code", 1000)


@pytest.mark.parametrize(
    ("debug", "log_format"), [("false", "json"), ("true", "text")]
)
def test_logs_are_json_in_production_and_text_for_make_run(debug, log_format):
    env = {
        **os.environ,
        "DEBUG": debug,
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "shiller.settings",
    }
    env.pop("LOG_FORMAT", None)
    probe = "from django.conf import settings; print(settings.LOG_FORMAT)"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert output.stdout.strip() == log_format
