"""Another trainer's session looks like no session at all; anonymous users go to login.

Every trainer URL is one row of TRAINER_URLS: a new URL is covered by adding its line.
"""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from live.tests.ws import control, refusal
from sessions_app import actions
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import VALID_POST, make_session

# Each action the control page can post, valid enough to be stored were it allowed.
ACTION_POSTS = {
    "set_vitals": VALID_POST,
    "set_alarm_limits": {"heart_rate_low": "40", "heart_rate_high": "120"},
    "set_nibp_interval": {"minutes": "3"},
    "apply_step": {"index": "0"},
}
TRAINER_URLS = [
    ("get", "sessions:control", (), {}),
    ("post", "sessions:close", (), {}),
    ("post", "sessions:note", (), {"text": "A note", "return_to": "debrief"}),
    ("get", "sessions:debrief", (), {}),
    ("get", "sessions:export", (), {}),
    ("get", "sessions:replay", (), {}),
    ("get", "sessions:replay_json", (), {}),
    ("get", "assessment:xapi", (), {}),
    *(
        ("post", "sessions:action", (name,), ACTION_POSTS.get(name, {}))
        for name, action in actions.ACTIONS.items()
        # Every action of the control page: the drivers', the owner's, the faculty's.
        if action.senders - {actions.SCREEN}
    ),
]


def assert_nothing_changed():
    session = Session.objects.get()
    assert session.closed_at is None and session.last_values is None
    assert not SessionEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method, name, more, data", TRAINER_URLS)
def test_another_trainer_gets_404_and_changes_nothing(
    bob_client, alice_session, method, name, more, data
):
    r = getattr(bob_client, method)(reverse(name, args=[alice_session.pk, *more]), data)
    assert r.status_code == 404
    assert_nothing_changed()


@pytest.mark.django_db
@pytest.mark.parametrize("method, name, more, data", TRAINER_URLS)
def test_anonymous_users_are_sent_to_login(client, alice_session, method, name, more, data):
    url = reverse(name, args=[alice_session.pk, *more])
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
