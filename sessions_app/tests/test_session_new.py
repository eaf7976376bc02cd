import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Session

pytestmark = pytest.mark.django_db


def test_it_creates_a_session_and_shows_its_control_page(alice_client, alice):
    r = alice_client.post(
        reverse("sessions:new"), {"trainee_name": "Alex", "duration_minutes": "30"}, follow=True
    )
    session = Session.objects.get()
    assert r.redirect_chain[-1][0] == reverse("sessions:control", args=[session.pk])
    assert session.trainer == alice
    assert len(session.code) == 6
    assert set(session.code) <= set(services.CODE_ALPHABET)
    expected_end = session.created_at + datetime.timedelta(minutes=30)
    assert session.expires_at == expected_end
    assert session.code in r.content.decode()


@pytest.mark.parametrize("minutes", ["4", "1441", "abc"])
def test_it_refuses_a_duration_out_of_range(alice_client, minutes):
    r = alice_client.post(
        reverse("sessions:new"), {"trainee_name": "Alex", "duration_minutes": minutes}
    )
    assert r.status_code == 200
    assert 'class="error"' in r.content.decode()
    assert not Session.objects.exists()


def test_it_asks_for_the_trainee_name(alice_client):
    r = alice_client.post(reverse("sessions:new"), {"trainee_name": "  ", "duration_minutes": "30"})
    assert 'data-field="trainee_name">This field is required.' in r.content.decode()
    assert not Session.objects.exists()


def test_the_default_duration_is_two_hours(alice_client):
    r = alice_client.get(reverse("sessions:new"))
    assert 'value="120"' in r.content.decode()


def test_a_code_clash_draws_another_code(alice, monkeypatch):
    services.create_session(alice, "First", 60)
    taken = Session.objects.get().code
    drawn = iter([taken, taken, "NEW234"])
    monkeypatch.setattr(services, "generate_code", lambda: next(drawn))
    session = services.create_session(alice, "Second", 60, now=timezone.now())
    assert session.code == "NEW234"
    assert Session.objects.count() == 2


def test_codes_use_the_unambiguous_alphabet():
    codes = {services.generate_code() for _ in range(200)}
    assert all(len(code) == 6 for code in codes)
    assert not set("".join(codes)) & set("01OIL")
