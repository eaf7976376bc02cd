"""The debrief of a long session (issue 21): a plot drawn from a few points per unit of its
width, the table of what happened in pages, the CSV streamed."""

import csv
import datetime
import io
import re

import pytest
import redis
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from assessment import scoring
from sessions_app import debrief
from sessions_app.models import Session, SessionNote
from sessions_app.tests.played import T0, at, long_session
from simulator import vitals


def _page(client, session, query="") -> str:
    return client.get(reverse("sessions:debrief", args=[session.pk]) + query).content.decode()


def _plot(body: str) -> str:
    return body[body.index('<svg class="debrief-plot"') : body.index("</svg>")]


def _offsets(body: str) -> list[str]:
    table = body[body.index('id="debrief-events"') :]
    return re.findall(r"<time datetime=\"[^\"]+\">(\d+:\d\d)</time>", table)


# Downsampling ------------------------------------------------------------------------------


def _lttb(points, threshold):
    kept = debrief.lttb([x for x, _ in points], [y for _, y in points], threshold)
    return [points[index] for index in kept]


def test_lttb_keeps_the_first_and_the_last_within_the_threshold():
    points = [(x, (x * 37) % 101) for x in range(5000)]
    kept = _lttb(points, 300)
    assert len(kept) == 300
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert [x for x, _ in kept] == sorted({x for x, _ in kept})  # in order, each once


def test_lttb_keeps_a_spike_that_averaging_would_flatten():
    points = [(x, 80) for x in range(10_000)]
    points[6543] = (6543, 150)
    points[2001] = (2001, 20)
    kept = _lttb(points, 100)
    assert (6543, 150) in kept and (2001, 20) in kept


def test_lttb_leaves_fewer_points_than_the_threshold_alone():
    points = [(0, 1), (1, 5), (2, 3)]
    assert _lttb(points, 100) == points
    assert _lttb(points * 0, 100) == []


# The plot of a long session ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_long_session_is_plotted_from_a_few_points_per_unit_with_its_peak(alice, alice_client):
    session = long_session(alice, 3000, spike_at=1234, steps=(100, 2500))
    body = _page(alice_client, session)
    path = re.search(r'series-heart_rate">\s*<path class="line" d="([^"]+)"', body).group(1)
    corners = path.split(" ")
    assert len(corners) <= debrief.PLOT_WIDTH * debrief.POINTS_PER_UNIT + 2  # not 6,000
    spike_y = round(debrief.MARGIN_TOP + (1 - 150 / 150) * debrief.PLOT_HEIGHT, 1)
    assert any(corner.endswith(f",{spike_y}") for corner in corners)  # the peak is drawn
    markers = body.count('class="marker marker-heart_rate"')
    assert markers == debrief.MAX_MARKERS  # a marker every few units, not 3,000
    assert f"82:16 Values changed: {vitals.LABELS['heart_rate']} 150<" in body  # its marker kept
    # Steps are drawn exactly, each at its moment.
    assert body.count('class="step-mark"') == 2 and "Step 1" in body and "Step 2" in body


@pytest.mark.django_db
def test_a_long_sessions_alarms_are_shaded_exactly(alice, alice_client):
    session = long_session(alice, 1000, spike_at=500)
    line = debrief.timeline(session)
    # Above the default limit of 120 for the spike's 4 s only.
    assert debrief.alarm_periods(line) == [(at(2000), at(2004), "yellow")]
    assert _page(alice_client, session).count('class="alarm-period alarm-yellow"') == 1


# What is kept of an ended session ----------------------------------------------------------


@pytest.fixture
def drawings(monkeypatch):
    """How many times the plot's lines and marks were drawn from the events."""
    drawn = []
    draw = debrief._drawn_from_events

    def counted(line):
        drawn.append(line.session.pk)
        return draw(line)

    monkeypatch.setattr(debrief, "_drawn_from_events", counted)
    monkeypatch.setattr(debrief, "KEPT_FROM_EVENTS", 40)  # long enough to keep, for the tests
    return drawn


class CacheCalls(list):
    """The debrief's calls to the cache, by method name; each raises `fails_with` when set."""

    fails_with = None


