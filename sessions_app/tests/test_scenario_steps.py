"""Starting a session from a scenario template and stepping through it on the control page."""

import datetime

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.urls import reverse
from django.utils import timezone

from library.models import SessionTemplate
from library.services import StepData, save_template
from library.tests.test_templates import SHOCK, make_template
from live.tests.ws import control, disconnect_all, receive_type, screen, send
from sessions_app import scenarios, services
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db

ARREST = vitals.PRESETS["arrest"][1]


@pytest.fixture
def drill(alice):
    return make_template(
        alice,
        steps=[vitals.DEFAULT_VALUES, SHOCK, ARREST],
        notes=["Baseline", "Give 1 L of fluids", "Give 1 mg adrenaline"],
    )


@pytest.fixture
def drill_session(alice, drill):
    return scenarios.start_session(alice, "Alex", 60, drill)


def _step(client, session, index=None):
    data = {} if index is None else {"index": str(index)}
    return client.post(reverse("sessions:action", args=[session.pk, "apply_step"]), data, follow=True)


# Starting.


def test_the_new_session_form_offers_my_and_shipped_templates_only(alice_client, drill, bob):
    make_template(bob, "Bob's drill")
    r = alice_client.get(reverse("sessions:new"))
    body = r.content.decode()
    assert 'name="template"' in body
    assert "Sepsis drill" in body and "Anaphylaxis" in body
    assert "Bob" not in body


def test_start_a_session_preselects_the_template(alice_client, drill):
    r = alice_client.get(reverse("library:detail", args=[drill.pk]))
    assert f"/sessions/new/?template={drill.pk}" in r.content.decode()
    r = alice_client.get(reverse("sessions:new"), {"template": str(drill.pk)})
    assert f'<option value="{drill.pk}" selected>Sepsis drill</option>' in r.content.decode()


@pytest.mark.parametrize("template", ["not-a-uuid", "5a0c1e4e-3b1f-4c55-9b51-00000000ffff"])
def test_a_bad_template_in_the_link_just_preselects_nothing(alice_client, template):
    r = alice_client.get(reverse("sessions:new"), {"template": template})
    assert r.status_code == 200
    assert " selected>" not in r.content.decode().split('name="template"')[1].split("</select>")[0]


def test_it_starts_a_session_from_a_template_with_a_copy_of_its_steps(alice_client, alice, drill):
    r = alice_client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(drill.pk)},
        follow=True,
    )
    session = Session.objects.get(trainer=alice)
    assert r.redirect_chain[-1][0] == reverse("sessions:control", args=[session.pk])
    assert session.template == drill
    assert session.current_step is None
    assert [step["note"] for step in session.steps] == [
        "Baseline",
        "Give 1 L of fluids",
        "Give 1 mg adrenaline",
    ]
    assert session.steps[1]["values"] == vitals.validate(SHOCK)
    assert session.steps[1]["transition_seconds"] == 30
    body = r.content.decode()
    assert "Scenario: Sepsis drill" in body and "Next step (1)" in body


def test_it_starts_a_session_from_a_shipped_template(alice_client, alice):
    shipped = SessionTemplate.objects.get(name="Haemorrhagic shock", trainer=None)
    alice_client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(shipped.pk)},
    )
    session = Session.objects.get(trainer=alice)
    assert len(session.steps) == shipped.steps.count()


def test_a_session_without_template_has_no_steps_panel(alice_client, alice):
    alice_client.post(reverse("sessions:new"), {"trainee_name": "Alex", "duration_minutes": "30"})
    session = Session.objects.get(trainer=alice)
    assert session.steps is None and session.template is None
    r = alice_client.get(reverse("sessions:control", args=[session.pk]))
    assert 'id="scenario-steps"' not in r.content.decode()


def test_another_trainers_template_cannot_start_a_session(bob_client, drill):
    r = bob_client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(drill.pk)},
    )
    assert r.status_code == 200
    assert 'data-field="template">' in r.content.decode()
    assert not Session.objects.exists()


