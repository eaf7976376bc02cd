import pytest
from django.urls import reverse

from sessions_app.models import Session

pytestmark = pytest.mark.django_db


def test_closing_ends_the_session(alice_client, alice_session):
    r = alice_client.post(reverse("sessions:close", args=[alice_session.pk]), follow=True)
    assert "Session closed." in r.content.decode()
    session = Session.objects.get()
    assert session.closed_at is not None
    assert session.status() == Session.CLOSED
    r = alice_client.post(reverse("sessions:join"), {"code": "ABC234"})
    assert "No open session with this code." in r.content.decode()


def test_closing_twice_says_it_had_ended(alice_client, alice_session):
    alice_client.post(reverse("sessions:close", args=[alice_session.pk]))
    first_close = Session.objects.get().closed_at
    r = alice_client.post(reverse("sessions:close", args=[alice_session.pk]), follow=True)
    assert "This session had already ended." in r.content.decode()
    assert Session.objects.get().closed_at == first_close
