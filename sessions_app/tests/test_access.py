"""Another trainer's session looks like no session at all; anonymous users go to login.

Every trainer URL is one row of TRAINER_URLS: a new URL is covered by adding its line.
"""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from conftest import VALID_POST, make_session
from sessions_app.models import Session, SessionEvent
from sessions_app.tests.ws import control, refusal

TRAINER_URLS = [
    ("get", "sessions:control", {}),
    ("post", "sessions:vitals", VALID_POST),
    ("post", "sessions:close", {}),
    ("post", "sessions:note", {"text": "A note", "return_to": "debrief"}),
    ("get", "sessions:debrief", {}),
    ("get", "sessions:export", {}),
    ("get", "sessions:replay", {}),
    ("get", "sessions:replay_json", {}),
]


def assert_nothing_changed():
    session = Session.objects.get()
    assert session.closed_at is None and session.last_values is None
    assert not SessionEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method, name, data", TRAINER_URLS)
def test_another_trainer_gets_404_and_changes_nothing(bob_client, alice_session, method, name, data):
    r = getattr(bob_client, method)(reverse(name, args=[alice_session.pk]), data)
    assert r.status_code == 404
    assert_nothing_changed()


@pytest.mark.django_db
@pytest.mark.parametrize("method, name, data", TRAINER_URLS)
def test_anonymous_users_are_sent_to_login(client, alice_session, method, name, data):
    url = reverse(name, args=[alice_session.pk])
    r = getattr(client, method)(url, data)
    assert r.status_code == 302
    assert r.url == f"{reverse('login')}?next={url}"
    assert_nothing_changed()


@pytest.mark.django_db
def test_the_session_list_shows_only_my_sessions(bob_client, alice_session):
    r = bob_client.get(reverse("sessions:list"))
    assert alice_session.code not in r.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("intruder", ["bob", None])
async def test_the_control_socket_refuses_others_with_4403(alice, bob, intruder):
    session = await sync_to_async(make_session)(alice)
    socket = await control(session, bob if intruder else None)
    assert await refusal(socket) == 4403
    await sync_to_async(assert_nothing_changed)()
