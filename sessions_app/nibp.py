"""The non-invasive blood pressure cuff: when it measures, and what it read.

A measurement takes NIBP_MEASUREMENT_SECONDS and shows the blood pressure at its end (along a
trend, if one is running). Starts are either manual (the latest is on the session) or on the
automatic cycle, every `nibp_interval_minutes` from `nibp_cycle_started_at`; screens work the
cycle out themselves from the same two fields (static/sessions_app/nibp.js), so no server timer
is needed. The server reads the cuff for a screen that connects: the snapshot carries the last
completed reading. The rules themselves are simulator/cuff.py's, over plain data; this module
reads a session's fields and events for them.
"""

import datetime

from sessions_app.models import Session, SessionEvent
from simulator import cuff, trends, vitals


def measuring_since(session: Session, now: datetime.datetime) -> datetime.datetime | None:
    """The start of the measurement under way at `now`, or None."""
    return cuff.measurement_under_way(
        session.nibp_started_at, session.nibp_interval_minutes, session.nibp_cycle_started_at, now
    )


def next_end(session: Session, after: datetime.datetime) -> datetime.datetime | None:
    """When the next measurement may complete after `after` (the last reading may change)."""
    return cuff.next_end(
        session.nibp_started_at, session.nibp_interval_minutes, session.nibp_cycle_started_at, after
    )


def last_reading(session: Session, now: datetime.datetime) -> dict | None:
    """The last completed measurement: {"taken_at", "systolic", "diastolic"}, or None."""
    taken = measurement_ends(session, now)
    return cuff.reading(taken[-1], values_at(session, taken[-1])) if taken else None


def measurement_ends(session: Session, until: datetime.datetime) -> list[datetime.datetime]:
    """When each measurement completed, oldest first, up to `until`.

    Read from the events, not the session's current settings: a reading stays the last one
    after its cycle is turned off or changed, or while the next manual one is under way.
    """
    # Columns, not model instances: a long session starts the cuff hundreds of times.
    events = session.events.filter(
        kind__in=(SessionEvent.NIBP_STARTED, SessionEvent.NIBP_INTERVAL), created_at__lte=until
    ).order_by("created_at")
    manual_starts = list(
        events.filter(kind=SessionEvent.NIBP_STARTED).values_list("created_at", flat=True)
    )
    cycles = [
        (at, detail["minutes"])
        for at, detail in events.filter(kind=SessionEvent.NIBP_INTERVAL).values_list(
            "created_at", "detail"
        )
    ]
    return cuff.completed_measurements(manual_starts, cycles, until)


def values_at(session: Session, at: datetime.datetime) -> dict | None:
    """The values the monitor showed at `at`, from the change in force then."""
    event = (
        session.events.filter(kind__in=SessionEvent.VALUE_KINDS, created_at__lte=at)
        .order_by("-created_at")
        .first()
    )
    if event is None:
        return None
    return trends.values_at(event.values, event.trend, at)


def state(session: Session, now: datetime.datetime) -> dict:
    """What a screen needs to run the cuff: settings, the manual start and the last reading."""
    return {
        "measurement_seconds": vitals.NIBP_MEASUREMENT_SECONDS,
        "interval_minutes": session.nibp_interval_minutes,
        "cycle_started_at": _iso(session.nibp_cycle_started_at),
        "started_at": _iso(session.nibp_started_at),
        "reading": last_reading(session, now),
    }


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
