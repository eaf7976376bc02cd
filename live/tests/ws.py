"""Websocket test helpers: screens and control pages as a browser would open them."""

import asyncio
import json

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from shiller.asgi import application

# A page of the site opens its sockets: the Origin is the socket's own (ws://localhost).
HOST = (b"host", b"localhost")
ORIGIN = (b"origin", b"http://localhost")
TIMEOUT = 3


def screen(code: str, origin=ORIGIN) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/monitor/{code}/", headers=[HOST, origin])


async def control(session, trainer=None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [HOST, origin]
    if trainer is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(trainer)))
    return WebsocketCommunicator(application, f"/ws/control/{session.pk}/", headers=headers)


def session_cookie(trainer) -> bytes:
    client = Client()
    client.force_login(trainer)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def refusal(communicator: WebsocketCommunicator) -> int:
    """The close code a refused socket gets (it is accepted, then closed, so browsers see it)."""
    connected, code = await communicator.connect()
    if not connected:
        return code
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def receive(communicator: WebsocketCommunicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=TIMEOUT))


async def receive_type(communicator: WebsocketCommunicator, message_type: str) -> dict:
    """The next message of `message_type`, skipping others (e.g. viewer counts)."""
    while True:
        message = await receive(communicator)
        if message["type"] == message_type:
            return message


async def viewers_reach(communicator: WebsocketCommunicator, count: int) -> dict:
    while True:
        message = await receive_type(communicator, "viewers")
        if message["count"] == count:
            return message


async def send(communicator: WebsocketCommunicator, message: dict) -> None:
    await communicator.send_to(text_data=json.dumps(message))


async def disconnect_all(*communicators: WebsocketCommunicator) -> None:
    await asyncio.gather(*(c.disconnect() for c in communicators))
