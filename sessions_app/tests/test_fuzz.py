"""Arbitrary input never breaks anything: no 500, no crashed socket, no invalid value stored."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from live.tests.ws import control, receive_type, send
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db

FIELDS = [*vitals.NUMBER_FIELDS, *vitals.FLAG_KEYS, "transition_seconds"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
plausible_numbers = st.integers(-5, 305) | json_values
# Mostly well-formed changes with one thing wrong somewhere, plus anything at all.
values_strategy = st.one_of(
    st.fixed_dictionaries(
        {field: plausible_numbers for field in vitals.NUMBER_FIELDS},
        optional={
            "flags": st.fixed_dictionaries(
                {},
                optional={
                    "rhythm": st.sampled_from(list(vitals.RHYTHMS)) | json_values,
                    "alarm": st.booleans() | json_values,
                    "spo2_probe_off": st.booleans() | json_values,
                    "hidden": st.lists(st.sampled_from(list(vitals.PARAMETERS))) | json_values,
                    "colour": json_values,
                },
            )
            | json_values,
            "extra": json_values,
        },
    ),
    json_values,
)
fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_stored_values_are_valid(session: Session) -> None:
    session.refresh_from_db()
    for event in session.events.all():
        assert vitals.validate(event.values) == event.values
    if session.last_values is not None:
        assert vitals.validate(session.last_values) == session.last_values


@fuzz
@given(form=st.dictionaries(st.sampled_from([*FIELDS, "other"]), st.text(max_size=12), max_size=8))
def test_the_vitals_form_answers_any_input_with_a_message(alice_client, alice_session, form):
    before = SessionEvent.objects.count()
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]), form)
    assert r.status_code in (302, 400)
    stored = SessionEvent.objects.count() - before
    if r.status_code == 400:
        assert stored == 0
        assert 'class="error" data-field="' in r.content.decode()
    else:
        assert stored == 1
    assert_stored_values_are_valid(alice_session)


# The consumer closes the connection it used, so these cannot run inside a test transaction.
@pytest.mark.django_db(transaction=True)
@fuzz
@given(values=values_strategy)
def test_the_control_socket_answers_any_values_with_ack_or_field_errors(alice, values):
    session = Session.objects.first() or make_session(alice)
    before = SessionEvent.objects.count()
    reply = async_to_sync(send_over_control_socket)(
        session, alice, {"type": "set_vitals", "values": values}
    )
    stored = SessionEvent.objects.count() - before
    if reply["type"] == "ack":
        assert stored == 1
        assert session.events.get(pk=reply["event_id"]).values == vitals.validate(values)
    else:
        assert reply["type"] == "error" and stored == 0
        assert reply["errors"] and all(
            isinstance(field, str) and isinstance(message, str) and message
            for field, message in reply["errors"].items()
        )
    assert_stored_values_are_valid(session)


@pytest.mark.django_db(transaction=True)
@fuzz
@given(
    limits=st.dictionaries(
        st.sampled_from([*vitals.DEFAULT_ALARM_LIMITS, "other"]),
        st.lists(st.integers(-5, 305), min_size=2, max_size=2) | json_values,
        max_size=3,
    )
    | json_values
)
def test_the_control_socket_keeps_alarm_limits_sensible_whatever_it_is_sent(alice, limits):
    session = Session.objects.first() or make_session(alice)
    reply = async_to_sync(send_over_control_socket)(
        session, alice, {"type": "set_alarm_limits", "limits": limits}
    )
    session.refresh_from_db()
    assert reply["type"] in ("ack", "error")
    assert vitals.validate_limits(session.alarm_limits) == session.alarm_limits
    if reply["type"] == "ack":
        assert reply["limits"] == session.alarm_limits


@pytest.mark.django_db(transaction=True)
@fuzz
@given(raw=st.text(min_size=1, max_size=40) | json_values.map(json.dumps))
def test_the_control_socket_survives_any_text(alice, raw):
    session = Session.objects.first() or make_session(alice)
    reply = async_to_sync(send_raw_then_ping)(session, alice, raw)
    assert reply["type"] == "pong"
    assert_stored_values_are_valid(session)


async def send_over_control_socket(session, trainer, message: dict) -> dict:
    socket = await control(session, trainer)
    await socket.connect()
    await send(socket, {**message, "request_id": "fuzz"})
    while (reply := await receive_type_of(socket, ("ack", "error")))["request_id"] != "fuzz":
        pass
    await socket.disconnect()
    return reply


async def send_raw_then_ping(session, trainer, raw: str) -> dict:
    socket = await control(session, trainer)
    await socket.connect()
    await socket.send_to(text_data=raw)
    await send(socket, {"type": "ping"})
    reply = await receive_type(socket, "pong")
    await socket.disconnect()
    return reply


async def receive_type_of(socket, types) -> dict:
    while (message := json.loads(await socket.receive_from(timeout=5)))["type"] not in types:
        pass
    return message
