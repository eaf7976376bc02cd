"""Several faculty on one session, live: two control pages drive it and each sees the other's
change with its author's name; an observer's page follows; a trainer taken off the team loses
the page within a second; a colleague's note reaches the other pages, never the screens."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from channels.testing import WebsocketCommunicator

from live.tests.ws import HOST, ORIGIN, control, disconnect_all, receive, receive_type, screen, send
from schools import services as schools_services
from schools.models import Membership
from sessions_app import team
from sessions_app.models import SessionEvent
from shiller.tests.factory import make_faculty
from shiller.asgi import application
from simulator import vitals

pytestmark = pytest.mark.django_db(transaction=True)


async def open_page(faculty, role):
    page = await control(faculty["session"], faculty[role])
    assert (await page.connect())[0]
    await receive_type(page, "viewers")
    return page


async def test_a_change_by_one_trainer_reaches_the_others_page_with_their_name():
    faculty = await sync_to_async(make_faculty)()
    owner, cotrainer, observer = [await open_page(faculty, role) for role in ("owner", "cotrainer", "observer")]
    values = {**vitals.DEFAULT_VALUES, "heart_rate": 132}
    await send(cotrainer, {"type": "set_vitals", "request_id": 1, "values": values})
    assert (await receive_type(cotrainer, "ack"))["request_id"] == 1
    for page in (owner, observer):
        change = await receive_type(page, "vitals")
        assert change["values"]["heart_rate"] == 132
        assert "<td>Carole Petit</td>" in change["html"]["event_row"]
    event = await sync_to_async(SessionEvent.objects.select_related("author").get)()
    assert event.author.email == "cotrainer@example.org"
    await disconnect_all(owner, cotrainer, observer)


async def test_a_screens_press_names_the_screen_by_its_stable_id():
    faculty = await sync_to_async(make_faculty)()
    page = await open_page(faculty, "owner")
    path = f"/ws/monitor/{faculty['session'].code}/?screen=Bed+3&sid=0123456789abcdef"
    monitor = WebsocketCommunicator(application, path, headers=[HOST, ORIGIN])
    assert (await monitor.connect())[0]
    await receive_type(monitor, "snapshot")
    await send(monitor, {"type": "start_nibp"})
    started = await receive_type(page, "nibp_started")
    assert "Screen “Bed 3”" in started["html"]["event_row"]
    event = await sync_to_async(SessionEvent.objects.get)()
    assert (event.author_id, event.screen_id, event.screen_label) == (None, "0123456789abcdef", "Bed 3")
    await disconnect_all(page, monitor)


async def test_a_trainer_taken_off_the_team_loses_the_page_within_a_second():
    faculty = await sync_to_async(make_faculty)()
    page = await open_page(faculty, "cotrainer")
    member = await sync_to_async(faculty["session"].members.get)(trainer=faculty["cotrainer"])
    started = asyncio.get_running_loop().time()
    await sync_to_async(team.remove_member)(faculty["session"].pk, member.pk, owner=faculty["owner"])
    assert (await receive(page))["type"] == "access_revoked"
    closed = await page.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4403}
    assert asyncio.get_running_loop().time() - started < 1
    # And what it would still send is refused: nothing is stored.
    await sync_to_async(faculty["session"].refresh_from_db)()


async def test_a_trainer_removed_from_the_school_loses_its_sessions_at_once():
    faculty = await sync_to_async(make_faculty)()
    page = await open_page(faculty, "observer")
    membership = await sync_to_async(Membership.objects.get)(trainer=faculty["observer"])
    await sync_to_async(schools_services.remove_member)(membership)
    assert (await receive(page))["type"] == "access_revoked"
    assert (await page.receive_output(timeout=1))["code"] == 4403


async def test_a_new_role_reaches_the_page_which_then_drives():
    faculty = await sync_to_async(make_faculty)()
    page = await open_page(faculty, "observer")
    await send(page, {"type": "stop_trend", "request_id": 1})
    assert (await receive_type(page, "error"))["code"] == "read_only"
    await sync_to_async(team.add_member)(
        faculty["session"].pk, faculty["observer"].pk, "cotrainer", owner=faculty["owner"]
    )
    assert await receive_type(page, "access_changed") == {"type": "access_changed", "role": "cotrainer"}
    values = {**vitals.DEFAULT_VALUES, "spo2": 90}
    await send(page, {"type": "set_vitals", "request_id": 2, "values": values})
    assert (await receive_type(page, "ack"))["request_id"] == 2
    await disconnect_all(page)


async def test_an_observers_note_reaches_the_other_pages_and_no_screen():
    faculty = await sync_to_async(make_faculty)()
    owner, observer = [await open_page(faculty, role) for role in ("owner", "observer")]
    monitor = screen(faculty["session"].code)
    assert (await monitor.connect())[0]
    await receive_type(monitor, "snapshot")
    await send(observer, {"type": "add_note", "request_id": 1, "text": "Late call for help"})
    ack = await receive_type(observer, "ack")
    note = await receive_type(owner, "note")
    assert note["note"] == ack["note"]
    assert "Olivier Roux" in note["html"]["note_item"] and "Late call for help" in note["html"]["note_item"]
    # The screens hear nothing of it.
    await send(monitor, {"type": "ping"})
    assert (await receive(monitor))["type"] == "pong"
    assert await monitor.receive_nothing(timeout=0.2)
    await disconnect_all(owner, observer, monitor)


def test_the_owner_alone_chooses_the_team():
    faculty = make_faculty()
    session = faculty["session"]
    with pytest.raises(type(session).DoesNotExist):
        team.add_member(session.pk, faculty["colleague"].pk, "observer", owner=faculty["cotrainer"])
    with pytest.raises(vitals.VitalsError, match="Hôpital Nord"):
        team.add_member(session.pk, faculty["other_school"].pk, "observer", owner=faculty["owner"])
    with pytest.raises(vitals.VitalsError):
        team.add_member(session.pk, faculty["colleague"].pk, "boss", owner=faculty["owner"])
    assert session.members.count() == 2


def test_messages_never_name_a_trainer_to_the_screens():
    """The screens get a trainer's id at most, never a name or an email."""
    faculty = make_faculty()
    from sessions_app import services

    change = services.apply_vitals(faculty["session"].pk, vitals.DEFAULT_VALUES, trainer=faculty["cotrainer"])
    text = json.dumps(change.event.message())
    assert "Carole" not in text and "example.org" not in text


