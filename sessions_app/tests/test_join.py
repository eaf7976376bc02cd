import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db

NO_SESSION = "No session with this code."
ENDED = "This session has ended. Ask your trainer for a new code."


@pytest.mark.parametrize("typed", ["ABC234", "abc234", "  aBc234  "])
def test_an_open_code_in_any_case_redirects_to_the_monitor(client, alice_session, typed):
    r = client.post(reverse("sessions:join"), {"code": typed})
    assert r.status_code == 302
    assert r.url == reverse("sessions:monitor", args=["ABC234"])


def test_an_unknown_code_shows_the_message(client, alice_session):
    r = client.post(reverse("sessions:join"), {"code": "ZZZ999"})
    assert r.status_code == 404
    assert NO_SESSION in r.content.decode()


def test_a_closed_code_says_the_session_has_ended(client, alice):
    make_session(alice, closed_at=timezone.now())
    r = client.post(reverse("sessions:join"), {"code": "abc234"})
    assert r.status_code == 410
    assert ENDED in r.content.decode() and NO_SESSION not in r.content.decode()


def test_an_expired_code_says_the_session_has_ended(client, alice):
    make_session(alice, now=timezone.now() - datetime.timedelta(hours=3), minutes=60)
    r = client.post(reverse("sessions:join"), {"code": "ABC234"})
    assert r.status_code == 410
    assert ENDED in r.content.decode()


def test_an_empty_code_asks_for_one(client):
    r = client.post(reverse("sessions:join"), {"code": "   "})
    assert r.status_code == 400
    assert "This field is required." in r.content.decode()


def test_home_shows_the_join_form_and_the_trainer_login(client):
    r = client.get(reverse("sessions:home"))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'name="code"' in body
    assert reverse("login") in body


def test_in_french_an_ended_code_says_the_session_has_ended(client, alice):
    make_session(alice, closed_at=timezone.now())
    r = client.post(reverse("sessions:join"), {"code": "ABC234"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 410
    assert "Cette séance est terminée. Demandez un nouveau code à votre formateur." in r.content.decode()
