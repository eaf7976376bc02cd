"""The rules the browser computes too, asserted against the vectors static/sessions_app/tests/
contract.test.mjs asserts for the browser (simulator/contract/): a change on one side that
the other does not follow fails on both."""

import json
from pathlib import Path

import pytest
from django.utils.dateparse import parse_datetime

from sessions_app import debrief, views
from simulator import alarms, cuff, protocol, trends, vitals

CONTRACT = Path(__file__).resolve().parent.parent / "contract"


def cases(name: str) -> list[dict]:
    vectors = json.loads((CONTRACT / name).read_text())
    return [pytest.param(case, id=case["name"]) for case in vectors["cases"]]


@pytest.mark.parametrize("case", cases("trends.json"))
def test_trend_values(case):
    target, trend = case["input"]["target"], case["input"]["trend"]
    for moment in case["expected"]:
        assert trends.values_at(target, trend, parse_datetime(moment["at"])) == moment["values"]


@pytest.mark.parametrize("case", cases("cuff.json"))
def test_cuff(case):
    assert case["input"]["measurement_seconds"] == vitals.NIBP_MEASUREMENT_SECONDS
    events = [{**event, "at": parse_datetime(event["at"])} for event in case["input"]["events"]]
    for moment in case["expected"]:
        at = parse_datetime(moment["at"])
        so_far = [event for event in events if event["at"] <= at]
        manual_starts = [event["at"] for event in so_far if event["type"] == "nibp_started"]
        cycles = [
            (event["at"], event["minutes"]) for event in so_far if event["type"] == "nibp_interval"
        ]
        # The session's settings then, as services.start_nibp and set_nibp_interval store them.
        minutes = cycles[-1][1] if cycles else 0
        since = cuff.measurement_under_way(
            manual_starts[-1] if manual_starts else None,
            minutes,
            cycles[-1][0] if minutes else None,
            at,
        )
        assert (since and since.isoformat()) == moment["measuring_since"], moment["at"]
        ends = cuff.completed_measurements(manual_starts, cycles, at)
        reading = cuff.reading(ends[-1], _values_at(so_far, ends[-1])) if ends else None
        assert reading == moment["reading"], moment["at"]


def _values_at(events: list[dict], at) -> dict | None:
    """The values shown at `at`, from the change in force then (as nibp.values_at)."""
    changes = [event for event in events if event["type"] == "vitals" and event["at"] <= at]
    return trends.values_at(changes[-1]["values"], changes[-1]["trend"], at) if changes else None


def test_the_browser_gets_the_alarm_rules_of_the_vectors():
    rules = json.loads((CONTRACT / "alarms.json").read_text())["rules"]
    assert json.loads(json.dumps(views._alarm_rules())) == rules


@pytest.mark.parametrize("case", cases("alarms.json"))
def test_alarm_conditions(case):
    values, reading = case["input"]["values"], case["input"]["reading"] or {}
    limits = case["input"]["limits"]
    # As debrief.alarm_periods and services.active_alarms: blood pressure is the cuff's reading.
    shown = values and {
        **values,
        "systolic": reading.get("systolic"),
        "diastolic": reading.get("diastolic"),
    }
    assert alarms.alarm_level(shown, limits) == case["expected"]["level"]
    found = alarms.conditions(shown, limits, bool(reading.get("no_pulse")))
    assert found == case["expected"]["conditions"]


def _silence(record: dict | None) -> dict | None:
    return record and {**record, "until": parse_datetime(record["until"])}


@pytest.mark.parametrize("case", cases("silence.json"))
def test_what_sounds_during_a_silence(case):
    given = case["input"]
    found = alarms.sounding(given["active"], _silence(given["silence"]), parse_datetime(given["now"]))
    assert found == case["expected"]["sounding"]
    assert alarms.tone(found) == case["expected"]["tone"]


@pytest.mark.parametrize("case", cases("acknowledgement.json"))
def test_a_silence_acknowledges_only_conditions_still_active(case):
    given = case["input"]
    kept = alarms.still_acknowledged(_silence(given["silence"]), given["active"])
    assert (kept and kept["acknowledged"]) == (case["expected"] and case["expected"]["acknowledged"])


def test_the_protocol_constants_the_pages_get():
    # The browser's own copies (trends.js, alarms.js) are held to the same file by the node tests.
    assert protocol.constants() == json.loads((CONTRACT / "protocol.json").read_text())


@pytest.mark.parametrize("case", cases("replay.json"))
def test_the_replay_is_written_compactly(case):
    given = case["input"]
    writer = debrief.ReplayWriter()
    snapshot, *messages = given["messages"]
    started_at, ended_at = parse_datetime(given["started_at"]), parse_datetime(given["ended_at"])
    text = writer.opening(started_at, ended_at, snapshot) + writer.messages(messages)
    text += writer.closing()
    assert json.loads(text) == case["expected"]
