"""A restart that loses nothing: on SIGTERM a daphne process drains, then exits.

Twisted's own SIGTERM handler stops the reactor at once, and daphne then cancels every
application (Server.kill_all_applications): a change being stored could be cut off, and every
page would see its socket drop (1006) and wait out its backoff. Here, once the reactor runs,
SIGTERM is taken over on its asyncio loop (the one daphne's reactor runs on) and the process:

1. stops listening, so the load balancer or nginx sends new connections to another process,
   and /readyz answers 503 (shiller/health.py) for the connections it keeps open;
2. closes each of its websockets with 1012 Service Restart (the IANA WebSocket Close Code
   Number Registry, https://www.iana.org/assignments/websocket/websocket.xhtml, under RFC 6455
   section 7.4.2's registered range): the pages reconnect at once with a little jitter
   (live-socket.js), to another process, and resync from the snapshot;
3. waits until its sockets have left the hub (each after the action it was running has been
   stored and published) and no HTTP request is in flight, at most SHUTDOWN_DRAIN_SECONDS;
4. stops the reactor, as Twisted's handler would have: daphne cancels what is left and exits.

SIGINT (Ctrl-C in `make run`) keeps Twisted's immediate stop. Written against daphne 4.2 and
Twisted 26 (requirements.txt): it relies on daphne running Twisted's asyncio reactor and on
public Twisted API (callWhenRunning, getReaders, IListeningPort, stop); the 1012 frame itself
is written by live/wire.py.
"""

import asyncio
import logging
import signal

from django.conf import settings

logger = logging.getLogger(__name__)

# How often the drain looks whether everything has left, and closes late comers.
POLL_SECONDS = 0.05


class State:
    draining = False
    # HTTP requests being answered (shiller/logs.AccessLogMiddleware counts them).
    requests_in_flight = 0


state = State()


def install() -> None:
    """Take SIGTERM over once daphne's reactor runs (nothing happens under another server)."""
    from twisted.internet import reactor

    reactor.callWhenRunning(_take_sigterm)


def _take_sigterm() -> None:
    # After Twisted installed its handlers (during startup): this one replaces its SIGTERM's.
    loop = asyncio.get_event_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(drain_and_stop()))


async def drain_and_stop() -> None:
    if state.draining:
        return  # A second SIGTERM: the first drain is under way.
    from twisted.internet import reactor

    try:
        stop_listening(reactor)
        await drain(settings.SHUTDOWN_DRAIN_SECONDS)
    finally:
        reactor.stop()


def stop_listening(reactor) -> None:
    from twisted.internet.interfaces import IListeningPort

    state.draining = True
    for reader in reactor.getReaders():
        if IListeningPort.providedBy(reader):
            reader.stopListening()


async def drain(seconds: float) -> bool:
    """Close every socket of the process with 1012 and wait until they and the HTTP requests
    are gone; False if `seconds` ran out first."""
    from live.fanout import get_hub

    state.draining = True
    hub = get_hub()
    closing: set = set()
    started = asyncio.get_running_loop().time()
    logger.info(
        "Draining: closing %s sockets", sum(len(sockets) for sockets in hub.subscribers.values())
    )
    while True:
        sockets = {socket for group in hub.subscribers.values() for socket in group}
        # A socket that joined after the first pass (its connect was under way) is closed too.
        for socket in sockets - closing:
            closing.add(socket)
            hub.close_for_restart(socket)
        if not sockets and not state.requests_in_flight:
            logger.info("Drained in %.2f s", asyncio.get_running_loop().time() - started)
            return True
        if asyncio.get_running_loop().time() - started >= seconds:
            logger.warning(
                "Drain time over: %s sockets and %s requests left",
                len(sockets),
                state.requests_in_flight,
            )
            return False
        await asyncio.sleep(POLL_SECONDS)