def test_editing_the_template_later_does_not_change_a_running_session(alice, drill, drill_session):
    save_template(alice, "Sepsis drill", "", [StepData(SHOCK, 0, "Only one")], drill)
    drill_session.refresh_from_db()
    assert len(drill_session.steps) == 3


def test_deleting_the_template_keeps_the_sessions_steps(alice_client, drill, drill_session):
    drill.delete()
    drill_session.refresh_from_db()
    assert drill_session.template is None and len(drill_session.steps) == 3
    r = alice_client.get(reverse("sessions:control", args=[drill_session.pk]))
    assert r.status_code == 200
    assert "Give 1 mg adrenaline" in r.content.decode()


# The control page's steps panel.


def test_the_control_page_lists_the_steps_with_notes_and_transitions(alice_client, drill_session):
    r = alice_client.get(reverse("sessions:control", args=[drill_session.pk]))
    body = r.content.decode()
    assert 'id="scenario-steps"' in body
    assert "Give 1 L of fluids" in body and "Give 1 mg adrenaline" in body
    assert "over 30 s" in body and "instant" in body
    assert "Jump to step 3" in body
    assert 'aria-current="step"' not in body


def test_next_step_applies_the_first_step_then_the_following(alice_client, drill_session):
    r = _step(alice_client, drill_session)
    assert r.redirect_chain[-1][0] == reverse("sessions:control", args=[drill_session.pk])
    body = r.content.decode()
    assert "Step applied: values sent to the monitors." in body
    assert "Next step (2)" in body
    drill_session.refresh_from_db()
    assert drill_session.current_step == 0
    assert drill_session.last_values == vitals.validate(vitals.DEFAULT_VALUES)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        r = _step(alice_client, drill_session)
    drill_session.refresh_from_db()
    assert drill_session.current_step == 1
    assert drill_session.last_values == vitals.validate(SHOCK)
    assert drill_session.trend["seconds"] == 30  # the step's transition
    event = drill_session.events.first()
    assert event.detail["step"] == 1
    assert event.transition_seconds == 30
    assert "Next step (3)" in r.content.decode()


def test_the_current_step_is_highlighted(alice_client, drill_session):
    r = _step(alice_client, drill_session, index=1)
    body = r.content.decode()
    current = body.index('aria-current="step"')
    assert body.index("Give 1 L of fluids") > current > body.index("Baseline")
    assert body.count('aria-current="step"') == 1


def test_jump_to_a_step(alice_client, drill_session):
    _step(alice_client, drill_session, index=2)
    drill_session.refresh_from_db()
    assert drill_session.current_step == 2
    assert drill_session.last_values["flags"]["rhythm"] == "ventricular_fibrillation"
    assert drill_session.events.get().detail == {"step": 2}


def test_the_last_step_has_no_next(alice_client, drill_session):
    r = _step(alice_client, drill_session, index=2)
    body = r.content.decode()
    assert 'id="next-step"' not in body and "Last step reached." in body
    r = _step(alice_client, drill_session)
    assert "This was the last step." in r.content.decode()
    assert drill_session.events.count() == 1


@pytest.mark.parametrize("index", ["3", "-1", "two"])
def test_an_unknown_step_is_refused_and_nothing_is_stored(alice_client, drill_session, index):
    r = _step(alice_client, drill_session, index=index)
    assert "This session has no such step." in r.content.decode()
    drill_session.refresh_from_db()
    assert drill_session.current_step is None
    assert not drill_session.events.exists()


def test_a_session_without_steps_refuses_a_step(alice_client, alice_session):
    r = _step(alice_client, alice_session)
    assert "This was the last step." in r.content.decode()
    assert not alice_session.events.exists()


