"""A session after the fact: its timeline, the plot, the CSV export and the replay messages.

Everything here is read from the stored events and notes, the audit trail; nothing is written.
The plot is drawn on the server as SVG (the template `includes/debrief_plot.html` turns the
geometry computed here into markup; the marks a long session has thousands of are written here,
every text escaped as Django would). Alarm periods are
worked out per event interval from the alarm limits in force then (the defaults, then each
stored change of limits) and, along a trend, from samples of the values shown (at most
TREND_SAMPLES per trend), so a period may start or end a few seconds off along a long trend.

A long session (10,000 events) keeps the page small: each line is downsampled to a few points
per unit of the plot's width, and the event markers to one every few units, both by
largest-triangle-three-buckets so that peaks survive; alarm periods, steps, notes, shocks and
compressions are drawn exactly.
"""

import bisect
import csv
import datetime
import functools
import gc
import hashlib
import heapq
import io
import itertools
import json
import logging
import math
import operator
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape  # as Django's escape, without its lazy-string wrapper: thousands of calls
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import FloatField, Max, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy

from assessment.expected import by_key as expected_by_key
from assessment.expected import display_name, translator
from sessions_app import fragments, results, services
from sessions_app.models import Session, SessionEvent, SessionNote, SessionResult
from shiller.cache import CACHE_ERRORS
from simulator import alarms, cuff, trends, vitals

logger = logging.getLogger(__name__)

# The plot's user units; the SVG scales to the width of its box (screen or A4 page).
WIDTH, HEIGHT = 1000, 380
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 24, 28, 36
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
MIN_SPAN_SECONDS = 60
TREND_SAMPLES = 60
TICK_STEPS_SECONDS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_TICKS = 10
# A line's points per unit of width (the plot is about a pixel a unit on a screen), and the
# most markers a line shows: beyond that they overlap into a smear (r = 3).
POINTS_PER_UNIT = 2
MAX_MARKERS = PLOT_WIDTH // 6

# The numbers an alarm reads besides the blood pressure, which it reads from the cuff.
ALARMED_NUMBERS = tuple(
    name for name in vitals.NUMBER_FIELDS if name not in ("systolic", "diastolic")
)

ALWAYS_PLOTTED = ("heart_rate", "spo2", "systolic", "diastolic")
# Plotted only when some event has them: a monitor without the sensor has nothing to show.
PLOTTED_WHEN_USED = ("respiratory_rate", "etco2")


# The numbers of the export's first columns; the invasive lines' (issue 15) come last, so that
# scripts reading the older columns by position still work.
CSV_NUMBERS = tuple(name for name in vitals.NUMBER_FIELDS if name not in vitals.INVASIVE_FIELDS)
# The flags added since (issues 14 and 15), after the invasive lines for the same reason.
CSV_LATER_FLAGS = (
    "ecg_leads_off",
    "no_pulse",
    "ectopy_every",
    "ecg_lead2",
    "abp_damping",
    "pulsus_paradoxus",
    "artefacts",
)
# The export's columns: the identifier an English export heads it with (scripts read those),
# and the heading a spreadsheet in another language shows.
CSV_COLUMNS = (
    ("at", gettext_lazy("Date and time")),
    ("seconds_since_start", gettext_lazy("Seconds since the start")),
    ("kind", gettext_lazy("Event")),
    *((name, vitals.LABELS[name]) for name in CSV_NUMBERS),
    ("rhythm", vitals.LABELS["rhythm"]),
    ("alarm", vitals.LABELS["alarm"]),
    ("spo2_probe_off", vitals.LABELS["spo2_probe_off"]),
    ("hidden", gettext_lazy("Not connected")),
    ("transition_seconds", gettext_lazy("Transition (seconds)")),
    ("step", gettext_lazy("Step")),
    ("note", gettext_lazy("Note")),
    *((name, vitals.LABELS[name]) for name in vitals.INVASIVE_FIELDS),
    *((name, vitals.LABELS[name]) for name in CSV_LATER_FLAGS),
    # The trainee's treatment (issue 16): what was done, as JSON ({"joules": 200, ...}).
    ("detail", gettext_lazy("Detail")),
    # Issue 16's results: the kind, the title and the rows on one line.
    ("result_kind", gettext_lazy("Result")),
    ("result_title", gettext_lazy("Result title")),
    ("result_values", gettext_lazy("Result values")),
    # Issue 17: who did it (a trainer, a trainee screen) or wrote the note.
    ("author", gettext_lazy("Author")),
)
# The columns after the note's, empty on a note's row.
CSV_AFTER_NOTE = len(vitals.INVASIVE_FIELDS) + len(CSV_LATER_FLAGS) + 4
NOTE_KIND = "note"
ACTION_KIND = "action"
# Rows read from the database, and sent, at a time.
CSV_CHUNK_ROWS = 500
# From how many events what is drawn of an ended session is kept (kept_once_final), and how
# long: a shorter session's is drawn in a few milliseconds (bench/debrief.py: 1,000 events,
# 130 ms for the whole page).
KEPT_FROM_EVENTS = 1_000
KEPT_SECONDS = 24 * 3600
# What the cache had under a name it was asked for: nothing.
KEPT_MISSING = object()
# Rows of events fetched at a time for the debrief: a 10,000-event session in one.
READ_CHUNK_ROWS = 10_000
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP's
# list: https://owasp.org/www-community/attacks/CSV_Injection); a leading ' makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@contextmanager
def no_cycle_collection():
    """Pause the garbage collector's cycle passes while a long session's page is built.

    Reading 10,000 events allocates so many objects that the collector's passes over them took
    half the time of the debrief (measured: bench/debrief.py). Nothing built here forms cycles
    that must go at once (reference counting frees the rest); the passes resume after, and the
    collector is left as it was found.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Event(NamedTuple):
    """What the debrief reads of each stored event: a long session has 10,000 of them, and
    model instances were most of the time spent reading them (bench/debrief.py). The table
    reads its page's rows whole."""

    id: uuid.UUID
    created_at: datetime.datetime
    kind: str
    values: dict | None  # as SessionEvent.values; None when read without (_read_events)
    transition_seconds: int
    detail: dict


def events(session: Session) -> list[Event]:
    """The session's events, oldest first."""
    return _read_events(session.events.all(), None)


def events_of(queryset) -> dict[uuid.UUID, list[Event]]:
    """The events of `queryset` (of several sessions: a cohort), oldest first, by session."""
    found = {}
    _read_events(queryset, found)
    return found


