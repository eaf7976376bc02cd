"""The debrief of a long session stays readable and light: its plot drawn from a few points
per pixel with the peaks kept (LTTB), alarms, steps and notes exact; its list a page at a time;
its CSV streamed."""

import datetime
import re

import pytest
from django.urls import reverse

from sessions_app import debrief
from sessions_app.models import SessionEvent, SessionNote
from shiller.tests.factory import T0, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def test_lttb_keeps_the_ends_and_a_spike_and_bounds_the_count():
    points = [(float(x), 60.0) for x in range(5000)]
    points[2345] = (2345.0, 180.0)  # one beat of tachycardia among thousands
    kept = debrief.lttb(points, 100)
    assert len(kept) == 100
    assert kept[0] == 0 and kept[-1] == 4999
    assert 2345 in kept
    assert kept == sorted(kept)


def test_lttb_leaves_short_lines_alone():
    points = [(float(x), float(x % 7)) for x in range(50)]
    assert debrief.lttb(points, 100) == list(range(50))


def long_session(trainer, count=3000):
    session = make_session(trainer, now=T0, minutes=24 * 60)
    values = dict(vitals.DEFAULT_VALUES)
    events = []
    for number in range(count):
        heart_rate = 190 if number == 1500 else 60 + number % 30
        step = {"step": 1} if number == 2000 else {}
        events.append(SessionEvent(
            session=session, created_at=T0 + datetime.timedelta(seconds=2 * number), detail=step,
            **{**{f: values.get(f) for f in vitals.NUMBER_FIELDS}, "heart_rate": heart_rate},
            flags=values["flags"],
        ))  # fmt: skip
    SessionEvent.objects.bulk_create(events)
    SessionNote.objects.create(session=session, text="Handover", at=T0 + datetime.timedelta(seconds=301))
    session.closed_at = T0 + datetime.timedelta(seconds=2 * count)
    session.save(update_fields=["closed_at"])
    return session


def test_a_long_sessions_plot_keeps_its_peak_and_marks_exact(alice_client, alice):
    session = long_session(alice)
    page = alice_client.get(reverse("sessions:debrief", args=[session.pk])).content.decode()
    plot = debrief.plot(debrief.timeline(session))
    heart = next(series for series in plot["series"] if series["name"] == "heart_rate")
    assert len(heart["markers"]) <= debrief.MAX_MARKERS + 2
    assert heart["path"].count("L") <= debrief.MAX_PATH_POINTS + 2
    # The 190 at 50:00 is still drawn: the highest point of the line.
    assert any(marker["title"].endswith(" 190") for marker in heart["markers"])
    assert [step["label"] for step in plot["steps"]] == ["Step 2"]
    assert len(plot["notes"]) == 1
    assert len(page) < 1_000_000


def test_a_long_list_comes_a_page_at_a_time(alice_client, alice):
    session = long_session(alice, count=450)
    url = reverse("sessions:debrief", args=[session.pk])
    first = alice_client.get(url).content.decode()
    assert "Rows 1 to 200 of 451" in first
    assert first.count('class="event-row') == 199  # and the note
    assert 'href="?page=2#what-happened"' in first and "Earlier" not in first
    assert 'class="note-row"' in first  # 05:01, among the first rows
    last = alice_client.get(url + "?page=3").content.decode()
    assert "Rows 401 to 451 of 451" in last and "Later" not in last
    assert last.count('class="event-row') == 51 and 'class="note-row"' not in last
    every = alice_client.get(url + "?all=1").content.decode()
    assert every.count('class="event-row') == 450 and 'class="note-row"' in every
    french = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Lignes 1 à 200 sur 451" in french


def test_a_short_list_has_no_pages(alice_client, alice):
    session = long_session(alice, count=20)
    page = alice_client.get(reverse("sessions:debrief", args=[session.pk])).content.decode()
    assert "Rows 1 to" not in page and page.count('class="event-row') == 20
    assert re.search(r'<nav class="pager', page) is None
