"""Under daphne, the hub's broadcasts are framed once per change and written to each socket.

Through ASGI, every message to every socket goes through channels' session middleware (which
reads the lazy session on each message), daphne's Server.handle_reply and its protocol's
handle_reply to autobahn's sendMessage, which frames it anew; Twisted then queues the frame,
registers the socket with the event loop for writing, writes it on the loop's next turn and
unregisters the socket. For the hub, the same text to up to thousands of sockets, that was most
of the server's CPU per delivered message (docs/performance.md). So:

- `WireMiddleware`, outermost on the websocket route (shiller/asgi.py), keeps in the scope the
  daphne protocol behind the connection's `send`, when there is one;
- `send(protocol, text)` writes the text's frame, built once per text (autobahn's
  PreparedMessage), to that protocol's socket: at once when nothing is queued before it, else
  behind what is, through Twisted's own buffer.

Everything else (accept, close, the snapshot, replies, the control pages' messages) still goes
through ASGI, and so does a broadcast to a socket that is not open, that negotiated compression
or whose autobahn queue holds frames: `send` returns False and the caller sends through ASGI,
which raises as it always did. Under another ASGI server, or the tests' WebsocketCommunicator,
there is no protocol in the scope and every message goes through ASGI.

`close(protocol, code)` closes a socket with a code autobahn keeps from applications (1012
Service Restart, live/restart.py).

Written against daphne 4.2, autobahn 26 and Twisted 26 (requirements.txt pins them): it reads
daphne's `send` (a partial of Server.handle_reply on the protocol), Twisted's write buffer
(FileDescriptor.dataBuffer, offset, _tempDataLen) and calls autobahn's sendCloseFrame, which
are not public API (live/tests/test_restart.py runs them under real daphnes).
"""

import functools

from autobahn.websocket import protocol as autobahn_protocol
from autobahn.websocket.protocol import PreparedMessage
from daphne.server import Server

# Where WireMiddleware leaves the protocol; the key is ours (ASGI servers name theirs).
SCOPE_KEY = "shiller.daphne_protocol"
# Texts whose frames are kept: the changes of the sessions a hub is delivering at once.
FRAMES_KEPT = 32


def install() -> None:
    """On every connect, autobahn pretty-prints its protocol's whole configuration for a debug
    line, whether or not debug is logged (WebSocketProtocol._connectionMade): a fifth of the
    server's CPU in a storm of 1,000 connects (py-spy, docs/performance.md). repr writes the same
    facts on one line, in C."""
    autobahn_protocol.pformat = repr


class WireMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            isinstance(send, functools.partial)
            and getattr(send.func, "__func__", None) is Server.handle_reply
            and len(send.args) == 1
        ):
            scope = {**scope, SCOPE_KEY: send.args[0]}
        return await self.app(scope, receive, send)


@functools.lru_cache(maxsize=FRAMES_KEPT)
def frame(text: str) -> bytes:
    """The text as one unmasked websocket frame, as autobahn frames it for a server."""
    return PreparedMessage(
        text.encode("utf8"), isBinary=False, applyMask=False, doNotCompress=True
    ).payloadHybi


def send(protocol, text: str) -> bool:
    """Write `text` to the protocol's socket; False, having written nothing, when it must go
    through ASGI instead."""
    if (
        protocol.state != protocol.STATE_OPEN
        or protocol._perMessageCompress is not None
        or protocol.send_queue
    ):
        return False
    data = frame(text)
    transport = protocol.transport
    if (
        getattr(transport, "TLS", True)
        or transport.disconnecting
        or transport._tempDataLen
        or len(transport.dataBuffer) > transport.offset
    ):
        transport.write(data)  # Behind what is queued (or through TLS).
        return True
    sent = transport.writeSomeData(data)
    if isinstance(sent, int) and sent == len(data):
        return True
    # The rest waits for the socket to drain; a lost connection is found and handled by
    # Twisted when it tries again (writeSomeData returns it rather than raising).
    transport.write(data[sent:] if isinstance(sent, int) else data)
    return True


def close(protocol, code: int) -> None:
    """Close the socket with `code`, one of the registered codes autobahn's sendClose refuses
    to an application (it allows 1000 and 3000-4999 only): 1012 Service Restart
    (live/restart.py). Written as sendClose writes its frame, through sendCloseFrame."""
    if protocol.state == protocol.STATE_OPEN:
        protocol.sendCloseFrame(code=code, isReply=False)