def _read_events(queryset, by_session: dict | None, with_values: bool = True) -> list[Event]:
    """The events of `queryset`, oldest first; into `by_session` (by their session) when given.
    A single session's are read without their session's id: 10,000 UUIDs to decode. Without
    their values (None) when what they draw is kept: half the reading.

    The rows come from the query's compiler, many thousands a fetch: Django's iteration of a
    values_list (a hundred rows a fetch, each row passed on through its iterables) cost a
    sixth to a third more (10,000 events, the least of 15 readings: 115 ms of CPU against 98,
    186 ms against 131 in all). The columns come as the debrief uses them: the temperature as
    a float, the flags and the detail as text, since a session's take few distinct values
    (most details are {}) and each is decoded once."""
    grouped = by_session is not None
    queryset = (
        queryset.order_by("created_at", "id")
        .annotate(
            flags_text=Cast("flags", TextField()),
            detail_text=Cast("detail", TextField()),
            temperature_float=Cast("temperature", FloatField()),
        )
        .values_list(
            *(("session_id",) if grouped else ()), "id", "created_at", "kind",
            *(("temperature_float" if name == "temperature" else name)
              for name in (vitals.NUMBER_FIELDS if with_values else ())),
            *(("flags_text",) if with_values else ()), "transition_seconds", "detail_text",
        )  # fmt: skip
    )
    # Converters only where the database needs them (SQLite's datetimes and UUIDs).
    rows = queryset.query.get_compiler(queryset.db).results_iter(chunk_size=READ_CHUNK_ROWS)
    decoded, found = {}, []
    for row in rows:
        session_id, row = (row[0], row[1:]) if grouped else (None, row)
        event_id, at, kind, *numbers, seconds, detail_text = row
        values = None
        if with_values:
            *numbers, flags_text = numbers
            values = dict(zip(vitals.NUMBER_FIELDS, numbers))
            if (flags := decoded.get(flags_text)) is None:
                flags = decoded[flags_text] = json.loads(flags_text)
            values["flags"] = flags
        if (detail := decoded.get(detail_text)) is None:
            detail = json.loads(detail_text)
            if not detail:  # Shared only when empty: the others are each event's own.
                decoded[detail_text] = detail
        event = Event(event_id, at, kind, values, seconds, detail)
        if grouped:
            by_session.setdefault(session_id, []).append(event)
        else:
            found.append(event)
    return found


@dataclass
class Timeline:
    session: Session
    events: list[Event]  # oldest first
    notes: list[SessionNote]
    # The results sent, by id (each sending is an event of kind "result").
    results: dict[str, SessionResult]
    started_at: datetime.datetime
    ended_at: datetime.datetime
    # What the faculty logged (assessment.LoggedAction), undos included, oldest first.
    actions: list = field(default_factory=list)
    # What the cache had for kept_once_final when asked ahead, by name (KEPT_MISSING: nothing).
    kept: dict = field(default_factory=dict, repr=False)
    # The cache did not answer: kept_once_final then draws without asking again, since a
    # Redis that hangs costs REDIS_TIMEOUT a call.
    cache_unreachable: bool = field(default=False, repr=False)
    # _judged by resolution: the plot's alarm periods and the time out of range read the same.
    judged: dict = field(default_factory=dict, repr=False)

    def seconds(self, at: datetime.datetime) -> float:
        return (at - self.started_at).total_seconds()

    @property
    def span_seconds(self) -> float:
        return max(self.seconds(self.ended_at), MIN_SPAN_SECONDS)

    @property
    def resolution(self) -> float:
        """How finely trends are judged for alarms: no finer than the plot draws (a unit is
        40 s of a 10,000-event session), and never below a second (_sample_intervals)."""
        return self.span_seconds / PLOT_WIDTH / 2

    @functools.cached_property
    def segments(self) -> list["Segment"]:
        """From each change of values to the next: what the plot and the alarms are drawn from
        (an ended long session's are kept drawn, and this is not needed then)."""
        changes = [event for event in self.events if event.kind in SessionEvent.VALUE_KINDS]
        segments = []
        for index, event in enumerate(changes):
            last = index + 1 == len(changes)
            next_start = self.ended_at if last else changes[index + 1].created_at
            trend_from = event.detail.get("from") if event.transition_seconds else None
            segments.append(
                Segment(
                    event.created_at,
                    max(next_start, event.created_at),
                    event.values,
                    trend_from,
                    event.transition_seconds if trend_from is not None else 0,
                )
            )
        return segments

    @functools.cached_property
    def expected(self) -> dict[str, dict]:
        return expected_by_key(self.session)

    def action_name(self, action) -> str:
        return logged_action_name(self.session, self.expected, action)

    @functools.cached_property
    def undone(self) -> set:
        """The ids of the logged actions an undo took back."""
        return {action.undoes_id for action in self.actions if action.undoes_id is not None}


def _kept_key(session, name: str, count: int, last_id, ended_at: datetime.datetime) -> str:
    return f"debrief:{_drawing_code()}:{name}:{session.pk}:{count}:{last_id}:{ended_at.timestamp()}"


def _kept_for_the_page(session: Session, now: datetime.datetime | None) -> dict | None:
    """What a debrief page draws from the events (its plot in the page's language, the time out
    of range), by name: what is kept, or KEPT_MISSING; empty when nothing is kept for this
    session, None when the cache is unreachable. Two small queries find the keys."""
    if session.is_open(now):
        return {}
    count = session.events.count()
    if count < KEPT_FROM_EVENTS:
        return {}
    newest = session.events.order_by("-created_at", "-id")
    last_id, last_at = newest.values_list("id", "created_at")[0]
    ended_at = max(session.ended_at(now), last_at)  # as timeline_of's end
    names = (f"plot.{translation.get_language()}", "out_of_range")
    keys = {name: _kept_key(session, name, count, last_id, ended_at) for name in names}
    if (found := _get_many(keys.values())) is None:
        return None
    return {name: found.get(key, KEPT_MISSING) for name, key in keys.items()}


def _get_many(keys) -> dict | None:
    """The cache's entries under `keys`, or None (logged) when it does not answer."""
    try:
        return cache.get_many(list(keys))
    except CACHE_ERRORS:
        logger.warning("Cache unreachable, the debrief is drawn again", exc_info=True)
        return None


