"""Who sees and drives a school's session: every trainer URL and the control socket, for each
of its owner, a co-trainer, an observer, the school's admin, a trainer of the same school not
on the session, a trainer of another school, and anonymous users.

Every trainer URL is one row of test_access.TRAINER_URLS, so a new URL is covered here too.
"""

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.urls import reverse

from live.tests.ws import control, disconnect_all, receive_type, refusal, send
from schools import access
from sessions_app import actions
from sessions_app.models import Session, SessionEvent, SessionNote
from sessions_app.tests.test_access import TRAINER_URLS
from shiller.tests.factory import make_faculty

# What each of them is to the session.
DRIVERS = ["owner", "cotrainer"]
WATCHERS = ["observer", "school_admin"]
STRANGERS = ["colleague", "other_school"]
# The rows that only show the session; the rest change it.
VIEWS = {"sessions:control", "sessions:debrief", "sessions:export", "sessions:replay",
         "sessions:replay_json", "assessment:xapi"}  # fmt: skip
# The faculty's own, any of them: notes and the checklist.
FACULTY_ROWS = {("sessions:note", ()), ("sessions:action", ("add_note",)),
                ("sessions:action", ("log_action",)), ("sessions:action", ("undo_action",))}  # fmt: skip
TEAM_ACTIONS = {("sessions:action", ("add_member",)), ("sessions:action", ("remove_member",))}


ALLOWED = "allowed"


def expected(role: str, name: str, more: tuple):
    """What each of them gets: 200 (a page), ALLOWED (the action is theirs: done, or refused
    for its data), 403 (they see the session, but this is not theirs to do), 404 (none of
    theirs)."""
    if role in STRANGERS:
        return 404
    if name in VIEWS:
        return 200
    if (name, more) in FACULTY_ROWS:
        return ALLOWED
    if (name, more) in TEAM_ACTIONS:
        return ALLOWED if role == "owner" else 403
    return ALLOWED if role in DRIVERS else 403


def stored(session) -> tuple[int, int, bool]:
    session = Session.objects.get(pk=session.pk)
    return SessionEvent.objects.count(), SessionNote.objects.count(), session.closed_at is not None


@pytest.fixture
def faculty(db):
    return make_faculty()


@pytest.mark.django_db
@pytest.mark.parametrize("role", DRIVERS + WATCHERS + STRANGERS)
@pytest.mark.parametrize("method, name, more, data", TRAINER_URLS)
def test_each_role_gets_what_it_may(client, faculty, role, method, name, more, data):
    session = faculty["session"]
    client.force_login(faculty[role])
    before = stored(session)
    if (name, more) == ("sessions:action", ("add_member",)):
        data = {"trainer": faculty["colleague"].pk, "role": "observer"}
    if (name, more) == ("sessions:action", ("remove_member",)):
        data = {"member": session.members.get(role="observer").pk}
    response = getattr(client, method)(reverse(name, args=[session.pk, *more]), data)
    status = expected(role, name, more)
    if status == ALLOWED:
        assert response.status_code in (302, 400), response.content[:300]
        return
    assert response.status_code == status, response.content[:300]
    if status == 403:
        assert "only" in response.content.decode().lower()  # the page says why
    if status in (403, 404):
        assert stored(session) == before
        assert session.members.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("role", DRIVERS + WATCHERS + STRANGERS)
def test_the_instant_change_statement_drives_as_the_access_rule_says(faculty, role):
    """access.drives_sql, the rule of the statement that stores an instant change, says what
    access.drivable_by says, of every role."""
    trainer, session = faculty[role], faculty["session"]
    condition, parameters = access.drives_sql(Session._meta.db_table, trainer)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {Session._meta.db_table} WHERE id = %s AND {condition})",
            [session.pk, *parameters],
        )
        drives = cursor.fetchone()[0]
    assert drives == access.drivable_by(trainer).filter(pk=session.pk).exists()
    assert drives == (role in DRIVERS)


@pytest.mark.django_db
def test_the_session_list_shows_each_what_they_may_see(client, faculty):
    code = faculty["session"].code
    for role in DRIVERS + WATCHERS + STRANGERS:
        client.force_login(faculty[role])
        page = client.get(reverse("sessions:list")).content.decode()
        assert (code in page) == (role not in STRANGERS), role


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", DRIVERS + WATCHERS + STRANGERS + ["anonymous"])
async def test_the_control_socket_admits_the_faculty_only(role):
    faculty = await sync_to_async(make_faculty)()
    socket = await control(faculty["session"], faculty.get(role))
    if role in DRIVERS + WATCHERS:
        connected, _code = await socket.connect()
        assert connected
        await receive_type(socket, "viewers")
        await socket.disconnect()
    else:
        assert await refusal(socket) == 4403


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", WATCHERS)
async def test_a_watchers_socket_refuses_every_change_with_one_code(role):
    faculty = await sync_to_async(make_faculty)()
    socket = await control(faculty["session"], faculty[role])
    await socket.connect()
    refused = [
        name
        for name, action in actions.ACTIONS.items()
        if action.senders & {actions.TRAINER, actions.OWNER} and actions.FACULTY not in action.senders
    ]
    assert "set_vitals" in refused and "add_member" in refused and "cpr" in refused
    for number, name in enumerate(refused):
        await send(socket, {"type": name, "request_id": number, "values": {"heart_rate": 150}})
        error = await receive_type(socket, "error")
        assert error["request_id"] == number
        assert error["code"] == "read_only"
        assert "only its trainers" in error["errors"]["type"]
    assert await sync_to_async(SessionEvent.objects.count)() == 0
    await disconnect_all(socket)