def test_a_step_on_an_ended_session_is_not_stored(alice_client, alice, drill):
    session = scenarios.start_session(alice, "Alex", 60, drill)
    services.close_session(session)
    r = _step(alice_client, session)
    body = r.content.decode()
    assert "This session has ended: the change was not stored." in body
    assert 'id="next-step"' not in body and "Jump to step" not in body
    session.refresh_from_db()
    assert session.current_step is None and not session.events.exists()


def test_another_trainer_cannot_step_my_session(bob_client, drill_session):
    r = bob_client.post(reverse("sessions:action", args=[drill_session.pk, "apply_step"]))
    assert r.status_code == 404
    assert not drill_session.events.exists()


def test_stepping_needs_a_post(alice_client, drill_session):
    r = alice_client.get(reverse("sessions:action", args=[drill_session.pk, "apply_step"]))
    assert r.status_code == 405


def test_the_step_is_sent_to_the_monitors(
    alice, drill_session, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(services, "broadcast", lambda pk, message: sent.append(message) or True)
    with django_capture_on_commit_callbacks(execute=True):
        change = scenarios.apply_step(drill_session.pk, 1, trainer=alice)
    assert change.broadcast
    assert sent[-1]["type"] == "vitals" and sent[-1]["step"] == 1
    assert sent[-1]["event_id"] == str(change.event.id)


def test_a_plain_change_carries_no_step(
    alice_session, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(services, "broadcast", lambda pk, message: sent.append(message) or True)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.apply_vitals(alice_session.pk, vitals.DEFAULT_VALUES)
    assert "step" not in sent[-1] and "step" not in change.event.detail


def test_values_changed_by_hand_keep_the_current_step(alice_client, drill_session):
    _step(alice_client, drill_session, index=1)
    services.apply_vitals(drill_session.pk, vitals.DEFAULT_VALUES)
    drill_session.refresh_from_db()
    assert drill_session.current_step == 1
    assert SessionEvent.objects.filter(session=drill_session).count() == 2


def test_an_ended_session_still_lists_its_steps(alice_client, alice, drill):
    steps = [step.as_snapshot() for step in drill.steps.all()]
    session = make_session(alice, closed_at=timezone.now(), template=drill, steps=steps)
    r = alice_client.get(reverse("sessions:control", args=[session.pk]))
    body = r.content.decode()
    assert "Give 1 mg adrenaline" in body
    assert "Jump to step" not in body


# Over the control socket.


@pytest.mark.django_db(transaction=True)
async def test_the_control_socket_applies_the_next_step_and_screens_get_it(alice):
    session = await sync_to_async(_drill_session)(alice)
    c = await control(session, alice)
    s = screen(session.code)
    try:
        assert (await c.connect())[0] and (await s.connect())[0]
        await receive_type(s, "snapshot")
        await send(c, {"type": "apply_step", "request_id": 7})
        ack = await receive_type(c, "ack")
        assert (ack["request_id"], ack["step"], ack["broadcast"]) == (7, 0, True)
        message = await receive_type(s, "vitals")
        assert message["step"] == 0 and message["event_id"] == ack["event_id"]

        await send(c, {"type": "apply_step", "index": 2, "request_id": 8})
        ack = await receive_type(c, "ack")
        assert ack["step"] == 2
        await send(c, {"type": "apply_step", "request_id": 9})
        error = await receive_type(c, "error")
        assert error == {
            "type": "error",
            "request_id": 9,
            "errors": {"step": "This was the last step."},
        }
        await send(c, {"type": "apply_step", "index": "1", "request_id": 10})
        assert (await receive_type(c, "error"))["errors"] == {
            "step": "This session has no such step."
        }
    finally:
        await disconnect_all(c, s)
    session = await Session.objects.aget(pk=session.pk)
    assert session.current_step == 2
    assert await SessionEvent.objects.filter(session=session).acount() == 2


def _drill_session(trainer) -> Session:
    template = make_template(trainer, steps=[vitals.DEFAULT_VALUES, SHOCK, ARREST])
    return scenarios.start_session(trainer, "Alex", 60, template)
