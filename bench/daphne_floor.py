"""The connect floor under daphne: an ASGI app that accepts any socket and sends it a constant
snapshot, nothing else (no Django, no database, no channel layer). What is left of a connect
is daphne's own handshake (Twisted, autobahn) and one message. Run by bench/sessions.py."""

import json

from live import wire
from shiller import collector

SNAPSHOT = json.dumps({"type": "snapshot", "values": {}})


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": SNAPSHOT})
        elif message["type"] == "websocket.disconnect":
            return


# Below the application, the floor's daphne is tuned as Shiller's is (shiller/asgi.py).
wire.install()
collector.tune()
