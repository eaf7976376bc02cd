"""The check the database pool runs before lending a connection (shiller/dbpool.py).

That a killed connection is replaced on the real paths (a POST, a socket on a real daphne) is
sessions_app/tests/test_reliability.py's `..._after_the_database_connections_are_killed`.
"""

import select
import time

import psycopg
import pytest
from django.db import connection

from sessions_app.tests.servers import current_database_url
from shiller import dbpool

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def conn():
    with psycopg.connect(current_database_url(), autocommit=True) as conn:
        yield conn


@pytest.fixture
def round_trips(monkeypatch):
    """The connections psycopg_pool's own check was made on, one entry per round trip."""
    made = []
    real = dbpool.ConnectionPool.check_connection

    def counted(conn):
        made.append(conn.info.backend_pid)
        real(conn)

    monkeypatch.setattr(dbpool.ConnectionPool, "check_connection", staticmethod(counted))
    return made


def test_it_makes_a_round_trip_on_a_connection_never_lent(conn, round_trips):
    dbpool.check(conn)
    assert len(round_trips) == 1


def test_it_lends_a_connection_lent_a_moment_ago_without_a_round_trip(conn, round_trips):
    dbpool.check(conn)
    dbpool.check(conn)
    dbpool.check(conn)
    assert len(round_trips) == 1


def test_it_makes_a_round_trip_after_the_connection_was_idle(conn, round_trips, monkeypatch):
    dbpool.check(conn)
    idle = time.monotonic() + dbpool.ROUND_TRIP_AFTER_IDLE + 1
    monkeypatch.setattr(dbpool, "monotonic", lambda: idle)
    dbpool.check(conn)
    assert len(round_trips) == 2


def test_it_refuses_a_connection_whose_backend_was_terminated(conn, round_trips):
    dbpool.check(conn)
    with psycopg.connect(current_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [conn.info.backend_pid])
    # pg_terminate_backend only signals: wait for the backend's goodbye to arrive.
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    assert poller.poll(5000)
    with pytest.raises(psycopg.OperationalError):
        dbpool.check(conn)
    assert len(round_trips) == 2


def test_it_refuses_a_closed_connection(conn):
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        dbpool.check(conn)


def test_djangos_pool_lends_through_it(round_trips):
    lent = set()
    for _ in range(10):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            lent.add(cursor.fetchone()[0])
        connection.close()  # back to the pool, as Channels does after each database call
    # At most one round trip for each connection's first lend (the test database's setup may
    # have lent them a moment ago), not one per lend.
    assert len(round_trips) <= len(lent) < 10
