"""The non-invasive blood pressure cuff: when it measures, and what it read.

A measurement takes NIBP_MEASUREMENT_SECONDS and shows the blood pressure at its end (along a
trend, if one is running). Starts are either manual (the latest is on the session) or on the
automatic cycle, every `nibp_interval_minutes` from `nibp_cycle_started_at`; screens work the
cycle out themselves from the same two fields (static/sessions_app/nibp.js), so no server timer
is needed. The server reads the cuff for a screen that connects: the snapshot carries the last
completed reading.
"""

import datetime

from sessions_app import trends, vitals
from sessions_app.models import Session, SessionEvent

MEASUREMENT = datetime.timedelta(seconds=vitals.NIBP_MEASUREMENT_SECONDS)


def latest_starts(session: Session, now: datetime.datetime) -> list[datetime.datetime]:
    """The latest manual start and the latest automatic start at or before `now`."""
    starts = []
    if session.nibp_started_at and session.nibp_started_at <= now:
        starts.append(session.nibp_started_at)
    if session.nibp_interval_minutes and session.nibp_cycle_started_at:
        origin = session.nibp_cycle_started_at
        interval = datetime.timedelta(minutes=session.nibp_interval_minutes)
        if origin <= now:
            starts.append(origin + (now - origin) // interval * interval)
    return starts


def measuring_since(session: Session, now: datetime.datetime) -> datetime.datetime | None:
    """The start of the measurement under way at `now`, or None."""
    under_way = [start for start in latest_starts(session, now) if now < start + MEASUREMENT]
    return max(under_way, default=None)


def last_reading(session: Session, now: datetime.datetime) -> dict | None:
    """The last completed measurement: {"taken_at", "systolic", "diastolic"}, or None."""
    taken = measurement_ends(session, now)
    if not taken:
        return None
    values = values_at(session, taken[-1])
    if values is None:
        return None
    return {
        "taken_at": taken[-1].isoformat(),
        "systolic": values["systolic"],
        "diastolic": values["diastolic"],
    }


def measurement_ends(session: Session, until: datetime.datetime) -> list[datetime.datetime]:
    """When each measurement completed, oldest first, up to `until`.

    Read from the events, not the session's current settings: a reading stays the last one
    after its cycle is turned off or changed, or while the next manual one is under way.
    """
    events = list(
        session.events.filter(
            kind__in=(SessionEvent.NIBP_STARTED, SessionEvent.NIBP_INTERVAL), created_at__lte=until
        ).order_by("created_at")
    )
    ends = [e.created_at + MEASUREMENT for e in events if e.kind == SessionEvent.NIBP_STARTED]
    cycles = [e for e in events if e.kind == SessionEvent.NIBP_INTERVAL]
    for cycle, following in zip(cycles, [*cycles[1:], None]):
        if not cycle.detail["minutes"]:
            continue
        interval = datetime.timedelta(minutes=cycle.detail["minutes"])
        # A cycle runs until the next setting; a measurement it cuts short never completes.
        stop = min(following.created_at, until) if following else until
        start = cycle.created_at
        while start + MEASUREMENT <= stop:
            ends.append(start + MEASUREMENT)
            start += interval
    return sorted(end for end in ends if end <= until)


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