@functools.cache
def _drawing_code() -> str:
    """A digest of the code and the translations that draw the debrief."""
    modules = (__file__, alarms.__file__, cuff.__file__, trends.__file__, vitals.__file__,
               fragments.__file__)  # fmt: skip
    translations = sorted(
        path for root in settings.LOCALE_PATHS for path in Path(root).rglob("*.mo")
    )
    digest = hashlib.sha256()
    for path in (*modules, *translations):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def kept_once_final(line: Timeline, name: str, work_out):
    """work_out(line), kept in the cache once the session has ended and is long.

    An ended session's events are final (none are added once it is closed or expired, and
    SessionEvent refuses changes and deletes: EventsAreFinal), so what is drawn from them alone
    (the plot's lines and marks, the time out of range) is the same at every visit: a
    10,000-event session's took two fifths of its debrief (bench/debrief.py), and its later
    visits read the events without their values (timeline). The key names what it was drawn
    from: the events (their number and the last), the end, and the code and translations that
    draw (a deploy that changes them draws again). With the cache unreachable it is worked out
    each time."""
    if (kept := line.kept.get(name)) is not None and kept is not KEPT_MISSING:
        return kept
    if not _keeps(line) or line.cache_unreachable:
        return work_out(line)
    key = _line_key(line, name)
    try:
        kept = None if kept is KEPT_MISSING else cache.get(key)
    except CACHE_ERRORS:
        logger.warning("Cache unreachable, the debrief is drawn again", exc_info=True)
        line.cache_unreachable = True
        return work_out(line)
    if kept is None:
        kept = work_out(line)
        try:
            cache.set(key, kept, KEPT_SECONDS)
        except CACHE_ERRORS:
            logger.warning("Cache unreachable, the debrief is not kept", exc_info=True)
            line.cache_unreachable = True
    return kept


def look_up_kept(lines, name: str) -> None:
    """Find what is kept under `name` for each of `lines` (a cohort's) in one call to the cache,
    not one a session: a Redis that hangs costs REDIS_TIMEOUT a call."""
    keys = {_line_key(line, name): line for line in lines if _keeps(line) and name not in line.kept}
    if not keys:
        return
    found = _get_many(keys)
    for key, line in keys.items():
        if found is None:
            line.cache_unreachable = True
        else:
            line.kept[name] = found.get(key, KEPT_MISSING)


def _keeps(line: Timeline) -> bool:
    """Whether what `line`'s events draw is kept: its session ended, and is long."""
    return len(line.events) >= KEPT_FROM_EVENTS and not line.session.is_open(line.ended_at)


def _line_key(line: Timeline, name: str) -> str:
    return _kept_key(line.session, name, len(line.events), line.events[-1].id, line.ended_at)


def logged_action_name(session: Session, expected: dict[str, dict], action) -> str:
    """A logged action's name: that of the expected action it ticks (`expected`, by key),
    else as typed."""
    ticked = expected.get(action.expected_key)
    return display_name(ticked, translator(session.template)) if ticked else action.name


@dataclass(slots=True)
class Segment:
    """From one change of values to the next (or the end): its target, and the trend toward it
    (the values it starts from, over `seconds`), as SessionEvent.trend has it."""

    start: datetime.datetime
    end: datetime.datetime
    target: dict
    trend_from: dict | None
    seconds: int
    # The values shown as it starts, asked for by the plot's corners, its markers and the alarms.
    at_start: dict = field(init=False)

    def __post_init__(self):
        self.at_start = trends.between(self.trend_from, self.target, 0.0 if self.seconds else 1.0)

    def values_at(self, at: datetime.datetime) -> dict:
        if not self.seconds:
            return self.target
        if at <= self.start:
            return self.at_start
        # As trends.progress, without parsing the trend's start again at each moment.
        fraction = min(max((at - self.start).total_seconds() / self.seconds, 0.0), 1.0)
        return trends.between(self.trend_from, self.target, fraction)

    @property
    def ramp_end(self) -> datetime.datetime:
        if not self.seconds:
            return self.start
        return min(self.start + datetime.timedelta(seconds=self.seconds), self.end)


def timeline(session: Session, now: datetime.datetime | None = None) -> Timeline:
    """The debrief's timeline. When what the page draws from the events is kept (an ended long
    session seen before), the events are read without their values, which only drawing needs."""
    notes = list(session.notes.select_related("author").order_by("at", "created_at"))
    sent = {str(result.pk): result for result in session.results.all()}
    looked_up = _kept_for_the_page(session, now)
    all_kept = bool(looked_up) and KEPT_MISSING not in looked_up.values()
    stored = _read_events(session.events.all(), None, with_values=not all_kept)
    line = timeline_of(session, stored, notes, sent, now)
    line.kept, line.cache_unreachable = looked_up or {}, looked_up is None
    line.actions = logged_actions(session)
    return line


def logged_actions(session: Session) -> list:
    return list(session.logged_actions.select_related("author").order_by("at", "id"))


def timeline_of(
    session: Session,
    stored: list[Event],
    notes: list[SessionNote] | None = None,
    sent: dict[str, SessionResult] | None = None,
    now: datetime.datetime | None = None,
) -> Timeline:
    """The timeline of events already read (a cohort's, in one query: without its notes and
    results, which the scoring does not need)."""
    end = session.ended_at(now)
    if stored:
        end = max(end, stored[-1].created_at)
    return Timeline(session, stored, notes or [], sent or {}, session.created_at, end)


