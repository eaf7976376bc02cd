import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_session
from sessions_app import vitals

pytestmark = pytest.mark.django_db


def test_it_waits_for_the_trainer_before_the_first_change(client, alice_session):
    r = client.get(reverse("sessions:monitor", args=["ABC234"]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Waiting for the trainer" in body
    assert 'data-ws-path="/ws/monitor/ABC234/"' in body


def test_it_shows_the_last_values(client, alice):
    values = {**vitals.DEFAULT_VALUES, "systolic": 85, "diastolic": 50, "heart_rate": 150}
    make_session(alice, last_values=values)
    r = client.get(reverse("sessions:monitor", args=["abc234"]))
    assert r.status_code == 200
    body = r.content.decode()
    assert ">150<" in body
    assert "85/50" in body
    assert "(62)" in body  # MAP in brackets


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
