// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { parseIsoTime } from "../clock.js";
import { progress, rounded, valuesAt } from "../trends.js";

const FLAGS = { rhythm: "sinus", alarm: false, spo2_probe_off: false, hidden: [] };
const START = "2026-01-01T12:00:00.123456+00:00";
const FROM = {
  systolic: 120,
  diastolic: 80,
  heart_rate: 80,
  spo2: 98,
  respiratory_rate: 14,
  etco2: 38,
  temperature: 36.8,
};
const TARGET = {
  systolic: 85,
  diastolic: 50,
  heart_rate: 141,
  spo2: 88,
  respiratory_rate: null,
  etco2: 20,
  temperature: 39.5,
  flags: { ...FLAGS, rhythm: "sinus_tachycardia" },
};
const TREND = { from: FROM, started_at: START, seconds: 30 };

const numbers = ({ flags, ...rest }) => rest;

// The server's values at given moments (rounding, exact halves, reconnecting midway) are the
// shared vectors of contract.test.mjs; these are the browser's own cases.
describe("interpolation", () => {
  test("a 10 s trend from HR 80 to 140 is at 110 after 5 s", () => {
    const trend = { from: { ...FROM, heart_rate: 80 }, started_at: START, seconds: 10 };
    const target = { ...FROM, heart_rate: 140, flags: FLAGS };
    assert.equal(valuesAt(target, trend, parseIsoTime(START) + 5000).heart_rate, 110);
  });

  test("flags change at once, numbers do not", () => {
    const values = valuesAt(TARGET, TREND, parseIsoTime(START) + 1);
    assert.equal(values.flags.rhythm, "sinus_tachycardia");
    assert.equal(values.heart_rate, 80);
  });

  test("a sensor appearing or going away does not move", () => {
    const trend = { ...TREND, from: { ...FROM, etco2: null } };
    const values = valuesAt(TARGET, trend, parseIsoTime(START) + 15000);
    assert.equal(values.etco2, 20);
    assert.equal(values.respiratory_rate, null);
  });

  test("no trend, or a finished one, gives the target unchanged", () => {
    assert.equal(valuesAt(TARGET, null, 0), TARGET);
    assert.equal(valuesAt(TARGET, TREND, parseIsoTime(START) + 31000), TARGET);
    assert.equal(valuesAt(null, TREND, 0), null);
  });

  test("progress is clamped to 0 before the start and 1 after", () => {
    const start = parseIsoTime(START);
    assert.equal(progress(TREND, start - 5000), 0);
    assert.equal(progress(TREND, start + 15000), 0.5);
    assert.equal(progress(TREND, start + 60000), 1);
    assert.equal(progress(null, start), 1);
  });

  test("rounding keeps diastolic below a non-zero systolic", () => {
    assert.deepEqual(numbers(rounded({ ...TARGET, systolic: 60.4, diastolic: 60.2 })), {
      ...numbers(TARGET),
      systolic: 60,
      diastolic: 59,
    });
    assert.equal(rounded({ ...TARGET, systolic: 0, diastolic: 0 }).diastolic, 0);
  });
});
