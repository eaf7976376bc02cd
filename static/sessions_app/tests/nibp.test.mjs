// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { parseIsoTime } from "../clock.js";
import {
  Cuff,
  cuffPressure,
  inflationPeak,
  lastCompletedEnd,
  latestStarts,
  measuringSince,
  nextAutomaticStart,
  parseNibp,
} from "../nibp.js";
import { valuesAt } from "../trends.js";

const T0 = parseIsoTime("2026-01-01T12:00:00+00:00");
const S = 1000;
const MIN = 60 * S;
const iso = (time) => new Date(time).toISOString();

function record(changes = {}) {
  return {
    measurement_seconds: 10,
    interval_minutes: 0,
    cycle_started_at: null,
    started_at: null,
    reading: null,
    ...changes,
  };
}

describe("cuff cycle", () => {
  test("no start, no measurement", () => {
    const nibp = parseNibp(record());
    assert.deepEqual(latestStarts(nibp, T0), []);
    assert.equal(measuringSince(nibp, T0), null);
    assert.equal(lastCompletedEnd(nibp, T0), null);
  });

  test("a manual start measures for measurement_seconds, then has ended", () => {
    const nibp = parseNibp(record({ started_at: iso(T0) }));
    assert.equal(measuringSince(nibp, T0 - 1), null);
    assert.equal(measuringSince(nibp, T0), T0);
    assert.equal(measuringSince(nibp, T0 + 9.999 * S), T0);
    assert.equal(measuringSince(nibp, T0 + 10 * S), null);
    assert.equal(lastCompletedEnd(nibp, T0 + 5 * S), null);
    assert.equal(lastCompletedEnd(nibp, T0 + 10 * S), T0 + 10 * S);
  });

  test("the automatic cycle starts every k * interval from its origin", () => {
    const nibp = parseNibp(record({ interval_minutes: 5, cycle_started_at: iso(T0) }));
    assert.equal(measuringSince(nibp, T0 + 3 * S), T0);
    assert.equal(measuringSince(nibp, T0 + 4 * MIN), null);
    assert.equal(measuringSince(nibp, T0 + 10 * MIN + 2 * S), T0 + 10 * MIN);
    assert.equal(nextAutomaticStart(nibp, T0 + 4 * MIN), T0 + 5 * MIN);
    assert.equal(nextAutomaticStart(nibp, T0 + 5 * MIN), T0 + 10 * MIN);
  });

  test("while a cycle measurement runs, the previous one is the last completed", () => {
    const nibp = parseNibp(record({ interval_minutes: 3, cycle_started_at: iso(T0) }));
    assert.equal(lastCompletedEnd(nibp, T0 + 6 * MIN + 4 * S), T0 + 3 * MIN + 10 * S);
    assert.equal(lastCompletedEnd(nibp, T0 + 4 * S), null);
  });

  test("the latest of a manual and an automatic measurement wins", () => {
    const nibp = parseNibp(
      record({ interval_minutes: 1, cycle_started_at: iso(T0), started_at: iso(T0 + 65 * S) }),
    );
    assert.equal(measuringSince(nibp, T0 + 66 * S), T0 + 65 * S);
    assert.equal(lastCompletedEnd(nibp, T0 + 80 * S), T0 + 75 * S);
  });

  test("the cycle off has no next start", () => {
    assert.equal(nextAutomaticStart(parseNibp(record()), T0), null);
  });
});

describe("cuff pressure", () => {
  test("inflates from 0 to the peak, then deflates to a low pressure by the end", () => {
    assert.deepEqual(cuffPressure(0, 10, 160), { phase: "inflating", pressure: 0 });
    assert.deepEqual(cuffPressure(2500, 10, 160), { phase: "deflating", pressure: 160 });
    assert.deepEqual(cuffPressure(10000, 10, 160), { phase: "deflating", pressure: 20 });
    const deflating = [3000, 5000, 7000, 9000].map((ms) => cuffPressure(ms, 10, 160).pressure);
    assert.deepEqual([...deflating].sort((a, b) => b - a), deflating);
  });

  test("inflates above the expected systolic, within a cuff's range", () => {
    assert.equal(inflationPeak(120), 150);
    assert.equal(inflationPeak(60), 140);
    assert.equal(inflationPeak(290), 280);
    assert.equal(inflationPeak(null), 140);
  });
});

