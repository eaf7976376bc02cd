import re

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
    assert "This session has ended. Ask your trainer for a new code." in r.content.decode()


def test_closing_twice_says_it_had_ended(alice_client, alice_session):
    alice_client.post(reverse("sessions:close", args=[alice_session.pk]))
    first_close = Session.objects.get().closed_at
    r = alice_client.post(reverse("sessions:close", args=[alice_session.pk]), follow=True)
    assert "This session had already ended." in r.content.decode()
    assert Session.objects.get().closed_at == first_close


def test_closing_asks_first_what_it_will_do(alice_client, alice_session):
    body = alice_client.get(reverse("sessions:control", args=[alice_session.pk])).content.decode()
    confirm = re.search(r'<details class="bar-panel close-confirm".*?</details>', body, re.S).group(0)
    assert '<summary class="button danger">Close session</summary>' in confirm
    assert (
        "Every screen will show that the session has ended, and its code will no longer join. "
        "This cannot be undone."
    ) in confirm
    assert re.search(r'<button type="submit"[^>]*id="close-session">Yes, close the session<', confirm)


def test_in_french_closing_asks_first(alice_client, alice_session):
    url = reverse("sessions:control", args=[alice_session.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Clôturer la séance" in body
    assert "Oui, clôturer la séance" in body
    assert "Cela ne peut pas être annulé." in body
