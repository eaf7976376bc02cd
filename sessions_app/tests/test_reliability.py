"""Nothing lost under concurrency and faults, on the real PostgreSQL and Redis."""

import asyncio
import io
import json
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
import redis
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live.tests.ws import (
    control,
    receive,
    receive_type,
    screen,
    send,
    session_cookie,
    viewers_reach,
)
from sessions_app import services
from sessions_app.models import Session, SessionEvent, SessionMember
from sessions_app.tests.servers import current_database_url, daphne, free_port
from shiller.tests.factory import PASSWORD, VALID_POST, make_session
from simulator import vitals

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test provides it)"
)
pytestmark = pytest.mark.django_db(transaction=True)


def change(seq: int) -> dict:
    """A valid change that says which one it is, in the stored form."""
    return vitals.validate(
        {
            "systolic": 100 + seq % 150,
            "diastolic": 40 + seq % 50,
            "heart_rate": seq % 301,
            "spo2": seq % 101,
            "flags": {"rhythm": "sinus", "alarm": seq % 2 == 0, "spo2_probe_off": False},
        }
    )


def in_threads(count: int, target) -> None:
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            target(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@needs_postgresql
def test_concurrent_writers_leave_last_values_equal_to_the_newest_event(alice, bob):
    """The owner and a co-trainer at once, instant changes (one statement each) between
    trends (the locked transaction): the events' order is the order they were stored in."""
    session = make_session(alice)
    SessionMember.objects.create(session=session, trainer=bob, role=SessionMember.COTRAINER)
    writers, changes_each = 8, 40

    def write(index):
        for number in range(changes_each):
            services.apply_vitals(
                session.pk,
                change(index * changes_each + number),
                transition_seconds=5 if number % 3 == 0 else 0,
                trainer=(alice, bob)[index % 2],
            )

    in_threads(writers, write)
    session.refresh_from_db()
    times = list(SessionEvent.objects.order_by("created_at").values_list("created_at", flat=True))
    newest = SessionEvent.objects.order_by("-created_at").first()
    assert len(times) == writers * changes_each
    assert len(set(times)) == len(times)
    assert session.last_values == newest.values
    assert session.last_event_at == newest.created_at


@needs_postgresql
def test_expire_sessions_run_twice_at_once_closes_and_notifies_each_once(alice, monkeypatch):
    past = timezone.now() - timezone.timedelta(hours=3)
    for index in range(30):
        make_session(alice, code=f"EXP{index:03d}", now=past, minutes=60)
    notified = []
    monkeypatch.setattr(services, "broadcast_ended", lambda pk, reason: notified.append(pk))
    outputs = [io.StringIO(), io.StringIO()]
    in_threads(2, lambda index: call_command("expire_sessions", stdout=outputs[index]))
    closed = [int(out.getvalue().split("Closed ")[1].split()[0]) for out in outputs]
    assert sum(closed) == 30
    assert sorted(notified) == sorted(Session.objects.values_list("pk", flat=True))
    assert Session.objects.filter(closed_at__isnull=True).count() == 0


async def test_ten_thousand_changes_are_all_stored_acked_and_seen_in_order(alice):
    session = await sync_to_async(make_session)(alice)
    total, trainers_count = 10_000, 2
    screens = [screen("ABC234"), screen("ABC234")]
    for s in screens:
        await s.connect()
        await receive(s)
    trainers = [await control(session, alice) for _ in range(trainers_count)]
    for trainer in trainers:
        await trainer.connect()

    async def drive(trainer, offset):
        acks = []
        for number in range(offset, total, trainers_count):
            await send(trainer, {"type": "set_vitals", "values": change(number), "request_id": number})
        while len(acks) < total // trainers_count:
            message = json.loads(await trainer.receive_from(timeout=30))
            if message["type"] == "ack":
                acks.append(message["event_id"])
            assert message["type"] != "error", message
        return acks

    async def watch(s):
        seen = []
        while len(seen) < total:
            message = json.loads(await s.receive_from(timeout=30))
            if message["type"] == "vitals":
                seen.append(message["event_id"])
        return seen

    results = await asyncio.gather(
        *(drive(trainer, offset) for offset, trainer in enumerate(trainers)),
        *(watch(s) for s in screens),
    )
    acks = [event_id for result in results[:trainers_count] for event_id in result]
    stored = await sync_to_async(
        lambda: [str(pk) for pk in SessionEvent.objects.order_by("created_at").values_list("pk", flat=True)]
    )()
    assert len(acks) == len(set(acks)) == total
    assert set(acks) == set(stored)
    for seen in results[trainers_count:]:
        assert seen == stored  # every screen, every change, in the stored order
    for s in [*screens, *trainers]:
        await s.disconnect()


async def next_vitals(communicator, timeout: float) -> dict | None:
    """The next vitals message, or None if none comes within `timeout` seconds."""
    # receive_nothing() waits without cancelling the consumer, as a timed-out receive would.
    while not await communicator.receive_nothing(timeout=timeout):
        if (message := await receive(communicator))["type"] == "vitals":
            return message
    return None


@contextmanager
def private_redis():
    """A redis-server of the test's own, so that it can be stopped and started again.

    Yields its URL, stop() and restart(); the process is `.process` on stop (to freeze it)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                import redis

                redis.Redis(port=port).ping()
                return process
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    state = {"process": start()}

    def stop():
        state["process"].send_signal(signal.SIGCONT)  # a frozen one must be able to exit
        state["process"].terminate()
        state["process"].wait()

    def restart():
        state["process"] = start()
        stop.process = state["process"]

    stop.process = state["process"]
    try:
        yield f"redis://127.0.0.1:{port}/0", stop, restart
    finally:
        stop()


def use_redis(settings, url: str) -> None:
    """Point the channel layer and the cache (throttles, viewer counts) at `url`."""
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [url]}}}
    cache = settings.CACHES["default"]
    settings.CACHES = {"default": {**cache, "LOCATION": url}}


needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (make test provides it)"
)


def pages_answer(session, trainer) -> dict:
    """What a trainer and a trainee get from the pages that read the cache."""
    client = Client()
    login = client.post(reverse("login"), {"username": trainer.email, "password": PASSWORD})
    trainee = Client()
    return {
        "login": login.status_code,
        "control": client.get(reverse("sessions:control", args=[session.pk])).status_code,
        "join": trainee.post(reverse("sessions:join"), {"code": session.code}).status_code,
        "monitor": trainee.get(reverse("sessions:monitor", args=[session.code])).status_code,
    }


@needs_redis
async def test_with_redis_down_changes_are_stored_and_pages_and_sockets_still_work(alice, settings):
    with private_redis() as (url, stop_redis, start_redis):
        use_redis(settings, url)
        session = await sync_to_async(make_session)(alice)
        watcher = screen("ABC234")
        await watcher.connect()
        await receive(watcher)
        trainer = await control(session, alice)
        await trainer.connect()

        await sync_to_async(stop_redis)()
        await send(trainer, {"type": "set_vitals", "values": change(1), "request_id": "down"})
        ack = await receive_type(trainer, "ack")
        assert ack["broadcast"] is False  # stored, and the trainer is told screens were missed
        assert await sync_to_async(SessionEvent.objects.count)() == 1
        # Throttles and viewer counts fail open: every page answers, new sockets connect.
        answers = {"login": 302, "control": 200, "join": 302, "monitor": 200}
        assert await sync_to_async(pages_answer)(session, alice) == answers
        newcomer = screen("ABC234")
        assert (await newcomer.connect())[0]
        assert (await receive(newcomer))["values"] == change(1)
        reloaded = await control(session, alice)
        assert (await reloaded.connect())[0]
        assert await receive(reloaded) == {"type": "viewers", "count": None}  # unknown, not 0
        await send(reloaded, {"type": "ping"})
        assert (await receive_type(reloaded, "pong"))["type"] == "pong"

        await sync_to_async(start_redis)()
        assert await sync_to_async(pages_answer)(session, alice) == answers
        # A screen that reconnects resyncs from the snapshot...
        late = screen("ABC234")
        await late.connect()
        assert (await receive(late))["values"] == change(1)
        # ...and new changes flow again, to it and to the screen that stayed, as soon as the
        # layer has subscribed again (pub/sub drops what is published before that).
        deadline = time.monotonic() + 10
        while (arrived := await next_vitals(late, timeout=0.5)) is None:
            assert time.monotonic() < deadline, "changes did not flow after Redis came back"
            await send(trainer, {"type": "set_vitals", "values": change(2), "request_id": "up"})
            await receive_type(trainer, "ack")
        assert arrived["values"] == change(2)
        while (await next_vitals(watcher, timeout=3))["values"] != change(2):
            pass
        # Viewer counts are back too: the three screens still open, counted again.
        counted = await control(session, alice)
        await counted.connect()
        deadline = time.monotonic() + 10
        while (await receive_type(counted, "viewers"))["count"] != 3:
            assert time.monotonic() < deadline, "the viewer count did not come back"
            await late.disconnect()
            late = screen("ABC234")
            await late.connect()
        for s in [watcher, newcomer, late, trainer, reloaded, counted]:
            await s.disconnect()


@needs_redis
async def test_with_redis_down_the_first_socket_of_a_process_still_connects(alice, settings):
    with private_redis() as (url, stop_redis, start_redis):
        use_redis(settings, url)
        session = await sync_to_async(make_session)(alice, last_values=change(1))
        await sync_to_async(stop_redis)()
        # No socket open in this process: its hub has no channel yet, and cannot get one now.
        newcomer = screen("ABC234")
        assert (await newcomer.connect())[0]
        assert (await receive(newcomer))["values"] == change(1)
        trainer = await control(session, alice)
        assert (await trainer.connect())[0]
        assert await receive(trainer) == {"type": "viewers", "count": None}

        await sync_to_async(start_redis)()
        # The hub gets its channel and joins the groups by itself: changes flow again.
        deadline = time.monotonic() + 10
        while (arrived := await next_vitals(newcomer, timeout=0.5)) is None:
            assert time.monotonic() < deadline, "changes did not flow after Redis came back"
            await send(trainer, {"type": "set_vitals", "values": change(2), "request_id": "up"})
            await receive_type(trainer, "ack")
        assert arrived["values"] == change(2)
        for s in [newcomer, trainer]:
            await s.disconnect()


@needs_redis
async def test_a_redis_that_hangs_holds_no_change_past_its_timeout(alice, settings):
    with private_redis() as (url, stop_redis, start_redis):
        use_redis(settings, url)
        settings.REDIS_TIMEOUT = 0.5
        session = await sync_to_async(make_session)(alice)
        trainer = await control(session, alice)
        await trainer.connect()
        await receive_type(trainer, "viewers")
        stop_redis.process.send_signal(signal.SIGSTOP)  # it hangs rather than refuses
        try:
            for request_id in (1, 2):
                message = {"type": "set_vitals", "values": change(request_id)}
                await send(trainer, {**message, "request_id": request_id})
                ack = await receive_type(trainer, "ack")  # within ws.TIMEOUT (3 s), each
                assert (ack["request_id"], ack["broadcast"]) == (request_id, False)
            assert await sync_to_async(SessionEvent.objects.count)() == 2
        finally:
            stop_redis.process.send_signal(signal.SIGCONT)
        await trainer.disconnect()


@needs_redis
async def test_screens_share_the_process_pool_of_redis_connections(alice):
    session = await sync_to_async(make_session)(alice)
    probe = redis.Redis.from_url(settings.REDIS_URL)
    before = len(await sync_to_async(probe.client_list)())
    trainer = await control(session, alice)
    await trainer.connect()
    screens = []
    for _ in range(60):
        screens.append(s := screen("ABC234"))
        await s.connect()
        await receive(s)
    await viewers_reach(trainer, 60)
    opened = len(await sync_to_async(probe.client_list)()) - before
    assert opened < 10, f"{opened} Redis connections for 60 screens"
    for s in [*screens, trainer]:
        await s.disconnect()


@pytest.fixture
def pool_at_rest():
    """Start from a pool of min_size connections, as a server at rest has.

    psycopg_pool backs off (1 s, 2 s, 4 s...) after each dead connection it finds, so a burst
    that left many idle connections makes the first requests after a restart slower.
    The test's own connections die too: dropped at the end, before the database is flushed.
    """
    connections.close_all()
    connection.close_pool()
    yield
    connections.close_all()


def kill_other_connections() -> int:
    """Terminate every other connection to the test database, and wait until they are gone."""
    others = (
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(current_database_url(), autocommit=True) as admin:
        killed = admin.execute(f"SELECT count(pg_terminate_backend(pid)) {others}").fetchone()[0]
        deadline = time.monotonic() + 5
        # pg_terminate_backend only signals: a backend may still answer for a moment.
        while admin.execute(f"SELECT count(*) {others}").fetchone()[0]:
            assert time.monotonic() < deadline, "backends did not exit"
            time.sleep(0.02)
    return killed


@needs_postgresql
def test_requests_succeed_after_the_database_connections_are_killed(
    pool_at_rest, alice_client, alice
):
    session = make_session(alice)
    assert alice_client.get(reverse("sessions:control", args=[session.pk])).status_code == 200
    close_old_connections()
    assert kill_other_connections() >= 1
    r = alice_client.post(reverse("sessions:action", args=[session.pk, "set_vitals"]), VALID_POST)
    assert r.status_code == 302
    assert SessionEvent.objects.count() == 1


@needs_postgresql
async def test_socket_messages_succeed_after_the_database_connections_are_killed(
    pool_at_rest, alice
):
    # A real daphne: its pool and threads, not the test runner's, must recover.
    session = await sync_to_async(make_session)(alice)
    cookie = (await sync_to_async(session_cookie)(alice)).decode()
    with daphne() as server:
        async with websockets.connect(
            f"ws://{server}/ws/control/{session.pk}/",
            origin=f"http://{server}",
            additional_headers={"Cookie": cookie},
        ) as trainer:
            for request_id in (1, 2):
                if request_id == 2:
                    assert await sync_to_async(kill_other_connections)() >= 1
                message = {"type": "set_vitals", "values": change(request_id), "request_id": request_id}
                await trainer.send(json.dumps(message))
                while (reply := json.loads(await asyncio.wait_for(trainer.recv(), 10)))["type"] != "ack":
                    assert reply["type"] != "error", reply
                assert reply["request_id"] == request_id

    def stored():
        connections.close_all()  # this thread's connection was killed too
        return SessionEvent.objects.count(), Session.objects.get().last_values

    assert await sync_to_async(stored)() == (2, vitals.validate(change(2)))
