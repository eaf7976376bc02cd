"""Sessions end on time by themselves: each process ends its screens and control pages at
`expires_at`, without waiting for expire_sessions to run."""

import datetime

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from live.fanout import get_hub
from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app.models import Session
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db(transaction=True)


async def past_its_end(session: Session) -> None:
    await sync_to_async(Session.objects.filter(pk=session.pk).update)(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


async def test_screens_and_control_pages_end_at_the_sessions_end(alice):
    session = await sync_to_async(make_session)(alice, minutes=30)
    s, trainer = screen("ABC234"), await control(session, alice)
    await s.connect()
    await receive(s)
    await trainer.connect()
    # The moment is set when the first socket joins: no cron job is needed for it.
    assert get_hub().ends_at(str(session.pk)) == session.expires_at

    await past_its_end(session)
    await get_hub().end_if_over(str(session.pk))  # what the timer calls at expires_at

    ended = {"type": "session_ended", "reason": "expired"}
    assert await receive(s) == ended
    assert (await s.receive_output(timeout=3))["type"] == "websocket.close"
    assert await receive_type(trainer, "session_ended") == ended


async def test_an_extension_moves_the_end_on_every_process(alice):
    session = await sync_to_async(make_session)(alice, minutes=30)
    s, trainer = screen("ABC234"), await control(session, alice)
    await s.connect()
    await receive(s)
    await trainer.connect()
    await send(trainer, {"type": "extend_session", "minutes": 15, "request_id": "1"})
    extended = await receive_type(s, "session_extended")
    later = datetime.datetime.fromisoformat(extended["expires_at"])
    assert later == session.expires_at + datetime.timedelta(minutes=15)
    assert get_hub().ends_at(str(session.pk)) == later
    await disconnect_all(s, trainer)
    # Nobody left to tell: no timer is kept.
    assert get_hub().ends_at(str(session.pk)) is None


async def test_an_extension_this_process_missed_keeps_the_session_going(alice):
    """The end comes, but the database says the session goes on (the extension's broadcast was
    lost, Redis down): the screens stay, and the timer moves to the new end."""
    session = await sync_to_async(make_session)(alice, minutes=30)
    s = screen("ABC234")
    await s.connect()
    await receive(s)
    later = session.expires_at + datetime.timedelta(minutes=30)
    await sync_to_async(Session.objects.filter(pk=session.pk).update)(expires_at=later)

    await get_hub().end_if_over(str(session.pk))

    assert await s.receive_nothing(timeout=0.2)
    assert get_hub().ends_at(str(session.pk)) == later
    await s.disconnect()
