"""/healthz and /readyz, as a load balancer sees them."""

import json
import logging

import pytest
from channels.testing import HttpCommunicator
from django.db import DEFAULT_DB_ALIAS, connection, connections

from live.restart import state
from sessions_app.tests.servers import free_port
from shiller import health
from shiller.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def get(path: str, host: bytes = b"10.0.0.5:8000") -> tuple[int, dict, dict]:
    # By address, as a balancer probes: no name in ALLOWED_HOSTS, plain HTTP, no session.
    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", host)])
    r = await communicator.get_response()
    await communicator.wait()
    return r["status"], json.loads(r["body"]), dict(r["headers"])


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_it_says_ok_when_everything_answers(path):
    status, body, headers = await get(path)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"
    assert body["checks"]["redis"] in ("ok", "not used")
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"cache-control"] == b"no-store"


async def test_it_answers_every_probe_without_throttling():
    for _ in range(50):
        assert (await get("/healthz"))[0] == 200


@pytest.fixture
def database_down(monkeypatch):
    """The database on a port where nothing listens."""
    closed = {**connection.settings_dict, "PORT": str(free_port()), "HOST": "127.0.0.1"}
    closed["OPTIONS"] = {"connect_timeout": 1}
    unreachable = connections[DEFAULT_DB_ALIAS].__class__(closed, DEFAULT_DB_ALIAS)
    monkeypatch.setattr(health, "connections", {DEFAULT_DB_ALIAS: unreachable})
    yield
    unreachable.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a database server to be down")
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_it_fails_naming_the_database_when_it_does_not_answer(database_down, path):
    status, body, _headers = await get(path)
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"] == "unreachable"
    # No secret in the answer: neither the server's address nor the error.
    assert connection.settings_dict["NAME"] not in json.dumps(body)
    assert "127.0.0.1" not in json.dumps(body)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_it_fails_naming_redis_when_it_does_not_answer(settings, path):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    status, body, _headers = await get(path)
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable"}


@pytest.fixture
def unapplied_migration():
    """The newest migration of sessions_app forgotten by the database, as if not yet run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, app, name, applied FROM django_migrations WHERE app = 'sessions_app'"
            " ORDER BY name DESC LIMIT 1"
        )
        row = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE id = %s", [row[0]])
    yield row[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (id, app, name, applied) VALUES (%s, %s, %s, %s)", row
        )


async def test_it_fails_naming_the_migrations_when_one_is_not_applied(unapplied_migration):
    status, body, _headers = await get("/healthz")
    assert status == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "pending"
    assert unapplied_migration not in json.dumps(body)


async def test_it_is_not_ready_while_draining_but_still_healthy(monkeypatch):
    monkeypatch.setattr(state, "draining", True)
    status, body, _headers = await get("/readyz")
    assert (status, body) == (503, {"status": "draining"})
    assert (await get("/healthz"))[0] == 200


async def test_a_probe_is_logged_like_any_request(caplog):
    with caplog.at_level(logging.INFO, logger="shiller.access"):
        await get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "shiller.access"]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)


def test_a_check_is_cheap(django_assert_max_num_queries):
    # One query for the database, the migrations' table for the plan.
    with django_assert_max_num_queries(3):
        found = health.check_database()
    assert found == {"database": "ok", "migrations": "ok"}
