import asyncio
import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.utils import timezone

from live.tests.ws import (
    HOST,
    control,
    disconnect_all,
    receive,
    receive_type,
    refusal,
    screen,
    send,
    viewers_reach,
)
from sessions_app import services
from sessions_app.models import Session, SessionEvent
from shiller.asgi import application
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db(transaction=True)

CHANGE = {
    "systolic": 85,
    "diastolic": 50,
    "heart_rate": 150,
    "spo2": 88,
    "respiratory_rate": 28,
    "etco2": 30,
    "temperature": 38.2,
    "abp_systolic": 84,
    "abp_diastolic": 48,
    "cvp": 4,
    "flags": {
        "rhythm": "ventricular_tachycardia",
        "alarm": True,
        "spo2_probe_off": False,
        "ecg_leads_off": False,
        "no_pulse": False,
        "pulsus_paradoxus": False,
        "hidden": [],
        "ectopy_every": None,
        "ecg_lead2": "V5",
        "abp_damping": "normal",
        "artefacts": [],
    },
}


async def test_a_screen_gets_the_snapshot_on_connect(alice):
    session = await sync_to_async(make_session)(alice, last_values=vitals.DEFAULT_VALUES)
    s = screen("abc234")
    connected, _ = await s.connect()
    assert connected
    snapshot = await receive(s)
    server_now = datetime.datetime.fromisoformat(snapshot.pop("now"))
    assert abs((server_now - timezone.now()).total_seconds()) < 5
    assert snapshot == {
        "type": "snapshot",
        "values": vitals.DEFAULT_VALUES,
        "trend": None,
        "expires_at": session.expires_at.isoformat(),
        "trainee_name": "Alex",
        "alarm_limits": vitals.DEFAULT_ALARM_LIMITS,
        "alarms_silenced_until": None,
        "alarms_acknowledged": [],
        "nibp": {
            "measurement_seconds": vitals.NIBP_MEASUREMENT_SECONDS,
            "interval_minutes": 0,
            "cycle_started_at": None,
            "started_at": None,
            "reading": None,
        },
        "paused": False,
        "profile": "adult",
        "defibrillator": {"mode": "off", "capture_threshold_ma": 70, "cpr_quality": "good"},
        "treatment": {},
        "results": [],
    }
    await s.disconnect()


async def test_a_change_reaches_every_screen_of_the_session_and_no_other(alice):
    session = await sync_to_async(make_session)(alice)
    await sync_to_async(make_session)(alice, code="OTH234")
    screens = [screen("ABC234"), screen("ABC234")]
    other = screen("OTH234")
    for s in [*screens, other]:
        assert (await s.connect())[0]
        assert (await receive(s))["type"] == "snapshot"
    trainer = await control(session, alice)
    assert (await trainer.connect())[0]

    await send(trainer, {"type": "set_vitals", "values": CHANGE, "request_id": "r1"})
    ack = await receive_type(trainer, "ack")
    event = await sync_to_async(SessionEvent.objects.get)()
    assert ack == {
        "type": "ack",
        "request_id": "r1",
        "message": "Values sent to the monitors.",
        "event_id": str(event.id),
        "broadcast": True,
        "warnings": [],
    }
    for s in screens:
        message = await receive(s)
        assert message == {
            "type": "vitals",
            "kind": "vitals",
            "values": CHANGE,
            "trend": None,
            "event_id": str(event.id),
            "at": event.created_at.isoformat(),
            "by": {"trainer": str(alice.pk)},
        }
    assert await other.receive_nothing(timeout=0.3)
    await disconnect_all(*screens, other, trainer)


async def test_a_change_from_the_service_reaches_screens_after_commit(alice):
    session = await sync_to_async(make_session)(alice)
    s = screen("ABC234")
    await s.connect()
    await receive(s)
    await sync_to_async(services.apply_vitals)(session.pk, CHANGE)
    assert (await receive(s))["values"] == CHANGE
    await s.disconnect()


async def test_unknown_codes_are_refused_with_4404(alice):
    assert await refusal(screen("ZZZ999")) == 4404


@pytest.mark.parametrize("ended", ["closed", "expired"])
async def test_ended_sessions_are_refused_with_4410(alice, ended):
    past = timezone.now() - datetime.timedelta(hours=3)
    if ended == "closed":
        session = await sync_to_async(make_session)(alice, closed_at=timezone.now())
    else:
        session = await sync_to_async(make_session)(alice, now=past, minutes=60)
    assert await refusal(screen("ABC234")) == 4410
    assert await refusal(await control(session, alice)) == 4410


async def test_another_trainer_or_anonymous_is_refused_with_4403(alice, bob):
    session = await sync_to_async(make_session)(alice)
    assert await refusal(await control(session, bob)) == 4403
    assert await refusal(await control(session)) == 4403


async def test_a_foreign_origin_is_refused(alice):
    session = await sync_to_async(make_session)(alice)
    evil = (b"origin", b"http://evil.example")
    assert (await screen("ABC234", origin=evil).connect())[0] is False
    assert (await (await control(session, alice, origin=evil)).connect())[0] is False


@pytest.mark.parametrize(
    "origin", ["http://localhost:9999", "https://localhost", "http://localhost.evil.example"]
)
async def test_the_same_host_on_another_port_or_scheme_is_refused(alice, origin):
    session = await sync_to_async(make_session)(alice)
    other = (b"origin", origin.encode())
    assert (await screen("ABC234", origin=other).connect())[0] is False
    assert (await (await control(session, alice, origin=other)).connect())[0] is False