def format_offset(seconds: float) -> str:
    """mm:ss since the start; minutes go past 59 rather than adding hours."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def parse_seconds(text: str) -> int | None:
    """Whole seconds from ASCII digits ("90"), or None when it is not that."""
    return int(text) if re.fullmatch(r"\d{1,7}", text, re.ASCII) else None


def parse_offset(text: str) -> int | None:
    """Seconds from "mm:ss" (or "m:ss"), or None when it is not that."""
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
    match = re.fullmatch(r"(\d+):([0-5]\d)", text.strip(), re.ASCII)
    return int(match[1]) * 60 + int(match[2]) if match else None


def step_number(event: SessionEvent | None) -> int | None:
    """The scenario step an event applied, counted from 1 as the control page shows it."""
    index = event.detail.get("step") if event else None
    return None if index is None else index + 1


# Alarms -----------------------------------------------------------------------------------


def alarm_periods(
    line: Timeline, resolution: float | None = None
) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """(start, end, level) of each period with an alarm condition, merged when contiguous.

    Along a trend, the values are judged every `resolution` seconds at the finest (by default
    the line's: the plot's).

    As on the monitor, blood pressure alarms on the cuff's last reading, not on the pressure of
    the moment.
    """
    judged = _judged(line, resolution)
    levels = [
        alarms.alarm_level(values, limits, shown)
        for (values, limits), shown in zip(judged.cases, judged.shown)
    ]
    periods = []
    for start, end, case in judged.intervals:
        if (level := levels[case]) is None or end <= start:
            continue
        if periods and periods[-1][2] == level and periods[-1][1] == start:
            periods[-1] = (periods[-1][0], end, level)
        else:
            periods.append((start, end, level))
    return periods


def out_of_range(line: Timeline) -> dict[str, float]:
    """Seconds each vital with alarm limits was shown outside them (the yellow alarm's rule,
    on the values alarm_periods judges, as finely); a vital never outside, or never shown, is
    left out."""
    return kept_once_final(line, "out_of_range", _out_of_range)


def _out_of_range(line: Timeline) -> dict[str, float]:
    judged = _judged(line, None)
    outside = [
        _outside_limits(shown, limits) for (_values, limits), shown in zip(judged.cases, judged.shown)
    ]
    seconds = {}
    for start, end, case in judged.intervals:
        for name in outside[case]:
            seconds[name] = seconds.get(name, 0.0) + (end - start).total_seconds()
    return {name: seconds[name] for name in vitals.DEFAULT_ALARM_LIMITS if seconds.get(name)}


def _outside_limits(shown: dict, limits: dict) -> list[str]:
    """The vitals shown (alarms.shown_values) outside their limits, red or not (an SpO2 of 80
    is out of range too)."""
    return [
        name
        for name, (low, high) in limits.items()
        if name in shown and shown[name] is not None and not low <= shown[name] <= high
    ]


class _Judged(NamedTuple):
    # (start, end, case) over which the values shown, the cuff's reading and the limits hold.
    intervals: list[tuple[datetime.datetime, datetime.datetime, int]]
    # Each case once: (the values an alarm reads, the limits). A long session repeats few.
    cases: list[tuple[dict, dict]]
    # Each case's numbers as a monitor shows them (alarms.shown_values): both readers need them.
    shown: list[dict]


def _judged(line: Timeline, resolution: float | None) -> _Judged:
    """The intervals alarms are judged on (along a trend, sampled), worked out once per line
    and resolution."""
    resolution = line.resolution if resolution is None else resolution
    if (found := line.judged.get(resolution)) is None:
        found = line.judged[resolution] = _judge(line, resolution)
    return found


def _judge(line: Timeline, resolution: float) -> _Judged:
    limit_changes = _Timed(
        (event.created_at, event.detail["limits"])
        for event in line.events
        if event.kind == SessionEvent.ALARM_LIMITS
    )
    segments = _Timed((segment.start, segment) for segment in line.segments)
    readings = _Timed(
        (taken_at, segment.values_at(taken_at) if (segment := segments.latest(taken_at)) else {})
        for taken_at in _measurement_ends(line)
    )
    cut_moments = sorted((*limit_changes.moments, *readings.moments))
    numbers = operator.itemgetter(*ALARMED_NUMBERS)
    case_of, cases, intervals = {}, [], []
    for segment in line.segments:
        cuts = cut_moments[
            bisect.bisect_right(cut_moments, segment.start) : bisect.bisect_left(
                cut_moments, segment.end
            )
        ]
        for start, end in _sample_intervals(segment, cuts, resolution):
            limits = limit_changes.latest(start) or vitals.DEFAULT_ALARM_LIMITS
            reading = readings.latest(start) or {}
            values = segment.values_at(start)
            # The flags and the limits are each one of the session's few (events keeps them alive).
            key = (
                numbers(values),
                reading.get("systolic"),
                reading.get("diastolic"),
                id(values["flags"]),
                id(limits),
            )
            if (case := case_of.get(key)) is None:
                case = case_of[key] = len(cases)
                shown = {
                    **values,
                    "systolic": reading.get("systolic"),
                    "diastolic": reading.get("diastolic"),
                }
                cases.append((shown, limits))
            intervals.append((start, end, case))
    return _Judged(intervals, cases, [alarms.shown_values(values) for values, _limits in cases])


def _measurement_ends(line: Timeline) -> list[datetime.datetime]:
    """As nibp.measurement_ends, from the events already read (no query: a cohort reads many)."""
    manual = [e.created_at for e in line.events if e.kind == SessionEvent.NIBP_STARTED]
    cycles = [
        (e.created_at, e.detail["minutes"])
        for e in line.events
        if e.kind == SessionEvent.NIBP_INTERVAL
    ]
    return cuff.completed_measurements(manual, cycles, line.ended_at)


class _Timed:
    """(moment, thing) pairs, oldest first, looked up by bisection: a long session has
    thousands of changes, limits and cuff readings."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.moments = [moment for moment, _ in pairs]
        self.things = [thing for _, thing in pairs]

    def latest(self, at: datetime.datetime):
        """The newest thing at or before `at`, or None."""
        index = bisect.bisect_right(self.moments, at)
        return self.things[index - 1] if index else None


def _sample_intervals(segment: Segment, cuts: list[datetime.datetime], resolution: float):
    """Sub-intervals of a segment, cut where the limits change too, each judged at its start."""
    ramp_end = segment.ramp_end
    if not cuts and ramp_end == segment.start:
        return [(segment.start, segment.end)]  # most changes: at once, nothing in between
    moments = [segment.start]
    if ramp_end > segment.start:
        finest = datetime.timedelta(seconds=max(resolution, 1))
        step = max((ramp_end - segment.start) / TREND_SAMPLES, finest)
        moment = segment.start + step
        while moment < ramp_end:
            moments.append(moment)
            moment += step
        moments.append(ramp_end)
    moments = sorted({*moments, *cuts, segment.end})
    return [(a, b) for a, b in zip(moments, moments[1:]) if b > a] or [(segment.start, segment.end)]


# The plot ---------------------------------------------------------------------------------


def plotted_fields(events: list[Event]) -> list[str]:
    used = [
        name for name in PLOTTED_WHEN_USED if any(e.values[name] is not None for e in events)
    ]
    return [*ALWAYS_PLOTTED, *used]


