"""The non-invasive blood pressure cuff's rules over plain data: when it measures, and when each
measurement completes, from manual starts and cycle settings. No database: sessions_app/nibp.py
feeds them a session's fields and events, static/sessions_app/nibp.js is the browser's side,
and simulator/contract/cuff.json holds both to the same cases.
"""

import datetime

from simulator import vitals

MEASUREMENT = datetime.timedelta(seconds=vitals.NIBP_MEASUREMENT_SECONDS)


def measurement_under_way(
    started_at: datetime.datetime | None,
    interval_minutes: int,
    cycle_started_at: datetime.datetime | None,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """The start of the measurement under way at `now` for these settings, or None."""
    starts = latest_starts(started_at, interval_minutes, cycle_started_at, now)
    return max((start for start in starts if now < start + MEASUREMENT), default=None)


def latest_starts(
    started_at: datetime.datetime | None,
    interval_minutes: int,
    cycle_started_at: datetime.datetime | None,
    now: datetime.datetime,
) -> list[datetime.datetime]:
    """The latest manual start and the latest automatic start at or before `now`."""
    starts = []
    if started_at and started_at <= now:
        starts.append(started_at)
    if interval_minutes and cycle_started_at and cycle_started_at <= now:
        interval = datetime.timedelta(minutes=interval_minutes)
        starts.append(
            cycle_started_at + (now - cycle_started_at) // interval * interval
        )
    return starts


def next_end(
    started_at: datetime.datetime | None,
    interval_minutes: int,
    cycle_started_at: datetime.datetime | None,
    after: datetime.datetime,
) -> datetime.datetime | None:
    """The first moment after `after` at which a measurement of these settings may complete
    (the manual one, or the cycle's next), or None if none will."""
    ends = []
    if started_at and started_at + MEASUREMENT > after:
        ends.append(started_at + MEASUREMENT)
    if interval_minutes and cycle_started_at:
        interval = datetime.timedelta(minutes=interval_minutes)
        first = cycle_started_at + MEASUREMENT
        if first <= after:
            first += ((after - first) // interval + 1) * interval
        ends.append(first)
    return min(ends, default=None)


def reading(taken_at: datetime.datetime, values: dict | None) -> dict | None:
    """What a measurement ending at `taken_at` read from `values`; nothing before any values.

    Without a pulse the cuff finds no oscillations: the reading fails, with no pressures."""
    if values is None:
        return None
    if vitals.is_pulseless(values):
        return {
            "taken_at": taken_at.isoformat(),
            "systolic": None,
            "diastolic": None,
            "no_pulse": True,
        }
    return {
        "taken_at": taken_at.isoformat(),
        "systolic": values["systolic"],
        "diastolic": values["diastolic"],
    }


def completed_measurements(
    manual_starts: list[datetime.datetime],
    cycles: list[tuple[datetime.datetime, int]],
    until: datetime.datetime,
) -> list[datetime.datetime]:
    """The ends, oldest first and up to `until`, of measurements from manual starts and from
    cycle settings ((set at, minutes), oldest first; 0 minutes turns the cycle off)."""
    ends = [start + MEASUREMENT for start in manual_starts]
    for (set_at, minutes), following in zip(cycles, [*cycles[1:], None]):
        if not minutes:
            continue
        interval = datetime.timedelta(minutes=minutes)
        # A cycle runs until the next setting; a measurement it cuts short never completes.
        stop = min(following[0], until) if following else until
        start = set_at
        while start + MEASUREMENT <= stop:
            ends.append(start + MEASUREMENT)
            start += interval
    return sorted(end for end in ends if end <= until)
