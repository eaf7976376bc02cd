"""The monitor's new messages over the sockets: trends, limits, the cuff and silenced alarms."""

import datetime

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app import services
from sessions_app.models import SessionEvent
from shiller.tests.factory import AT_REST, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db(transaction=True)

TACHYCARDIA = {**AT_REST, "heart_rate": 140}


async def open_screen_and_control(trainer, last_values=AT_REST):
    session = await sync_to_async(make_session)(trainer, last_values=last_values)
    watcher = screen(session.code)
    assert (await watcher.connect())[0]
    snapshot = await receive(watcher)
    assert snapshot["type"] == "snapshot"
    trainer_page = await control(session, trainer)
    assert (await trainer_page.connect())[0]
    return session, watcher, trainer_page


async def test_a_trend_reaches_the_screens_with_where_it_starts(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    change = {"type": "set_vitals", "values": TACHYCARDIA, "transition_seconds": 30}
    await send(trainer, {**change, "request_id": 1})
    ack = await receive_type(trainer, "ack")
    message = await receive(watcher)
    assert message["event_id"] == ack["event_id"]
    assert message["values"]["heart_rate"] == 140
    assert message["trend"]["seconds"] == 30
    assert message["trend"]["from"]["heart_rate"] == 75
    assert message["trend"]["started_at"] == message["at"]
    await disconnect_all(watcher, trainer)


async def test_the_trainer_stops_a_trend_and_the_screens_hold_the_values(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await send(trainer, {"type": "set_vitals", "values": TACHYCARDIA, "transition_seconds": 600})
    await receive_type(trainer, "ack")
    await receive_type(watcher, "vitals")
    await send(trainer, {"type": "stop_trend", "request_id": "stop"})
    ack = await receive_type(trainer, "ack")
    assert ack["request_id"] == "stop"
    held = await receive_type(watcher, "vitals")
    assert held["kind"] == "trend_stopped"
    assert held["trend"] is None
    assert 75 <= held["values"]["heart_rate"] < 80
    await send(trainer, {"type": "stop_trend", "request_id": "again"})
    error = await receive_type(trainer, "error")
    assert error == {
        "type": "error",
        "request_id": "again",
        "errors": {"trend": "No trend is in progress."},
    }
    await disconnect_all(watcher, trainer)


async def test_new_alarm_limits_reach_the_screens(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await send(trainer, {"type": "set_alarm_limits", "limits": {"spo2": [85, 100]}})
    ack = await receive_type(trainer, "ack")
    assert ack["limits"]["spo2"] == [85, 100]
    message = await receive(watcher)
    assert (message["type"], message["limits"]) == ("alarm_limits", ack["limits"])
    await send(
        trainer, {"type": "set_alarm_limits", "limits": {"spo2": [100, 85]}, "request_id": 2}
    )
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"limits.spo2": "SpO2: the low limit must be below the high limit."}
    assert await watcher.receive_nothing(timeout=0.2)
    await disconnect_all(watcher, trainer)


async def test_the_trainee_starts_the_cuff_and_every_screen_and_the_trainer_see_it(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    other = screen(session.code)
    await other.connect()
    await receive(other)
    await send(watcher, {"type": "start_nibp"})
    started = await receive(watcher)
    assert started["type"] == "nibp_started"
    assert await receive(other) == started
    seen_by_trainer = await receive_type(trainer, "nibp_started")
    # The same message, with the row the control page adds (live/tests/test_control_fragments).
    assert "NIBP measurement started" in seen_by_trainer.pop("html")["event_row"]
    assert seen_by_trainer == started
    # Pressed again while the cuff is measuring: nothing new starts.
    await send(other, {"type": "start_nibp"})
    assert await other.receive_nothing(timeout=0.3)
    await disconnect_all(watcher, other, trainer)


async def test_the_trainer_sets_the_cuff_cycle(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await send(trainer, {"type": "set_nibp_interval", "minutes": 5, "request_id": "c"})
    assert (await receive_type(trainer, "ack"))["minutes"] == 5
    message = await receive(watcher)
    assert message["type"] == "nibp_interval"
    assert message["minutes"] == 5
    assert message["cycle_started_at"] is not None
    await send(trainer, {"type": "set_nibp_interval", "minutes": 4, "request_id": "bad"})
    assert "nibp_interval" in (await receive_type(trainer, "error"))["errors"]
    await disconnect_all(watcher, trainer)


async def test_a_silenced_alarm_is_stored_and_the_trainer_sees_it(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await send(watcher, {"type": "silence_alarms"})
    silenced = await receive(watcher)
    assert silenced["type"] == "alarms_silenced"
    until = datetime.datetime.fromisoformat(silenced["until"])
    at = datetime.datetime.fromisoformat(silenced["at"])
    assert until - at == datetime.timedelta(seconds=vitals.SILENCE_SECONDS)
    seen_by_trainer = await receive_type(trainer, "alarms_silenced")
    assert "Alarms silenced" in seen_by_trainer.pop("html")["event_row"]
    assert seen_by_trainer == silenced
    # Pressed again while silenced: nothing new.
    await send(watcher, {"type": "silence_alarms"})
    assert await watcher.receive_nothing(timeout=0.3)
    event = await sync_to_async(SessionEvent.objects.get)()
    assert event.kind == SessionEvent.ALARMS_SILENCED
    assert str(event.id) == silenced["event_id"]
    assert event.heart_rate == AT_REST["heart_rate"]
    # A screen that joins now shows the bell too.
    late = screen(session.code)
    await late.connect()
    assert (await receive(late))["alarms_silenced_until"] == silenced["until"]
    await disconnect_all(watcher, late, trainer)


async def test_before_any_values_there_is_nothing_to_silence(alice):
    session, watcher, trainer = await open_screen_and_control(alice, last_values=None)
    await send(watcher, {"type": "silence_alarms"})
    await send(watcher, {"type": "ping"})
    assert (await receive(watcher))["type"] == "pong"
    assert await sync_to_async(SessionEvent.objects.count)() == 0
    await disconnect_all(watcher, trainer)


async def test_a_screen_of_a_session_that_ended_is_closed_when_it_presses_a_button(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await sync_to_async(type(session).objects.filter(pk=session.pk).update)(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    await send(watcher, {"type": "start_nibp"})
    assert await receive(watcher) == {"type": "session_ended", "reason": "expired"}
    output = await watcher.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4410}
    await disconnect_all(trainer)


async def test_the_pong_tells_the_screen_the_server_time(alice):
    session, watcher, trainer = await open_screen_and_control(alice)
    await send(watcher, {"type": "ping"})
    pong = await receive(watcher)
    server_now = datetime.datetime.fromisoformat(pong["now"])
    assert abs((server_now - timezone.now()).total_seconds()) < 2
    await disconnect_all(watcher, trainer)


async def test_the_service_refuses_to_silence_for_another_session_that_ended(alice):
    session = await sync_to_async(make_session)(alice, closed_at=timezone.now())
    with pytest.raises(services.SessionNotOpen):
        await sync_to_async(services.silence_alarms)(session.pk)


async def test_over_the_socket_every_screen_gets_the_new_end(alice):
    session = await sync_to_async(make_session)(alice)
    watcher = screen(session.code)
    await watcher.connect()
    await receive(watcher)
    trainer = await control(session, alice)
    await trainer.connect()
    await send(trainer, {"type": "extend_session", "minutes": 15, "request_id": "x"})
    # The ack and the broadcast of the change reach the control page in either order.
    seen = {}
    while len(seen) < 2:
        message = await receive(trainer)
        if message["type"] in ("ack", "session_extended"):
            seen[message["type"]] = message
    ack = seen["ack"]
    expires_at = session.expires_at + datetime.timedelta(minutes=15)
    assert ack["expires_at"] == expires_at.isoformat()
    assert ack["message"] == "Time extended on every screen."
    told = await receive(watcher)
    assert (told["type"], told["minutes"], told["expires_at"]) == (
        "session_extended", 15, expires_at.isoformat()
    )  # fmt: skip
    row = seen["session_extended"]["html"]["event_row"]
    assert "<td>Time extended</td>" in row
    await send(trainer, {"type": "extend_session", "minutes": 45, "request_id": "y"})
    assert "minutes" in (await receive_type(trainer, "error"))["errors"]
    await disconnect_all(watcher, trainer)
