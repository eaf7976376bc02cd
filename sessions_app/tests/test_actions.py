"""The one registry of actions: what each sender may ask for, over each transport."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from live.tests.ws import control, disconnect_all, receive_type, screen, send
from sessions_app import actions
from sessions_app.models import Session, SessionEvent, SessionNote
from shiller.tests.factory import make_session

FR = (b"accept-language", b"fr-FR,fr;q=0.9")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["launch_rockets", "silence_alarms"])
def test_the_control_page_cannot_post_an_action_it_may_not_send(alice_client, alice_session, name):
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, name]))
    assert r.status_code == 404
    assert not SessionEvent.objects.exists()


def test_each_action_says_who_may_send_it():
    senders = {name: set(action.senders) for name, action in actions.ACTIONS.items()}
    assert senders == {
        "set_vitals": {"trainer"},
        "stop_trend": {"trainer"},
        "set_alarm_limits": {"trainer"},
        "start_nibp": {"trainer", "screen"},
        "set_nibp_interval": {"trainer"},
        "apply_step": {"trainer"},
        "pause_session": {"trainer"},
        "resume_session": {"trainer"},
        "extend_session": {"trainer"},
        # Observers and the school's admins write notes too.
        "add_note": {"faculty"},
        # And log what the trainee did (the checklist), never a trainee screen.
        "log_action": {"faculty"},
        "undo_action": {"faculty"},
        "close_session": {"trainer"},
        "silence_alarms": {"screen"},
        "set_profile": {"trainer"},
        "acquire_12_lead": {"trainer"},
        "set_defibrillator": {"trainer"},
        # The trainee treats; the trainer sets the device and may mark compressions.
        "charge": {"screen"},
        "shock": {"screen"},
        "disarm": {"screen"},
        "analyse": {"screen"},
        "pads": {"screen"},
        "set_pacer": {"screen"},
        "cpr": {"trainer", "screen"},
        "send_blood_gas": {"trainer"},
        "send_lab_panel": {"trainer"},
        "send_glucose": {"trainer"},
        "send_image": {"trainer"},
        # The team is the owner's to choose.
        "add_member": {"owner"},
        "remove_member": {"owner"},
    }
    # What the trainer may post the classic way tells them, when it is done, that it was.
    assert all(action.done for action in actions.ACTIONS.values() if "trainer" in action.senders)


@pytest.mark.django_db(transaction=True)
async def test_the_control_socket_refuses_a_screens_action(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    await trainer.connect()
    await send(trainer, {"type": "silence_alarms", "request_id": 3})
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"type": "Unknown message type: silence_alarms."}
    await trainer.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_ack_says_what_was_done_in_the_pages_language(alice):
    session = await sync_to_async(make_session)(alice)
    trainer = await control(session, alice)
    trainer.scope["headers"].append(FR)
    await trainer.connect()
    await send(trainer, {"type": "start_nibp", "request_id": 1})
    ack = await receive_type(trainer, "ack")
    assert ack["message"] == "Mesure de PNI lancée."
    await disconnect_all(trainer)


@pytest.mark.django_db(transaction=True)
async def test_a_screen_cannot_send_a_trainers_action(alice):
    session = await sync_to_async(make_session)(alice)
    s = screen(session.code)
    await s.connect()
    await send(s, {"type": "set_alarm_limits", "limits": {"spo2": [50, 100]}})
    await send(s, {"type": "ping"})
    assert (await receive_type(s, "pong"))["type"] == "pong"
    assert not await sync_to_async(SessionEvent.objects.exists)()
    await s.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_notes_and_closing_go_over_the_control_socket(alice):
    """The cockpit adds a note and closes the session without a reload; a bad note stores nothing."""
    session = await sync_to_async(make_session)(alice)
    page = await control(session, alice)
    await page.connect()

    await send(page, {"type": "add_note", "text": "  ", "request_id": "1"})
    refused = await receive_type(page, "error")
    assert refused["errors"] == {"text": "Write something first: an empty note is not stored."}
    await send(page, {"type": "add_note", "text": "Called for help <late>", "request_id": "2"})
    ack = await receive_type(page, "ack")
    assert ack["message"] == "Note saved."
    assert "Called for help &lt;late&gt;</li>" in ack["note_html"]
    assert await sync_to_async(SessionNote.objects.filter(session=session).count)() == 1

    await send(page, {"type": "close_session", "request_id": "3"})
    assert (await receive_type(page, "ack"))["message"] == "Session closed."
    assert (await receive_type(page, "session_ended"))["reason"] == "closed"
    assert (await sync_to_async(Session.objects.get)(pk=session.pk)).status() == "closed"
