"""The floor: the least a Python websocket server can do to fan a message out.

Accepts any path, keeps the open sockets in a set and relays every message it receives, as it
is, to every other socket. No database, no channel layer, no JSON: what is left is the cost of
websocket frames and the event loop on this machine. Run by bench/fanout.py in its own process.
"""

import argparse
import asyncio
import resource
import signal

from websockets.asyncio.server import ServerConnection, broadcast, serve

sockets: set[ServerConnection] = set()


async def relay(websocket: ServerConnection) -> None:
    sockets.add(websocket)
    try:
        async for message in websocket:
            broadcast(sockets - {websocket}, message)
    finally:
        sockets.discard(websocket)


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    # compression=None: daphne does not negotiate permessage-deflate either.
    async with serve(relay, "127.0.0.1", port, compression=None):
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(parser.parse_args().port))
