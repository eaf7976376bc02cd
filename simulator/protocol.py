"""The protocol's constants that the server and the pages share (docs/protocol.md).

The pages get `for_pages()` as one JSON blob (`{% protocol_json %}`, element id "protocol"); the
browser's rule modules keep their own copies of the field lists, held to these by
contract/protocol.json (`constants()`), which pytest and the node tests both assert.
"""

from simulator import vitals

# Websocket close codes: a page reads each as what to do next.
CLOSE = {
    "forbidden": 4403,  # not this trainer's session, or signed out: stop
    "unknown_code": 4404,  # no session has this code: stop
    "resync": 4408,  # the server dropped this socket's messages: reconnect and take a snapshot
    "ended": 4410,  # the session was closed or expired: stop
    "too_many": 4429,  # a screen sent too much: reconnect later
    "full": 4503,  # too many sockets on this session or address: wait, then try again
    # The server process is restarting (live/restart.py): reconnect at once, to another one.
    # 1012 Service Restart, IANA's WebSocket Close Code Number Registry (RFC 6455, 7.4.2).
    "restart": 1012,
}
# The control page lists this many of the newest events.
RECENT_EVENTS = 20


def for_pages() -> dict:
    """What the pages' scripts read: the close codes and the control page's row count."""
    return {"close": CLOSE, "recent_events": RECENT_EVENTS}


def constants() -> dict:
    """Everything shared, the pages' part and the lists the browser's rule modules copy."""
    return {
        "close": CLOSE,
        "recent_events": RECENT_EVENTS,
        "integer_fields": list(vitals.INTEGER_FIELDS),
        "number_fields": list(vitals.NUMBER_FIELDS),
        "limited_fields": list(vitals.DEFAULT_ALARM_LIMITS),
        "pulseless_rhythms": list(vitals.PULSELESS_RHYTHMS),
        "no_rate_rhythms": list(vitals.NO_RATE_RHYTHMS),
        "zero_rate_rhythms": list(vitals.ZERO_RATE_RHYTHMS),
        # The sensor (as flags.hidden names it) that shows each number.
        "sensors": {field: vitals.PARAMETER_OF.get(field, field) for field in vitals.NUMBER_FIELDS},
    }