@pytest.mark.parametrize("member", ["abc", None, [1], {"id": 1}, True, "99999999999999999999"])
def test_a_forged_member_is_refused_with_a_sentence(member):
    faculty = make_faculty()
    with pytest.raises(vitals.VitalsError, match="no longer on the team"):
        team.remove_member(faculty["session"].pk, member, owner=faculty["owner"])
    assert faculty["session"].members.count() == 2


async def test_a_cotrainer_made_observer_mid_change_is_told_and_stays():
    """The owner's demotion reaches the database just before the co-trainer's change: the
    change is refused as an observer's would be, and the page stays on the session."""
    faculty = await sync_to_async(make_faculty)()
    page = await open_page(faculty, "cotrainer")
    member = await sync_to_async(faculty["session"].members.get)(trainer=faculty["cotrainer"])
    await sync_to_async(type(member).objects.filter(pk=member.pk).update)(role="observer")
    await send(page, {"type": "set_vitals", "request_id": 5, "values": vitals.DEFAULT_VALUES})
    error = await receive_type(page, "error")
    assert (error["code"], error["request_id"]) == ("read_only", 5)
    await send(page, {"type": "ping"})
    assert (await receive_type(page, "pong"))["type"] == "pong"
    assert await sync_to_async(SessionEvent.objects.count)() == 0
    await disconnect_all(page)


def test_an_owner_who_left_the_school_adds_no_one_from_it():
    faculty = make_faculty()
    Membership.objects.filter(trainer=faculty["owner"]).delete()
    with pytest.raises(vitals.VitalsError, match="Hôpital Nord"):
        team.add_member(faculty["session"].pk, faculty["colleague"].pk, "observer", owner=faculty["owner"])


@pytest.mark.parametrize("role", [["observer"], {"x": 1}, None, 3])
def test_a_role_of_the_wrong_type_is_refused_with_a_sentence(role):
    faculty = make_faculty()
    with pytest.raises(vitals.VitalsError, match="co-trainer or observer"):
        team.add_member(faculty["session"].pk, faculty["colleague"].pk, role, owner=faculty["owner"])


async def test_two_trainers_changing_at_once_leave_every_screen_on_the_newest_event():
    """Their changes are stored one after the other and broadcast from the event loop once
    stored: every screen sees them in the order they were stored, so it ends on the last."""
    faculty = await sync_to_async(make_faculty)()
    owner, cotrainer = [await open_page(faculty, role) for role in ("owner", "cotrainer")]
    monitor = screen(faculty["session"].code)
    assert (await monitor.connect())[0]
    await receive_type(monitor, "snapshot")
    rounds = 30
    for number in range(rounds):
        for index, page in enumerate((owner, cotrainer)):
            rate = 40 + 2 * number + index
            values = {**vitals.DEFAULT_VALUES, "heart_rate": rate}
            await send(page, {"type": "set_vitals", "request_id": rate, "values": values})
    seen = [(await receive_type(monitor, "vitals"))["values"]["heart_rate"] for _ in range(2 * rounds)]
    stored = await sync_to_async(list)(
        SessionEvent.objects.order_by("created_at").values_list("heart_rate", flat=True)
    )
    assert seen == stored and sorted(seen) == list(range(40, 40 + 2 * rounds))
    await disconnect_all(owner, cotrainer, monitor)