def plot(line: Timeline) -> dict | None:
    """The plot's geometry for the template, or None when there is nothing to draw. The marks
    of which a long session has thousands (points, alarm periods, steps, notes, shocks) come as
    SVG, written here rather than by template loops: coordinates as Python writes floats (never
    localised), every text escaped.

    What is drawn from the events alone is kept once the session has ended (kept_once_final):
    the notes and the logged actions, which may still be added, are drawn for each page."""
    if not line.events:
        return None
    drawn = kept_once_final(line, f"plot.{translation.get_language()}", _drawn_from_events)
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    x = _x_scale(line)
    # Outside the f-strings, where makemessages would not find them.
    note_label = pgettext("note marker on the plot", "N%(number)s")
    return {
        **drawn,
        "notes": _marks(
            f'<g class="note-mark"><title>{escape(note.text)}</title><line x1="{x(note.at)}" '
            f'x2="{x(note.at)}" y1="{top}" y2="{bottom}"/><text x="{x(note.at)}" y="{top - 3}">'
            f"{escape(note_label % {'number': number})}"
            "</text></g>"
            for number, note in enumerate(line.notes, start=1)
        ),
        # What the faculty logged, at the foot of the plot: ✓ an action, ↶ an undo.
        "actions": _marks(
            f'<g class="action-mark{" undo-mark" if a.undoes_id else ""}'
            f'{" undone-mark" if a.pk in line.undone else ""}">'
            f"<title>{format_offset(line.seconds(a.at))} {escape(_action_title(line.session, line.expected, a))}</title>"
            f'<line x1="{x(a.at)}" x2="{x(a.at)}" y1="{bottom - 14}" y2="{bottom}"/>'
            f'<text x="{x(a.at)}" y="{bottom - 17}">{"↶" if a.undoes_id else "✓"}</text></g>'
            for a in line.actions
        ),
    }


def _x_scale(line: Timeline):
    """The plot's x (in user units, to a tenth) of a moment."""
    started_at, span = line.started_at, line.span_seconds

    def x(at):
        return round(MARGIN_LEFT + (at - started_at).total_seconds() / span * PLOT_WIDTH, 1)

    return x


