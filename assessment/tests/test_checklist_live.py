"""The checklist over the live link: a tap on one control page is logged and reaches every
control page of the session with its fragment; an undo within 10 seconds goes the same way, a
late one is refused; observers log too; the trainee screens neither may log nor hear of it."""

import datetime

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.utils import timezone

from assessment.models import LoggedAction
from library.models import SessionTemplate
from live.tests.ws import control, disconnect_all, receive_type, screen, send
from sessions_app import scenarios
from shiller.tests.factory import make_faculty, restore_shipped_templates

pytestmark = pytest.mark.django_db(transaction=True)


def _vf_faculty() -> dict:
    """make_faculty's cast on a session started from the shipped VF template, at its 2nd step."""
    # Another transactional test's flush took the shipped templates with it.
    restore_shipped_templates()
    faculty = make_faculty()
    template = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    session = faculty["session"]
    session.template = template
    session.steps = [step.as_snapshot() for step in template.steps.all()]
    session.expected_actions = template.expected_actions
    session.save(update_fields=["template", "steps", "expected_actions"])
    scenarios.apply_step(session.pk, 1, trainer=faculty["owner"])
    return faculty


async def open_page(faculty, role):
    page = await control(faculty["session"], faculty[role])
    assert (await page.connect())[0]
    await receive_type(page, "viewers")
    return page


async def open_monitor(faculty):
    monitor = screen(faculty["session"].code)
    assert (await monitor.connect())[0]
    await receive_type(monitor, "snapshot")
    return monitor


async def test_a_tap_is_logged_and_every_control_page_gets_its_fragment():
    faculty = await sync_to_async(_vf_faculty)()
    owner, observer = await open_page(faculty, "owner"), await open_page(faculty, "observer")
    await send(owner, {"type": "log_action", "request_id": 1, "expected": "arrestcall"})
    ack = await receive_type(owner, "ack")
    assert ack["message"] == "Action logged."
    assert f'data-logged="{ack["logged"]}"' in ack["logged_html"]
    logged = await receive_type(observer, "action_logged")
    assert logged["expected"] == "arrestcall" and logged["author"] == "Alice Martin"
    assert f'data-logged="{ack["logged"]}"' in logged["html"]["logged_item"]
    assert "Alice Martin" in logged["html"]["logged_item"] and ">Undo</button>" in logged["html"]["logged_item"]
    row = await sync_to_async(LoggedAction.objects.get)()
    assert (row.name, row.step, row.author_id) == ("Cardiac arrest call", 1, faculty["owner"].pk)
    await disconnect_all(owner, observer)


async def test_the_fragment_is_in_each_pages_language():
    faculty = await sync_to_async(_vf_faculty)()
    owner = await open_page(faculty, "owner")
    french = await control(faculty["session"], faculty["cotrainer"])
    french.scope["headers"].append((b"accept-language", b"fr"))
    assert (await french.connect())[0]
    await send(owner, {"type": "log_action", "request_id": 1, "name": "Oxygen"})
    logged = await receive_type(french, "action_logged")
    assert ">Annuler</button>" in logged["html"]["logged_item"]
    assert "Oxygen" in logged["html"]["logged_item"]
    await disconnect_all(owner, french)


async def test_an_undo_within_ten_seconds_reaches_the_other_pages():
    faculty = await sync_to_async(_vf_faculty)()
    owner, cotrainer = await open_page(faculty, "owner"), await open_page(faculty, "cotrainer")
    await send(owner, {"type": "log_action", "request_id": 1, "name": "Oxygen"})
    logged = (await receive_type(owner, "ack"))["logged"]
    await send(cotrainer, {"type": "undo_action", "request_id": 2, "logged": logged})
    ack = await receive_type(cotrainer, "ack")
    assert ack["undoes"] == logged
    undone = await receive_type(owner, "action_undone")
    assert undone["undoes"] == logged and undone["author"] == "Carole Petit"
    assert await sync_to_async(LoggedAction.objects.filter(undoes_id=logged).exists)()
    await disconnect_all(owner, cotrainer)


async def test_an_undo_after_ten_seconds_is_refused_with_its_message():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        faculty = await sync_to_async(_vf_faculty)()
        owner = await open_page(faculty, "owner")
        await send(owner, {"type": "log_action", "request_id": 1, "expected": "arrestcall"})
        logged = (await receive_type(owner, "ack"))["logged"]
        traveller.move_to(start + datetime.timedelta(seconds=10.5))
        await send(owner, {"type": "undo_action", "request_id": 2, "logged": logged})
        error = await receive_type(owner, "error")
    assert error["request_id"] == 2
    assert error["errors"] == {"logged": "Too late to undo: an action can be undone for 10 seconds."}
    assert await sync_to_async(LoggedAction.objects.count)() == 1
    await owner.disconnect()


async def test_an_observer_logs_and_a_trainee_screen_may_not():
    faculty = await sync_to_async(_vf_faculty)()
    observer = await open_page(faculty, "observer")
    monitor = await open_monitor(faculty)
    await send(monitor, {"type": "log_action", "name": "From the bedside"})
    await send(observer, {"type": "log_action", "request_id": 1, "name": "Oxygen"})
    assert (await receive_type(observer, "ack"))["message"] == "Action logged."
    names = await sync_to_async(lambda: list(LoggedAction.objects.values_list("name", flat=True)))()
    assert names == ["Oxygen"]
    await disconnect_all(observer, monitor)


async def test_the_monitor_hears_nothing_of_the_checklist():
    faculty = await sync_to_async(_vf_faculty)()
    owner, cotrainer = await open_page(faculty, "owner"), await open_page(faculty, "cotrainer")
    monitor = await open_monitor(faculty)
    await send(owner, {"type": "log_action", "request_id": 1, "expected": "cpr"})
    logged = (await receive_type(owner, "ack"))["logged"]
    await send(owner, {"type": "undo_action", "request_id": 2, "logged": logged})
    await receive_type(owner, "ack")
    # The other control page heard both: the screens would have by now.
    await receive_type(cotrainer, "action_logged")
    await receive_type(cotrainer, "action_undone")
    assert await monitor.receive_nothing(timeout=0.3)
    await disconnect_all(owner, cotrainer, monitor)


async def test_an_ended_session_refuses_a_tap():
    faculty = await sync_to_async(_vf_faculty)()
    owner = await open_page(faculty, "owner")
    session = faculty["session"]
    await sync_to_async(type(session).objects.filter(pk=session.pk).update)(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    await send(owner, {"type": "log_action", "request_id": 1, "name": "Oxygen"})
    error = await receive_type(owner, "error")
    assert error["errors"] == {"session": "This session has ended."}
    assert not await sync_to_async(LoggedAction.objects.exists)()
    await owner.disconnect()
