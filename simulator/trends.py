"""Where the monitor's numbers are at a given moment, while they move toward a change's values.

A change with a transition is stored once (its target, its duration and the values it starts
from); every screen computes the values in between from the server's timestamps with the same
linear rule (static/sessions_app/trends.js), so all screens, and one that reconnects midway,
show the same value at the same moment. The server uses this module to start a trend from where
the previous one had got to, to stop one where it is, and to read the cuff's measurement.
"""

import datetime
import math

from django.utils.dateparse import parse_datetime

from simulator import vitals


def start(current: dict | None, seconds: int, now: datetime.datetime) -> dict | None:
    """The trend record of a change made at `now` from `current` values, or None if instant."""
    if not seconds or current is None:
        return None
    return {
        "from": {field: current.get(field) for field in vitals.NUMBER_FIELDS},
        "started_at": now.isoformat(),
        "seconds": seconds,
    }


def progress(trend: dict | None, at: datetime.datetime) -> float:
    """How far along `trend` is at `at`: 0.0 at its start, 1.0 when done (or no trend)."""
    if not trend:
        return 1.0
    elapsed = (at - parse_datetime(trend["started_at"])).total_seconds()
    return min(max(elapsed / trend["seconds"], 0.0), 1.0)


def values_at(target: dict | None, trend: dict | None, at: datetime.datetime) -> dict | None:
    """The values shown at `at`: numbers interpolated from the trend's start, flags at once."""
    if target is None:
        return None
    return between(trend and trend["from"], target, progress(trend, at))


def between(start: dict | None, target: dict, fraction: float) -> dict:
    """The values `fraction` (0.0 to 1.0) of the way from `start` to `target`, flags at once."""
    if fraction >= 1.0:
        return target
    values = dict(target)
    for field in vitals.NUMBER_FIELDS:
        start_value, end_value = start.get(field), target.get(field)
        if start_value is None or end_value is None:
            continue  # A sensor appearing or going away has nothing to move from.
        values[field] = start_value + (end_value - start_value) * fraction
    return rounded(values)


def rounded(values: dict) -> dict:
    """Stored precision: whole numbers, temperature to one decimal."""
    values = dict(values)
    for field in vitals.INTEGER_FIELDS:
        if values.get(field) is not None:
            values[field] = math.floor(values[field] + 0.5)
    if values.get("temperature") is not None:
        # Half up, as Math.round in the browser: both sides show the same tenth.
        values["temperature"] = math.floor(values["temperature"] * 10 + 0.5) / 10
    # Rounding keeps diastolic below systolic while they are a unit apart; on the way to an
    # arrest's 0/0 they come closer than that, and 1/1 is not a blood pressure.
    for systolic, diastolic in (("systolic", "diastolic"), ("abp_systolic", "abp_diastolic")):
        high, low = values.get(systolic), values.get(diastolic)
        if high and low is not None and low >= high:
            values[diastolic] = high - 1
    return values


def in_progress(trend: dict | None, at: datetime.datetime) -> bool:
    return progress(trend, at) < 1.0


def ends_at(trend: dict) -> datetime.datetime:
    return parse_datetime(trend["started_at"]) + datetime.timedelta(seconds=trend["seconds"])
