import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_session
from sessions_app import services, vitals

pytestmark = pytest.mark.django_db


def test_it_shows_the_code_the_join_link_and_the_form(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="join-code">ABC234<' in body
    assert "http://testserver/monitor/ABC234/" in body
    assert 'name="heart_rate"' in body and 'name="rhythm"' in body
    assert "Nothing sent yet" in body
    assert "No changes yet." in body
    assert "Cardiac arrest" in body  # a preset


def test_it_shows_current_values_and_recent_events(alice_client, alice_session):
    services.apply_vitals(alice_session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 131})
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert "HR 131" in body
    assert "<td>131</td>" in body
    assert 'value="131"' in body  # the form starts from the last values


def test_a_closed_session_has_no_form(alice_client, alice):
    session = make_session(alice, closed_at=timezone.now())
    r = alice_client.get(reverse("sessions:control", args=[session.pk]))
    body = r.content.decode()
    assert "closed" in body
    assert 'id="vitals-form"' not in body
    assert 'id="close-session"' not in body