async def test_a_socket_from_the_sites_own_origin_is_accepted(alice):
    s = screen("ABC234")
    await sync_to_async(make_session)(alice)
    assert (await s.connect())[0] is True
    await s.disconnect()


async def test_a_host_outside_allowed_hosts_is_refused(alice):
    await sync_to_async(make_session)(alice)
    headers = [(b"host", b"evil.example"), (b"origin", b"http://evil.example")]
    s = WebsocketCommunicator(application, "/ws/monitor/ABC234/", headers=headers)
    assert (await s.connect())[0] is False


async def test_behind_a_tls_proxy_the_https_origin_is_accepted(alice):
    await sync_to_async(make_session)(alice)
    headers = [HOST, (b"origin", b"https://localhost"), (b"x-forwarded-proto", b"https")]
    s = WebsocketCommunicator(application, "/ws/monitor/ABC234/", headers=headers)
    assert (await s.connect())[0] is True
    await s.disconnect()


async def test_an_origin_in_csrf_trusted_origins_is_accepted(alice, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shiller.example.org"]
    await sync_to_async(make_session)(alice)
    s = screen("ABC234", origin=(b"origin", b"https://shiller.example.org"))
    assert (await s.connect())[0] is True
    await s.disconnect()


@pytest.mark.parametrize(
    "raw, field",
    [
        ("{not json", "message"),
        ("[1, 2]", "message"),
        ('{"type": "launch_rockets", "request_id": "x"}', "type"),
        ('{"type": "set_vitals", "request_id": "x", "values": "high"}', "values"),
        ('{"type": "set_vitals", "request_id": "x"}', "values"),
    ],
)
async def test_bad_messages_get_an_error_and_store_nothing(alice, raw, field):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await trainer.send_to(text_data=raw)
    error = await receive_type(trainer, "error")
    assert field in error["errors"]
    # The socket is still alive: a valid change afterwards is acknowledged.
    await send(trainer, {"type": "set_vitals", "values": CHANGE, "request_id": "ok"})
    assert (await receive_type(trainer, "ack"))["request_id"] == "ok"
    assert await sync_to_async(SessionEvent.objects.count)() == 1
    await trainer.disconnect()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"heart_rate": 301}, "heart_rate"),
        ({"heart_rate": "120"}, "heart_rate"),
        ({"spo2": True}, "spo2"),
        ({"diastolic": 90}, "diastolic"),
        ({"flags": {"rhythm": "sinus", "alarm": "yes", "spo2_probe_off": False}}, "alarm"),
        ({"flags": {"rhythm": "disco"}}, "rhythm"),
        ({"flags": {"rhythm": "sinus", "colour": "red"}}, "flags.colour"),
        ({"temperature": "37"}, "temperature"),
        ({"temperature": 37.25}, "temperature"),
        ({"respiratory_rate": -1}, "respiratory_rate"),
        ({"etco2": 12.5}, "etco2"),
        ({"flags": {"rhythm": "sinus", "hidden": ["etco2", "smell"]}}, "hidden"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_values_are_refused_naming_the_field(alice, changes, field):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await send(trainer, {"type": "set_vitals", "values": {**CHANGE, **changes}, "request_id": 7})
    error = await receive_type(trainer, "error")
    assert error["request_id"] == 7
    assert list(error["errors"]) == [field]
    assert await sync_to_async(SessionEvent.objects.count)() == 0
    assert (await sync_to_async(Session.objects.get)()).last_values is None
    await trainer.disconnect()


async def test_screens_ignore_what_they_send_but_answer_ping(alice):
    await sync_to_async(make_session)(alice)
    s = screen("ABC234")
    await s.connect()
    await receive(s)
    await s.send_to(text_data='{"type": "set_vitals", "values": {}}')
    await s.send_to(text_data="garbage")
    await send(s, {"type": "ping"})
    assert (await receive(s))["type"] == "pong"
    assert await sync_to_async(SessionEvent.objects.count)() == 0
    await s.disconnect()


async def test_closing_ends_every_screen_and_control_page(alice):
    session = await sync_to_async(make_session)(alice)
    s = screen("ABC234")
    await s.connect()
    await receive(s)
    trainer = await control(session, alice)
    await trainer.connect()
    await sync_to_async(services.close_session)(session)
    assert await receive(s) == {"type": "session_ended", "reason": "closed"}
    assert (await s.receive_output(timeout=3))["type"] == "websocket.close"
    assert await receive_type(trainer, "session_ended") == {
        "type": "session_ended",
        "reason": "closed",
    }


async def test_expire_sessions_ends_the_screens(alice):
    session = await sync_to_async(make_session)(alice, minutes=30)
    s = screen("ABC234")
    await s.connect()
    await receive(s)
    await sync_to_async(Session.objects.filter(pk=session.pk).update)(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    await sync_to_async(call_command)("expire_sessions", stdout=open("/dev/null", "w"))
    assert await receive(s) == {"type": "session_ended", "reason": "expired"}
    assert (await s.receive_output(timeout=3))["type"] == "websocket.close"


async def test_the_viewer_count_goes_up_and_down(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    nobody = await receive(trainer)
    assert nobody["count"] == 0
    assert "No screen has joined yet." in nobody["html"]["screens"]
    first, second = screen("ABC234"), screen("ABC234")
    await first.connect()
    await viewers_reach(trainer, 1)
    await second.connect()
    await viewers_reach(trainer, 2)
    await first.disconnect()
    await viewers_reach(trainer, 1)
    await second.disconnect()
    await viewers_reach(trainer, 0)
    await trainer.disconnect()
    await asyncio.sleep(0)
