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

const FIELDS = ["systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "etco2", "temperature"];

const numbers = ({ flags, ...rest }) => rest;

describe("interpolation", () => {
  // Computed by sessions_app/trends.py (values_at) for the same trend and times.
  const PYTHON = [
    ["2026-01-01T12:00:00.123456+00:00", [120, 80, 80, 98, null, 38, 36.8]],
    ["2026-01-01T12:00:04.500000+00:00", [115, 76, 89, 97, null, 35, 37.2]],
    ["2026-01-01T12:00:07.469134+00:00", [111, 73, 95, 96, null, 34, 37.5]],
    ["2026-01-01T12:00:12.623456+00:00", [105, 68, 105, 94, null, 31, 37.9]],
    // Half way: 102.5, 110.5, 38.15 all round half up, as Math.floor(x + 0.5) does.
    ["2026-01-01T12:00:15.123456+00:00", [103, 65, 111, 93, null, 29, 38.2]],
    ["2026-01-01T12:00:26.001234+00:00", [90, 54, 133, 89, null, 22, 39.1]],
    ["2026-01-01T12:00:30.123455+00:00", [85, 50, 141, 88, null, 20, 39.5]],
    ["2026-01-01T12:00:30.123456+00:00", [85, 50, 141, 88, null, 20, 39.5]],
  ];

  for (const [at, expected] of PYTHON) {
    test(`matches the server's rounding at ${at.slice(11, 26)}`, () => {
      const values = valuesAt(TARGET, TREND, parseIsoTime(at));
      assert.deepEqual(FIELDS.map((field) => values[field]), expected);
    });
  }

  test("exact halves round up as on the server, tenths follow float arithmetic as Python's", () => {
    // Python: HR 80 -> 81 and temperature 36.8 -> 36.9, half way, give 81 and 36.8
    // (36.8 + 0.05 is 36.849999... in binary): the browser must agree, not "fix" it.
    const target = { ...FROM, heart_rate: 81, temperature: 36.9, flags: FLAGS };
    for (const seconds of [1, 3, 7]) {
      const trend = { from: FROM, started_at: START, seconds };
      const values = valuesAt(target, trend, parseIsoTime(START) + seconds * 500);
      assert.equal(values.heart_rate, 81);
      assert.equal(values.temperature, 36.8);
    }
  });

  test("a screen reconnecting midway shows the server's values from its snapshot", () => {
    // The snapshot carries the same target and trend (the server keeps the trend while it
    // runs); computed by sessions_app/trends.py (values_at) for these times.
    const snapshot = JSON.parse(JSON.stringify({ values: TARGET, trend: TREND }));
    const expected = [
      ["2026-01-01T12:00:12.123956+00:00", [106, 68, 104, 94, null, 31, 37.9]],
      ["2026-01-01T12:00:20.123456+00:00", [97, 60, 121, 91, null, 26, 38.6]],
      ["2026-01-01T12:00:29.123456+00:00", [86, 51, 139, 88, null, 21, 39.4]],
    ];
    for (const [at, numbers] of expected) {
      const values = valuesAt(snapshot.values, snapshot.trend, parseIsoTime(at));
      assert.deepEqual(FIELDS.map((field) => values[field]), numbers, at);
    }
  });

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
