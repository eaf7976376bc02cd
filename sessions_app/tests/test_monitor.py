import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def monitor_body(client, code="ABC234") -> str:
    r = client.get(reverse("sessions:monitor", args=[code]))
    assert r.status_code == 200
    return r.content.decode()


def test_it_waits_for_the_trainer_before_the_first_change(client, alice_session):
    body = monitor_body(client)
    assert "Waiting for the trainer" in body
    assert 'data-ws-path="/ws/monitor/ABC234/"' in body


def test_it_shows_the_last_values_but_no_blood_pressure_before_a_measurement(client, alice):
    values = {**vitals.DEFAULT_VALUES, "systolic": 85, "diastolic": 50, "heart_rate": 150}
    make_session(alice, last_values=values)
    body = monitor_body(client, "abc234")
    assert 'id="hr-value">150<' in body
    assert 'id="rr-value">14<' in body
    assert 'id="etco2-value">38<' in body
    assert 'id="temp-value">36.8<' in body
    assert "85/50" not in body
    assert '<span id="nibp-value">--/--</span>' in body
    assert "Press NIBP to measure" in body


def test_it_shows_the_last_cuff_reading_with_its_time(client, alice_session):
    started = timezone.now() - datetime.timedelta(minutes=1)
    values = {**vitals.DEFAULT_VALUES, "systolic": 85, "diastolic": 50}
    services.apply_vitals(alice_session.pk, values, now=started)
    services.start_nibp(alice_session.pk, now=started + datetime.timedelta(seconds=5))
    body = monitor_body(client)
    assert '<span id="nibp-value">85/50</span>' in body
    assert "(62)" in body  # MAP in brackets
    taken_at = timezone.localtime(started + datetime.timedelta(seconds=15))
    assert f'id="nibp-time" class="nibp-time">{taken_at:%H:%M}<' in body


def test_a_disconnected_sensor_shows_nothing_not_zero(client, alice):
    flags = {**vitals.DEFAULT_VALUES["flags"], "hidden": ["etco2", "temperature"]}
    make_session(alice, last_values={**vitals.DEFAULT_VALUES, "flags": flags})
    body = monitor_body(client)
    assert 'id="etco2-value"></p>' in body
    assert 'id="temp-value"></p>' in body
    assert re.search(r'id="etco2-panel"[^>]*data-off="true"', body)
    assert re.search(r'id="hr-panel"[^>]*data-off="false"', body)


def test_it_hands_the_snapshot_and_alarm_rules_to_the_script(client, alice_session):
    body = monitor_body(client)
    snapshot = json.loads(re.search(r'id="monitor-state"[^>]*>(.*?)</script>', body).group(1))
    assert snapshot["type"] == "snapshot"
    assert snapshot["alarm_limits"] == vitals.default_alarm_limits()
    rules = json.loads(re.search(r'id="alarm-rules"[^>]*>(.*?)</script>', body).group(1))
    assert rules["red_spo2_below"] == vitals.RED_SPO2_BELOW


def test_an_unknown_code_shows_the_join_form_with_the_message(client):
    r = client.get(reverse("sessions:monitor", args=["ZZZ999"]))
    assert r.status_code == 404
    assert "No open session with this code." in r.content.decode()


def test_a_closed_session_says_it_ended(client, alice):
    make_session(alice, closed_at=timezone.now())
    r = client.get(reverse("sessions:monitor", args=["ABC234"]))
    assert r.status_code == 410
    body = r.content.decode()
    assert "Session ended" in body
    assert "/ws/monitor/" not in body


def test_a_nul_byte_in_the_code_is_an_unknown_code(client):
    r = client.get("/monitor/%00/")
    assert r.status_code == 404
    assert "No open session with this code." in r.content.decode()
