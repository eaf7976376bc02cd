"""Another trainer's session looks like no session at all; anonymous users go to login."""

import pytest
from django.urls import reverse

from conftest import VALID_POST
from sessions_app.models import Session, SessionEvent

pytestmark = pytest.mark.django_db

TRAINER_URLS = [
    ("get", "sessions:control", {}),
    ("post", "sessions:vitals", VALID_POST),
    ("post", "sessions:close", {}),
]


@pytest.mark.parametrize("method, name, data", TRAINER_URLS)
def test_another_trainer_gets_404_and_changes_nothing(bob_client, alice_session, method, name, data):
    r = getattr(bob_client, method)(reverse(name, args=[alice_session.pk]), data)
    assert r.status_code == 404
    session = Session.objects.get()
    assert session.closed_at is None and session.last_values is None
    assert not SessionEvent.objects.exists()


@pytest.mark.parametrize("method, name, data", TRAINER_URLS)
def test_anonymous_users_are_sent_to_login(client, alice_session, method, name, data):
    url = reverse(name, args=[alice_session.pk])
    r = getattr(client, method)(url, data)
    assert r.status_code == 302
    assert r.url == f"{reverse('login')}?next={url}"
    assert Session.objects.get().closed_at is None
    assert not SessionEvent.objects.exists()