def _drawn_from_events(line: Timeline) -> dict:
    """The plot's parts that only the events, the session's start and its end decide."""
    fields = plotted_fields(line.events)
    y_max = _y_max(line, fields)
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    x = _x_scale(line)

    def y(value):
        return round(MARGIN_TOP + (1 - value / y_max) * PLOT_HEIGHT, 1)

    # Worked out once for every line, in columns (a list of each line's values, the same
    # length as that of the x): a long session has thousands of changes.
    corners = _corners(line)
    corner_xs = [x(at) for at, _values in corners]
    corner_columns = _columns((values for _at, values in corners), fields)
    after = _shown_after(line)
    after_xs = [x(event.created_at) for event, _values in after]
    after_columns = _columns((values for _event, values in after), fields)
    kinds = {kind: escape(str(label)) for kind, label in SessionEvent.KINDS.items()}
    series = []
    for name in fields:
        label = escape(str(vitals.LABELS[name]))
        values = after_columns[name]
        shown = [index for index, value in enumerate(values) if value is not None]
        kept = lttb([after_xs[i] for i in shown], [values[i] for i in shown], MAX_MARKERS)
        markers = "".join(
            f'<circle class="marker marker-{name}" cx="{after_xs[i]}" cy="{y(values[i])}" r="3">'
            f"<title>{format_offset(line.seconds(after[i][0].created_at))} "
            f"{kinds[after[i][0].kind]}: {label} {values[i]}</title></circle>"
            for i in (shown[k] for k in kept)
        )
        series.append(
            {
                "name": name,
                "label": str(vitals.LABELS[name]),
                "path": _path(corner_xs, corner_columns[name], y),
                "markers": mark_safe(markers),
            }
        )
    periods = alarm_periods(line)
    alarm_titles = {
        alarms.RED: escape(_("Red alarm")),
        alarms.YELLOW: escape(_("Outside the alarm limits")),
    }
    compressions = escape(_("Compressions"))
    step_label = _("Step %(number)d")  # outside the f-string, where makemessages finds it
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": MARGIN_LEFT,
        "right": WIDTH - MARGIN_RIGHT,
        "top": top,
        "bottom": bottom,
        "series": series,
        "alarms": _marks(
            f'<rect class="alarm-period alarm-{level}" x="{x(start)}" y="{top}" '
            f'width="{round(x(end) - x(start), 1)}" height="{PLOT_HEIGHT}">'
            f"<title>{alarm_titles[level]}</title></rect>"
            for start, end, level in periods
        ),
        "steps": _marks(
            f'<g class="step-mark"><line x1="{x(e.created_at)}" x2="{x(e.created_at)}" '
            f'y1="{top}" y2="{bottom}"/><text x="{x(e.created_at)}" y="{top - 14}">'
            f"{escape(step_label % {'number': step_number(e)})}</text></g>"
            for e in line.events
            if e.detail.get("step") is not None
        ),
        # The trainee's shocks, and the periods of compressions, over the vital signs.
        "shocks": _marks(
            f'<g class="shock-mark"><title>{format_offset(line.seconds(e.created_at))} '
            f"{escape(fragments.treatment_text(e.kind, e.detail))}</title>"
            f'<line x1="{x(e.created_at)}" x2="{x(e.created_at)}" y1="{top}" y2="{bottom}"/>'
            f'<text x="{x(e.created_at)}" y="{top - 3}">⚡</text></g>'
            for e in line.events
            if e.kind == SessionEvent.SHOCK
        ),
        "cpr": _marks(
            f'<rect class="cpr-period" x="{x(start)}" y="{bottom - 8}" '
            f'width="{round(x(end) - x(start), 1)}" height="8"><title>{compressions}</title></rect>'
            for start, end in cpr_periods(line)
        ),
        "x_ticks": [
            {"x": x(line.started_at + datetime.timedelta(seconds=s)), "label": format_offset(s)}
            for s in _x_ticks(line.span_seconds)
        ],
        "y_ticks": [{"y": y(v), "label": v} for v in range(0, y_max + 1, y_max // 5)],
    }


def _action_title(session: Session, expected: dict[str, dict], action) -> str:
    name = logged_action_name(session, expected, action)
    text = _("Undone: %(action)s") % {"action": name} if action.undoes_id else name
    if action.author_id:
        text = _("%(action)s, by %(author)s") % {"action": text, "author": action.author.display_name}
    return text


def _marks(elements) -> str:
    """SVG elements, one a line: written here, their texts escaped."""
    return mark_safe("\n".join(elements))


def cpr_periods(line: Timeline) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """When compressions were on: from each start to its stop, or to the end."""
    periods, since = [], None
    for event in line.events:
        if event.kind != SessionEvent.CPR:
            continue
        if event.detail.get("on") and since is None:
            since = event.created_at
        elif not event.detail.get("on") and since is not None:
            periods.append((since, event.created_at))
            since = None
    if since is not None:
        periods.append((since, line.ended_at))
    return periods


def _y_max(line: Timeline, fields: list[str]) -> int:
    """The top of the scale: above the highest value shown, or that a trend started from."""
    starts = [start for e in line.events if (start := e.detail.get("from"))]
    highest = max(
        (
            value
            for values in (*(e.values for e in line.events), *starts)
            for value in map(values.get, fields)
            if value is not None
        ),
        default=0,
    )
    return max(150, math.ceil(highest / 50) * 50)


def _shown_after(line: Timeline) -> list[tuple[Event, dict]]:
    """Each event with the values the monitor showed just after it."""
    shown, segments = [], iter(line.segments)
    for event in line.events:
        if event.kind in SessionEvent.VALUE_KINDS:
            shown.append((event, next(segments).at_start))  # a segment per change, in order
        else:
            shown.append((event, event.values))  # Stored as shown at that moment.
    return shown


def _corners(line: Timeline) -> list[tuple[datetime.datetime, dict]]:
    """Corners of the lines: each change, the end of its ramp, and where the next one cuts in."""
    return [
        (at, segment.values_at(at))
        for segment in line.segments
        for at in dict.fromkeys((segment.start, segment.ramp_end, segment.end))
    ]


def _columns(rows, fields: list[str]) -> dict[str, tuple]:
    """Each of `fields` down `rows` (dicts): a column per field, made in one pass."""
    values_of = operator.itemgetter(*fields)  # a tuple: there are always four fields or more
    return dict(zip(fields, list(zip(*map(values_of, rows))) or [()] * len(fields)))


def _path(xs, values, y) -> str:
    """An SVG path through points (xs, values): a gap wherever the value is None (a sensor not
    fitted); each stretch drawn from at most POINTS_PER_UNIT points per unit of its width."""
    commands, start = [], 0
    while start < len(values):
        if values[start] is None:
            start += 1
            continue
        # This stretch: up to the next None (most lines have none: found at C speed).
        end = next((i for i in range(start, len(values)) if values[i] is None), len(values))
        run_xs, run_values = xs[start:end], values[start:end]
        # Values, not heights, are downsampled: y() is linear, and only the kept are placed.
        kept = lttb(run_xs, run_values, math.ceil((run_xs[-1] - run_xs[0]) * POINTS_PER_UNIT) + 2)
        commands += (
            f"{'L' if n else 'M'}{run_xs[i]},{y(run_values[i])}" for n, i in enumerate(kept)
        )
        start = end
    return " ".join(commands)


def lttb(xs, ys, threshold: int) -> list[int]:
    """The indices of at most `threshold` of the points (xs, ys; xs ascending), chosen by
    largest-triangle-three-buckets (Steinarsson, "Downsampling Time Series for Visual
    Representation", 2013, ch. 4.2): the first and the last, and from each bucket between the
    point making the largest triangle with the one kept before it and the mean of the next
    bucket, so that peaks and corners survive where averaging would flatten them."""
    count = len(xs)
    if count <= threshold or threshold < 3:
        return list(range(count))
    kept = [0]
    every = (count - 2) / (threshold - 2)
    ax, ay = xs[0], ys[0]
    for bucket in range(threshold - 2):
        start, end = int(bucket * every) + 1, int((bucket + 1) * every) + 1
        after = min(int((bucket + 2) * every) + 1, count)
        if after > end:
            mean_x = sum(xs[end:after]) / (after - end)
            mean_y = sum(ys[end:after]) / (after - end)
        else:
            mean_x, mean_y = xs[-1], ys[-1]
        # Twice the triangle's area, |(a - mean) x (p - a)|, for each p of the bucket.
        dx, dy = ax - mean_x, mean_y - ay
        best, largest = start, -1.0
        for index in range(start, end):
            area = abs(dx * (ys[index] - ay) - (ax - xs[index]) * dy)
            if area > largest:
                best, largest = index, area
        kept.append(best)
        ax, ay = xs[best], ys[best]
    kept.append(count - 1)
    return kept


def _x_ticks(span: float) -> list[int]:
    step = next((s for s in TICK_STEPS_SECONDS if span / s <= MAX_TICKS), TICK_STEPS_SECONDS[-1])
    while span / step > MAX_TICKS:
        step *= 2
    return list(range(0, int(span) + 1, step))


# The list below the plot ------------------------------------------------------------------


def rows(line: Timeline) -> list[dict]:
    """Events, notes and logged actions in time order (a note after an event of the same
    moment, an action after both); the rows
    shown get the rest of what they show from row_details."""
    items = [(e.created_at, 0, {"event": e}) for e in line.events]
    items += [(n.at, 1, {"note": n, "number": i}) for i, n in enumerate(line.notes, start=1)]
    items += [(a.at, 2, {"action": a}) for a in line.actions]
    items.sort(key=lambda item: (item[0], item[1]))
    return [{**item, "at": at} for at, _order, item in items]


def row_details(line: Timeline, shown: list[dict]) -> list[dict]:
    """The event, the time since the start, the step and the result of each of `shown` (a page
    of rows)."""
    # The page's events whole, for what their rows show (the author's name, a summary).
    whole = line.session.events.select_related("author").in_bulk(
        [row["event"].id for row in shown if "event" in row]
    )
    for row in shown:
        if "event" in row:
            row["event"] = whole[row["event"].id]
        event = row.get("event")
        row["offset"] = format_offset(line.seconds(row["at"]))
        row["step"] = step_number(event)
        if action := row.get("action"):
            row["step"] = None if action.step is None else action.step + 1
            row["name"] = line.action_name(action)
            row["undone"] = action.pk in line.undone
        row["result"] = line.results.get(event.detail.get("result")) if event else None
    return shown


def result_card(line: Timeline, result: SessionResult) -> str:
    """A result as the debrief shows it: its card, the image from the trainer's URL."""
    url = reverse("sessions:result_image", args=[line.session.pk, result.pk])
    return fragments.result_card(result, url)


# Export -----------------------------------------------------------------------------------


def csv_filename(session: Session) -> str:
    day = timezone.localtime(session.created_at).date().isoformat()
    return f"shiller-{session.code}-{day}.csv"


@dataclass(frozen=True)
class CsvStyle:
    """How an export is written: for scripts (English) or for a spreadsheet (other languages)."""

    translated: bool
    delimiter: str
    bom: str

    @classmethod
    def for_language(cls, language: str) -> "CsvStyle":
        if language == "en":
            # Unchanged since the first export: identifiers, commas, no BOM; scripts rely on it.
            return cls(translated=False, delimiter=",", bom="")
        # Excel reads a file as UTF-8 only with a BOM, and splits on the list separator of the
        # computer's locale: ";" where the decimal mark is a comma (French), "," elsewhere.
        comma_decimals = formats.get_format("DECIMAL_SEPARATOR", lang=language) == ","
        return cls(translated=True, delimiter=";" if comma_decimals else ",", bom="\ufeff")


def csv_chunks(session: Session, style: CsvStyle):
    """The export, a few hundred rows a chunk, for a streamed response: one row per event, one
    per note and one per logged action (an undo too), in time order.

    Machine fields (numbers, true/false, ISO 8601 times) are never localised, in any language:
    37.5 must read back as 37.5 whoever opens the file. A translated export names its columns,
    kinds, rhythms and parameters in the page's language (still active while the response is
    sent). Text cells go through _csv_text.
    """
    out = io.StringIO()
    out.write(style.bom)
    writer = csv.writer(out, delimiter=style.delimiter)
    writer.writerow(str(label) if style.translated else name for name, label in CSV_COLUMNS)
    # The first byte leaves before the events are read.
    yield _taken(out)
    note_kind = _("Note") if style.translated else NOTE_KIND
    action_kind = _("Action") if style.translated else ACTION_KIND
    # Translated once, not per row: a long session has 10,000 events.
    kinds, rhythms, parameters = (
        {key: str(label) for key, label in labels.items()}
        for labels in (SessionEvent.KINDS, vitals.RHYTHMS, vitals.PARAMETERS)
    )
    sent = {str(result.pk): result for result in session.results.all()}
    notes = session.notes.select_related("author").order_by("at", "created_at")
    # Read in chunks, so that memory stays flat however long the session.
    events = (
        session.events.select_related("author")
        .order_by("created_at", "id")
        .iterator(chunk_size=CSV_CHUNK_ROWS)
    )
    actions, expected = logged_actions(session), expected_by_key(session)
    # In time order, a note after an event of the same moment, an action after both (as rows()).
    merged = heapq.merge(
        ((event.created_at, event) for event in events),
        ((note.at, note) for note in notes),
        ((action.at, action) for action in actions),
        key=lambda item: item[0],
    )
    for count, (at, item) in enumerate(merged, start=1):
        common = [
            timezone.localtime(at).isoformat(),
            f"{(at - session.created_at).total_seconds():.3f}",
        ]
        if isinstance(item, SessionNote):
            author = item.author.display_name if item.author_id else ""
            writer.writerow(
                [
                    *common,
                    note_kind,
                    *[""] * 13,
                    safe_csv_text(item.text),
                    *[""] * CSV_AFTER_NOTE,
                    safe_csv_text(author),
                ]
            )
        elif isinstance(item, SessionEvent):
            writer.writerow(_csv_event(item, common, sent, style, kinds, rhythms, parameters))
        else:
            name = logged_action_name(session, expected, item) if style.translated else item.name
            writer.writerow(_csv_action(item, name, common, action_kind))
        if count % CSV_CHUNK_ROWS == 0:
            yield _taken(out)
    yield _taken(out)


def _taken(out: io.StringIO) -> str:
    """What was written to `out`, which is emptied."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _csv_event(event, common, sent, style, kinds, rhythms, parameters) -> list:
    values = event.values
    flags = values["flags"]
    rhythm = flags.get("rhythm", "")
    hidden = flags.get("hidden") or []
    if style.translated:
        kind = kinds[event.kind]
        rhythm = rhythms.get(rhythm, rhythm)
        hidden = ", ".join(parameters.get(name, name) for name in hidden)
    else:
        kind = event.kind
        hidden = " ".join(hidden)
    step = step_number(event)
    return [
        *common,
        safe_csv_text(kind),
        *(_csv_value(values[name]) for name in CSV_NUMBERS),
        safe_csv_text(rhythm),
        _csv_value(bool(flags.get("alarm"))),
        _csv_value(bool(flags.get("spo2_probe_off"))),
        safe_csv_text(hidden),
        event.transition_seconds,
        "" if step is None else step,
        "",
        *(_csv_value(values[name]) for name in vitals.INVASIVE_FIELDS),
        *(_csv_flag(flags, name) for name in CSV_LATER_FLAGS),
        _csv_detail(event),
        *_csv_result(sent.get(event.detail.get("result")), style),
        safe_csv_text(fragments.event_author(event)),
    ]


def _csv_action(action, name: str, common: list, kind: str) -> list:
    """A logged action: its name in the note's column (a translated export names an expected
    action as the page does), its step, and for machines in the detail's column which expected
    action it ticks and which row an undo takes back."""
    facts = {
        "id": str(action.pk),
        "expected_key": action.expected_key,
        "undoes": None if action.undoes_id is None else str(action.undoes_id),
    }
    author = action.author.display_name if action.author_id else ""
    return [
        *common,
        kind,
        *[""] * 12,
        "" if action.step is None else action.step + 1,
        safe_csv_text(name),
        *[""] * (len(vitals.INVASIVE_FIELDS) + len(CSV_LATER_FLAGS)),
        json.dumps(facts, sort_keys=True, separators=(",", ":")),
        "",
        "",
        "",
        safe_csv_text(author),
    ]


def _csv_result(result: SessionResult | None, style: CsvStyle) -> list[str]:
    """A result's kind, title and rows ("ph 7.21 L; lactate 4.8 mmol/L H"): its numbers as
    machines read them in every language; names and kind in the export's language."""
    if result is None:
        return ["", "", ""]
    rows = []
    for row in result.rows:
        analyte = results.ANALYTES.get(row.get("analyte"))
        if analyte is None:
            name = result.text(row.get("name", "")) if style.translated else row.get("name", "")
        else:
            name = str(analyte.label) if style.translated else row["analyte"]
        value = row["value"]
        if isinstance(value, int | float):
            value = f"{value:.{row.get('decimals', 0)}f}"
        flag = row.get("flag") or ""
        if style.translated and flag:
            flag = str(results.FLAGS[flag])
        rows.append(" ".join(part for part in (name, str(value), row.get("unit"), flag) if part))
    if result.image:
        rows.append(result.content_type)
    kind = str(result.kind_label()) if style.translated else result.kind
    title = result.text(result.title) if style.translated else result.title
    return [safe_csv_text(kind), safe_csv_text(title), safe_csv_text("; ".join(rows))]


