"""The control page's live fragments: each change reaches the control socket with the rows it
adds, rendered by the server in the page's language, exactly as the page renders them on a reload
(sessions_app/fragments.py). The page's script inserts them and builds nothing itself."""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from live.tests.ws import HOST, ORIGIN, disconnect_all, receive_type, session_cookie
from sessions_app import services
from shiller.asgi import application
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db(transaction=True)


async def control_in(session, trainer, language: str) -> WebsocketCommunicator:
    headers = [
        HOST,
        ORIGIN,
        (b"cookie", await sync_to_async(session_cookie)(trainer)),
        (b"accept-language", language.encode()),
    ]
    communicator = WebsocketCommunicator(application, f"/ws/control/{session.pk}/", headers=headers)
    assert (await communicator.connect())[0]
    return communicator


def reloaded(session, trainer, language: str) -> str:
    client = Client()
    client.force_login(trainer)
    url = reverse("sessions:control", args=[session.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def inner(body: str, element_id: str) -> str:
    return tight(re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|tbody)>', body, re.S).group(1))


def tight(html: str) -> str:
    """HTML without the template's layout whitespace between tags."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_a_change_brings_the_rows_the_page_renders_in_its_language(alice, language):
    session = await sync_to_async(make_session)(alice)
    page = await control_in(session, alice, language)
    await sync_to_async(services.apply_vitals)(session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 80})
    await receive_type(page, "vitals")
    change = {**vitals.DEFAULT_VALUES, "heart_rate": 140, "temperature": 39.5}
    await sync_to_async(services.apply_vitals)(session.pk, change, transition_seconds=180)
    html = (await receive_type(page, "vitals"))["html"]

    body = await sync_to_async(reloaded)(session, alice, language)
    assert tight(html["current_values"]) == inner(body, "current-values")
    assert tight(html["trend_rows"]) == inner(body, "trend-rows")
    assert inner(body, "event-rows").startswith(tight(html["event_row"]))
    words = {
        "en": ("HR 140", "Heart rate", "Values changed", "3 min", "39.5"),
        "fr": ("FC 140", "Fréquence cardiaque", "Valeurs modifiées", "3 min", "39,5"),
    }[language]
    shown = html["current_values"] + html["trend_rows"] + html["event_row"]
    assert all(word in shown for word in words), (words, shown)
    await disconnect_all(page)


@pytest.mark.parametrize(
    "language, labels",
    [
        ("en", ("Alarm limits changed", "NIBP measurement started", "Automatic NIBP changed")),
        ("fr", ("Seuils d'alarme modifiés", "Début de la mesure de PNI", "PNI automatique modifiée")),
    ],
)
async def test_a_setting_brings_its_row_with_the_values_shown_then(alice, language, labels):
    session = await sync_to_async(make_session)(alice)
    await sync_to_async(services.apply_vitals)(session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 97})
    page = await control_in(session, alice, language)
    await sync_to_async(services.set_alarm_limits)(session.pk, {"heart_rate": [40, 150]})
    await sync_to_async(services.start_nibp)(session.pk)
    await sync_to_async(services.set_nibp_interval)(session.pk, 5)
    rows = [
        (await receive_type(page, kind))["html"]
        for kind in ("alarm_limits", "nibp_started", "nibp_interval")
    ]
    body = await sync_to_async(reloaded)(session, alice, language)
    newest_first = "".join(row["event_row"] for row in reversed(rows))
    assert inner(body, "event-rows").startswith(tight(newest_first))
    for row, label in zip(rows, labels):
        assert f"<td>{label}</td>" in row["event_row"].replace("&#x27;", "'")
        assert "<td>97</td>" in row["event_row"]  # the heart rate shown then
        assert set(row) == {"event_row"}  # a setting changes neither the values nor the trend
    await disconnect_all(page)