@pytest.fixture
def cache_calls(monkeypatch):
    calls, inside = CacheCalls(), []
    methods = {name: getattr(debrief.cache, name) for name in ("get", "get_many", "set")}

    def calling(name):
        def call(*args, **kwargs):
            if not inside:  # the debrief's calls, not locmem's get_many asking get
                calls.append(name)
            if calls.fails_with is not None:
                raise calls.fails_with
            inside.append(name)
            try:
                return methods[name](*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in methods:
        monkeypatch.setattr(debrief.cache, name, calling(name))
    return calls


@pytest.mark.django_db
def test_an_ended_long_session_is_drawn_once_and_shown_the_same_after(
    alice, alice_client, drawings, monkeypatch
):
    session = long_session(alice, 60, spike_at=30, steps=(10,))
    read, read_with_values = debrief._read_events, []

    def reading(queryset, by_session, with_values=True):
        read_with_values.append(with_values)
        return read(queryset, by_session, with_values)

    monkeypatch.setattr(debrief, "_read_events", reading)
    first = _page(alice_client, session)
    again = _page(alice_client, session)
    assert drawings == [session.pk]
    assert _plot(again) == _plot(first)
    assert 'class="alarm-period alarm-yellow"' in again and "Step 1<" in again
    # Read without their values the second time, the events still make the table and the facts.
    assert read_with_values == [True, False]
    assert _offsets(again) == _offsets(first) and len(_offsets(again)) == 60
    assert 'id="event-count">60<' in again
    assert 'data-field="heart_rate" data-seconds="4' in again  # the time out of range, kept


@pytest.mark.django_db
def test_a_note_added_after_the_end_is_on_the_kept_plot(alice, alice_client, drawings):
    session = long_session(alice, 60)
    assert 'class="note-mark"' not in _page(alice_client, session)
    SessionNote.objects.create(session=session, text="Debrief: airway first", at=at(100))
    body = _page(alice_client, session)
    assert drawings == [session.pk]
    assert body.count('class="note-mark"') == 1 and "Debrief: airway first</title>" in body


@pytest.mark.django_db
def test_french_and_english_are_drawn_and_kept_apart(alice, alice_client, drawings):
    session = long_session(alice, 60, spike_at=30, steps=(10,))
    english = _page(alice_client, session)
    url = reverse("sessions:debrief", args=[session.pk])
    french = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<title>Outside the alarm limits</title>" in english and ">Step 1<" in english
    assert "<title>Hors des seuils d&#x27;alarme</title>" in french
    assert ">Étape 1<" in french and ">Step 1<" not in french
    assert _plot(alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()) == _plot(french)
    assert len(drawings) == 2  # once in each language


@pytest.mark.django_db
def test_an_open_or_short_session_is_drawn_at_each_visit(alice, alice_client, drawings):
    open_session = long_session(alice, 60)
    Session.objects.filter(pk=open_session.pk).update(
        closed_at=None, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    short = long_session(alice, 20, code="DEF567")
    for session in (open_session, open_session, short, short):
        _page(alice_client, session)
    assert drawings == [open_session.pk, open_session.pk, short.pk, short.pk]


@pytest.mark.django_db
def test_with_the_cache_unreachable_the_debrief_is_drawn_each_time(
    alice, alice_client, drawings, cache_calls, caplog
):
    cache_calls.fails_with = redis.exceptions.ConnectionError("Connection refused")
    session = long_session(alice, 60, steps=(10,))
    bodies = {_plot(_page(alice_client, session)) for _visit in range(2)}
    assert len(bodies) == 1 and "Step 1<" in bodies.pop()
    assert drawings == [session.pk, session.pk]
    assert "Cache unreachable, the debrief is drawn again" in caplog.text


@pytest.mark.django_db
def test_an_unreachable_cache_is_asked_once_a_page(alice, alice_client, drawings, cache_calls):
    # A Redis that hangs costs REDIS_TIMEOUT a call: the page's look-up is the only one.
    cache_calls.fails_with = redis.exceptions.TimeoutError("Timeout reading from socket")
    session = long_session(alice, 60, steps=(10,))
    assert "Step 1<" in _plot(_page(alice_client, session))
    assert len(cache_calls) == 1 and drawings == [session.pk]


@pytest.mark.django_db
def test_a_cohorts_times_out_of_range_are_kept_and_looked_up_in_one_call(
    alice, drawings, cache_calls, monkeypatch
):
    sessions = [long_session(alice, 60, spike_at=30), long_session(alice, 60, code="DEF567")]
    worked_out, out_of_range = [], debrief._out_of_range
    monkeypatch.setattr(
        debrief, "_out_of_range", lambda line: worked_out.append(line) or out_of_range(line)
    )
    def times_out_of_range():
        found = scoring.assess_many(sessions, out_of_range=True)
        return [found[session.pk].out_of_range for session in sessions]

    assert times_out_of_range() == [{"heart_rate": 4.0}, {}]
    assert len(worked_out) == 2 and cache_calls == ["get_many", "set", "set"]
    cache_calls.clear()
    assert times_out_of_range() == [{"heart_rate": 4.0}, {}]
    assert len(worked_out) == 2 and cache_calls == ["get_many"]  # kept: one call for the cohort
    cache_calls.clear()
    cache_calls.fails_with = redis.exceptions.TimeoutError("Timeout reading from socket")
    assert times_out_of_range() == [{"heart_rate": 4.0}, {}]
    assert len(worked_out) == 4 and cache_calls == ["get_many"]  # then drawn, not asked again


# The table in pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_table_shows_the_first_rows_and_links_to_the_later_ones(alice, alice_client):
    session = long_session(alice, 450)
    body = _page(alice_client, session)
    offsets = _offsets(body)
    assert len(offsets) == 200 and offsets[0] == "00:00" and offsets[-1] == "13:16"  # row 200
    assert "Rows 1 to 200 of 450" in body
    assert 'href="?page=2#what-happened">Later<' in body and ">Earlier<" not in body
    assert 'href="?all=1#what-happened">All rows, to print them<' in body
    assert 'id="event-count">450<' in body  # the facts count every event


@pytest.mark.django_db
def test_a_later_page_has_the_next_rows_and_links_both_ways(alice, alice_client):
    session = long_session(alice, 450)
    body = _page(alice_client, session, "?page=2")
    offsets = _offsets(body)
    assert len(offsets) == 200 and offsets[0] == "13:20" and offsets[-1] == "26:36"
    assert 'href="?page=1#what-happened">Earlier<' in body
    assert 'href="?page=3#what-happened">Later<' in body
    last = _page(alice_client, session, "?page=3")
    assert len(_offsets(last)) == 50 and "Rows 401 to 450 of 450" in last
    assert ">Later<" not in last
    assert _offsets(_page(alice_client, session, "?page=99")) == _offsets(last)  # the last
    assert _offsets(_page(alice_client, session, "?page=x"))[0] == "00:00"  # the first


@pytest.mark.django_db
def test_all_rows_are_on_one_page_to_print_them(alice, alice_client):
    session = long_session(alice, 450)
    body = _page(alice_client, session, "?all=1")
    assert len(_offsets(body)) == 450 and "Rows 1 to 450 of 450" in body
    assert 'href="?page=1#what-happened">In pages<' in body and ">Later<" not in body


@pytest.mark.django_db
def test_a_short_session_has_one_page_and_no_links(alice_client, played):
    body = _page(alice_client, played)
    assert len(_offsets(body)) == 4 and "debrief-pager" not in body


@pytest.mark.django_db
def test_notes_keep_their_number_and_place_on_a_later_page(alice, alice_client):
    session = long_session(alice, 450)
    SessionNote.objects.create(session=session, text="First", at=at(10))
    SessionNote.objects.create(session=session, text="Late call", at=at(1000.5))
    body = _page(alice_client, session, "?page=2")
    assert "Note 2" in body and "Late call" in body and "First" not in body.split("<table")[1]
    offsets = _offsets(body)
    assert offsets[offsets.index("16:40") + 1] == "16:40"  # after the event of that second


# The CSV, streamed ------------------------------------------------------------------------


def _csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.django_db
def test_the_csv_is_streamed_a_few_hundred_rows_at_a_time(alice, alice_client):
    session = long_session(alice, 1200)
    SessionNote.objects.create(session=session, text="Halfway", at=at(2400))
    r = alice_client.get(reverse("sessions:export", args=[session.pk]))
    assert r.status_code == 200 and r.streaming
    assert r["Content-Disposition"] == 'attachment; filename="shiller-ABC234-2026-03-02.csv"'
    chunks = list(r.streaming_content)
    assert chunks[0].startswith(b"at,seconds_since_start,kind,") and chunks[0].count(b"\n") == 1
    assert len(chunks) == 1 + 3  # the header first, then 1,201 rows by 500
    rows = _csv_rows(b"".join(chunks))
    assert len(rows) == 1201
    assert [row["seconds_since_start"] for row in rows[599:602]] == [
        "2396.000",
        "2400.000",
        "2400.000",
    ]
    assert rows[601]["kind"] == "note" and rows[601]["note"] == "Halfway"
    assert rows[-1]["seconds_since_start"] == "4796.000" and rows[-1]["kind"] == "vitals"


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_csv_streams_as_it_does_on_a_plain_request(alice):
    session = await sync_to_async(long_session)(alice, 700)
    url = reverse("sessions:export", args=[session.pk])
    client = AsyncClient()
    await sync_to_async(client.force_login)(alice)
    r = await client.get(url)
    assert r.status_code == 200 and r.streaming and r.is_async  # daphne sends it as it comes
    chunks = [chunk async for chunk in r.streaming_content]
    assert len(chunks) == 3
    rows = _csv_rows(b"".join(chunks))
    assert (
        len(rows) == 700 and rows[-1]["at"] == (T0 + datetime.timedelta(seconds=2796)).isoformat()
    )


@pytest.mark.django_db(transaction=True)
async def test_a_french_export_streamed_under_asgi_stays_french(alice):
    session = await sync_to_async(long_session)(alice, 600)
    client = AsyncClient()
    await sync_to_async(client.force_login)(alice)
    r = await client.get(
        reverse("sessions:export", args=[session.pk]), headers={"accept-language": "fr"}
    )
    body = b"".join([chunk async for chunk in r.streaming_content])
    assert body.startswith("\ufeffDate et heure;".encode())  # the BOM first, then French
    assert body.decode("utf-8-sig").count("Valeurs modifiées;") == 600  # late chunks too