def _csv_flag(flags: dict, name: str) -> str:
    """A later flag as a machine reads it: true/false, a number, a lead's name, a list spaced."""
    value = flags.get(name)
    if name in ("ecg_leads_off", "no_pulse", "pulsus_paradoxus"):
        return _csv_value(bool(value))
    if isinstance(value, list):
        return " ".join(value)
    return _csv_value(value)


def _csv_detail(event: SessionEvent) -> str:
    """A treatment event's facts for a machine: the device's whole state is left out (the
    events before it say how it got there)."""
    if event.kind not in SessionEvent.TREATMENT_KINDS:
        return ""
    facts = {key: value for key, value in event.detail.items() if key != "state"}
    return json.dumps(facts, sort_keys=True, separators=(",", ":"))


def safe_csv_text(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (FORMULA_STARTS)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Replay -----------------------------------------------------------------------------------


def replay_chunks(session: Session, now: datetime.datetime | None = None):
    """replay.json, a few hundred messages a chunk, for a streamed response: the messages a
    screen received, from a blank snapshot at the start to the last event, written compactly
    (ReplayWriter; docs/protocol.md).

    A replaying monitor plays them on a virtual clock that starts at `started_at`: the snapshot
    of the session as created, then each stored event as it was broadcast (limits and the cuff
    included), and what the faculty logged ("action" messages: the replay is a faculty page;
    a monitor ignores them).
    """
    writer = ReplayWriter()
    yield writer.opening(session.created_at, replay_end(session, now), replay_snapshot(session))
    # In chunks, so that memory stays flat however long the session. message() needs no author
    # but its id.
    events = session.events.order_by("created_at", "id").iterator(chunk_size=CSV_CHUNK_ROWS)
    actions = session.logged_actions.order_by("at", "id")
    messages = heapq.merge(
        ((event.created_at, 0, event.message) for event in events),
        ((action.at, 1, functools.partial(action_message, action)) for action in actions),
        key=operator.itemgetter(0, 1),
    )
    while batch := list(itertools.islice(messages, CSV_CHUNK_ROWS)):
        yield writer.messages(message() for _at, _order, message in batch)
    yield writer.closing()


def replay_actions(session: Session) -> list[dict]:
    """What the replay page lists as the replay passes it: each logged action's moment (whole
    seconds since the start, and as mm:ss) and what it says, in the page's language."""
    expected = expected_by_key(session)
    return [
        {
            "seconds": math.floor(seconds),
            "offset": format_offset(seconds),
            "text": _action_title(session, expected, action),
            "undo": action.undoes_id is not None,
        }
        for action in logged_actions(session)
        for seconds in [(action.at - session.created_at).total_seconds()]
    ]


def action_message(action) -> dict:
    """A logged action as the replay carries it (docs/protocol.md)."""
    return {
        "type": "action",
        "at": action.at.isoformat(),
        "action_id": str(action.pk),
        "name": action.name,
        "expected_key": action.expected_key,
        "step": action.step,
        "undoes": None if action.undoes_id is None else str(action.undoes_id),
        "by": None if action.author_id is None else {"trainer": str(action.author_id)},
    }


class ReplayWriter:
    """replay.json without the repetition of 10,000 messages (7 MB as plain JSON): each message
    after the snapshot is an array, its shape's index then the values of the shape's keys in
    order; `values` an array of `fields` then its flags' index in `flags`; a trend its seconds
    then its start values in `fields` order (it starts at the message's `at`); `by` an index in
    `authors`. static/sessions_app/replay-messages.js reads it back; both are held to
    simulator/contract/replay.json."""

    def __init__(self):
        self.shapes, self.flags, self.authors = {}, _Table(), _Table()

    def opening(self, started_at: datetime.datetime, ended_at: datetime.datetime, snapshot):
        head = {
            "started_at": started_at.isoformat(),
            "ended_at": ended_at.isoformat(),
            "fields": vitals.NUMBER_FIELDS,
        }
        return f"{_json(head)[:-1]},\"messages\":[{_json(snapshot)}"

    def messages(self, messages) -> str:
        return "".join(f",{_json(self.compact(message))}" for message in messages)

    def closing(self) -> str:
        tables = {
            "shapes": list(self.shapes),
            "flags": self.flags.things,
            "authors": self.authors.things,
        }
        return f"],{_json(tables)[1:]}"

    def compact(self, message: dict) -> list:
        message = dict(message)
        if (values := message.get("values")) is not None:
            flags = self.flags.index(values["flags"])
            message["values"] = [*(values[name] for name in vitals.NUMBER_FIELDS), flags]
        if trend := message.get("trend"):
            start = trend["from"]
            message["trend"] = [trend["seconds"], *map(start.get, vitals.NUMBER_FIELDS)]
        if message.get("by") is not None:
            message["by"] = self.authors.index(message["by"])
        shape = self.shapes.setdefault(tuple(message), len(self.shapes))
        return [shape, *message.values()]


class _Table:
    """Things written once each, known by their index."""

    def __init__(self):
        self.things, self.indices = [], {}

    def index(self, thing: dict) -> int:
        # By repr: equal dicts read from the database have their keys in the same order.
        key = repr(thing)
        if (found := self.indices.get(key)) is None:
            found = self.indices[key] = len(self.things)
            self.things.append(thing)
        return found


_json = json.JSONEncoder(separators=(",", ":")).encode


def replay_end(session: Session, now: datetime.datetime | None = None) -> datetime.datetime:
    """Where the replay stops: at the end, or at the last event if later (as in timeline)."""
    last = session.events.aggregate(last=Max("created_at"))["last"]
    end = session.ended_at(now)
    return max(end, last) if last else end


def replay_seconds(session: Session, now: datetime.datetime | None = None) -> float:
    return (replay_end(session, now) - session.created_at).total_seconds()


def replay_snapshot(session: Session) -> dict:
    """What a screen joining at the very start was sent: the session as it was created."""
    as_created = Session(
        trainee_name=session.trainee_label,
        created_at=session.created_at,
        expires_at=session.expires_at,
    )
    return services.monitor_state(as_created, now=session.created_at)
