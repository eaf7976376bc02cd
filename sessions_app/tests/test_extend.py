"""More time for a running session: +15, +30 or +60 minutes, stored, on every screen."""

import datetime

import pytest
from django.urls import reverse

from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db


def extend(client, session, **data):
    url = reverse("sessions:action", args=[session.pk, "extend_session"])
    return client.post(url, data, follow=True)


def test_the_trainer_adds_time_and_it_is_stored(alice_client, alice_session):
    before = alice_session.expires_at
    r = extend(alice_client, alice_session, minutes="30")
    assert "Time extended on every screen." in r.content.decode()
    alice_session.refresh_from_db()
    assert alice_session.expires_at == before + datetime.timedelta(minutes=30)
    event = SessionEvent.objects.get()
    assert event.kind == SessionEvent.SESSION_EXTENDED
    assert event.detail == {"minutes": 30, "expires_at": alice_session.expires_at.isoformat()}
    assert event.kind_label() == "Time extended"


@pytest.mark.parametrize("minutes", ["20", "", "-15", "abc"])
def test_other_amounts_are_refused_and_nothing_is_stored(alice_client, alice_session, minutes):
    before = alice_session.expires_at
    r = extend(alice_client, alice_session, minutes=minutes)
    assert "Choose how much time to add." in r.content.decode()
    alice_session.refresh_from_db()
    assert alice_session.expires_at == before
    assert not SessionEvent.objects.exists()


def test_a_session_lasts_24_hours_at_most(alice_client, alice):
    session = make_session(alice, minutes=24 * 60 - 10)
    r = extend(alice_client, session, minutes="15")
    assert "A session lasts 24 hours at most." in r.content.decode()
    assert not SessionEvent.objects.exists()
    extend(alice_client, session, minutes="15")  # still not
    r = extend(alice_client, make_session(alice, code="DEF234", minutes=60), minutes="60")
    assert "Time extended on every screen." in r.content.decode()


def test_an_ended_session_gets_no_more_time(alice_client, alice):
    session = make_session(alice, minutes=-1)
    r = extend(alice_client, session, minutes="15")
    assert "This session has ended." in r.content.decode()
    assert Session.objects.get().expires_at == session.expires_at


def test_another_trainer_cannot_extend_it(bob_client, alice_session):
    assert extend(bob_client, alice_session, minutes="15").status_code == 404


def test_in_french_the_buttons_and_the_warning_speak_french(alice_client, alice_session):
    url = reverse("sessions:control", args=[alice_session.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Plus de temps :" in body and "+15 min" in body
    assert "Moins de 5 minutes restantes" in body
