"""The check Django's psycopg pool runs on a connection before lending it (settings.DATABASES).

psycopg_pool's own check (`ConnectionPool.check_connection`, what CONN_HEALTH_CHECKS gives) is
a round trip to PostgreSQL on every lend, and Channels returns the connection to the pool after
every `database_sync_to_async` call: one round trip per stored change, about a fifth of its
cost (docs/performance.md, "A stored change"). This one does the round trip only when it may
find something:

- A backend that ends the connection (pg_terminate_backend, a restart's shutdown) first sends
  it an error, then closes it: the idle socket is readable. Polled without waiting, that costs
  one system call; `poll`, not `select`, since a daphne with a thousand sockets has descriptors
  past select's limit of 1,024.
- A connection dropped silently (a NAT or firewall that forgot it, a database host that
  rebooted) shows nothing until something is sent: after ROUND_TRIP_AFTER_IDLE without a lend,
  the round trip is done anyway, and answered by a reset if the peer forgot the connection.

A failed check makes the pool discard the connection and lend another, so a request never gets
a dead one it could have known about.
"""

import select
from time import monotonic

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool

# A busy server lends each connection many times a second and never reaches it; a quiet one
# pays a round trip per request, which costs nothing there. Well under the idle timeouts of
# NATs and firewalls (AWS Network Firewall forgets a TCP flow idle for 350 s by default:
# docs.aws.amazon.com/network-firewall/latest/APIReference/API_FlowTimeouts.html).
ROUND_TRIP_AFTER_IDLE = 5.0  # seconds

# When the pool last lent the connection: set on the psycopg connection as psycopg_pool sets
# its own (`_pool`, `_expire_at`). The time since then bounds the time it has been idle.
LENT_AT = "_shiller_lent_at"


def check(conn: psycopg.Connection) -> None:
    """Return quietly if `conn` may be lent, else raise (the pool then discards it)."""
    if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError("the connection is closed")
    now = monotonic()
    lent_at = getattr(conn, LENT_AT, None)
    setattr(conn, LENT_AT, now)
    if lent_at is None or now - lent_at > ROUND_TRIP_AFTER_IDLE or _readable(conn):
        ConnectionPool.check_connection(conn)


def _readable(conn: psycopg.Connection) -> bool:
    """Whether the server sent something to an idle connection (POLLHUP and POLLERR count)."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return bool(poller.poll(0))
