"""manage.py connected: the sockets of each server process."""

import io
import os

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command

from live.fanout import get_hub
from live.tests.ws import TIMEOUT, control, screen
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def connected() -> str:
    out = io.StringIO()
    call_command("connected", stdout=out)
    return out.getvalue()


async def test_it_lists_this_process_with_its_screens_and_control_pages(alice, bob):
    sessions = [
        await sync_to_async(make_session)(trainer, code=code)
        for trainer, code in ((alice, "ABC234"), (bob, "XYZ789"))
    ]
    sockets = [screen(sessions[0].code), screen(sessions[0].code), screen(sessions[1].code)]
    sockets.append(await control(sessions[0], alice))
    for socket in sockets:
        assert (await socket.connect())[0]
        await socket.receive_json_from(timeout=TIMEOUT)
    await get_hub().publish_process()

    lines = (await sync_to_async(connected)()).splitlines()
    assert lines[0].split() == ["host", "pid", "screens", "control", "sessions", "state", "reported", "at"]
    row = next(line.split() for line in lines if str(os.getpid()) in line.split())
    assert row[2:6] == ["3", "1", "2", "serving"]
    assert lines[-1].split()[:4] == ["total", "3", "1", "2"]
    for socket in sockets:
        await socket.disconnect()


def test_it_says_when_no_process_has_sockets():
    assert connected() == "No server process has sockets.\n"
