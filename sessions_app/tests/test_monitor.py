import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

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
    assert "No session with this code." in r.content.decode()


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
    assert "No session with this code." in r.content.decode()