describe("readings", () => {
  const FLAGS = { rhythm: "sinus", alarm: false, spo2_probe_off: false, hidden: [] };
  const BEFORE = { systolic: 120, diastolic: 80, heart_rate: 75, spo2: 98, flags: FLAGS };
  const AFTER = { systolic: 80, diastolic: 40, heart_rate: 75, spo2: 98, flags: FLAGS };

  test("a measurement shows the value the trend gives at its end", () => {
    const trend = { from: BEFORE, started_at: iso(T0), seconds: 20 };
    const cuff = new Cuff(record({ started_at: iso(T0) }), T0);
    const at = (time) => valuesAt(AFTER, trend, time);
    assert.equal(cuff.update(T0 + 5 * S, at), false);
    assert.equal(cuff.reading, null);
    assert.equal(cuff.update(T0 + 12 * S, at), true);
    assert.deepEqual(cuff.reading, { takenAt: T0 + 10 * S, systolic: 100, diastolic: 60 });
    assert.equal(cuff.update(T0 + 30 * S, at), false, "one reading per measurement");
  });

  test("a reconnecting screen keeps the server's reading rather than redoing it", () => {
    const reading = { taken_at: iso(T0 + 10 * S), systolic: 111, diastolic: 71 };
    const cuff = new Cuff(record({ started_at: iso(T0), reading }), T0 + 15 * S);
    assert.equal(cuff.update(T0 + 16 * S, () => AFTER), false);
    assert.equal(cuff.reading.systolic, 111);
  });

  test("a measurement that ended before any values reads nothing", () => {
    const cuff = new Cuff(record({ started_at: iso(T0) }), T0);
    assert.equal(cuff.update(T0 + 11 * S, () => null), false);
    assert.equal(cuff.update(T0 + 12 * S, () => AFTER), false);
    assert.equal(cuff.reading, null);
  });

  test("a change arriving after a measurement ended leaves it the values before the change", () => {
    const cuff = new Cuff(record({ started_at: iso(T0) }), T0);
    const change = { type: "vitals", values: AFTER, trend: null, at: iso(T0 + 11 * S) };
    // Received 2 s late: the measurement ended at 10 s, before the change.
    cuff.receive(change, T0 + 13 * S, () => BEFORE);
    assert.deepEqual(cuff.reading, { takenAt: T0 + 10 * S, systolic: 120, diastolic: 80 });
  });

  test("starting the cuff and setting the cycle arrive as messages", () => {
    const cuff = new Cuff(record(), T0);
    cuff.receive({ type: "nibp_started", started_at: iso(T0), at: iso(T0) }, T0, () => BEFORE);
    assert.equal(cuff.measuringSince(T0 + S), T0);
    const cycle = { type: "nibp_interval", minutes: 5, cycle_started_at: iso(T0 + MIN), at: iso(T0 + MIN) };
    cuff.receive(cycle, T0 + MIN, () => AFTER);
    assert.equal(cuff.reading.systolic, 80);
    assert.equal(nextAutomaticStart(cuff.nibp, T0 + 2 * MIN), T0 + 6 * MIN);
  });

  test("a manual start, then the cycle, each give a new reading", () => {
    const cuff = new Cuff(record(), T0);
    cuff.setStarted(iso(T0));
    cuff.update(T0 + 11 * S, () => BEFORE);
    assert.equal(cuff.reading.systolic, 120);
    cuff.setInterval(1, iso(T0 + 20 * S));
    assert.equal(cuff.measuringSince(T0 + 21 * S), T0 + 20 * S);
    cuff.update(T0 + 31 * S, () => AFTER);
    assert.deepEqual(cuff.reading, { takenAt: T0 + 30 * S, systolic: 80, diastolic: 40 });
  });
});
