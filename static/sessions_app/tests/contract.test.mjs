// Run with: node --test static/sessions_app/tests/
// The rules the server computes too, asserted against the vectors sessions_app/tests/
// test_contract.py asserts for the server (simulator/contract/): a change on one side that
// the other does not follow fails on both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  LIMITED_FIELDS,
  NO_RATE_RHYTHMS,
  PULSELESS_RHYTHMS,
  ZERO_RATE_RHYTHMS,
  SENSOR,
  evaluateAlarms,
  shownValues,
  sounding,
  stillAcknowledged,
  tone,
} from "../alarms.js";
import { parseIsoTime } from "../clock.js";
import { Cuff } from "../nibp.js";
import { replayMessages } from "../replay-messages.js";
import { INTEGER_FIELDS, NUMBER_FIELDS, valuesAt } from "../trends.js";

const vectors = (name) =>
  JSON.parse(readFileSync(new URL(`../../../simulator/contract/${name}`, import.meta.url)));

describe("trends", () => {
  for (const { name, input, expected } of vectors("trends.json").cases) {
    test(name, () => {
      for (const { at, values } of expected) {
        assert.deepEqual(valuesAt(input.target, input.trend, parseIsoTime(at)), values, at);
      }
    });
  }
});

// What a screen connected from the start receives: each event as its live message, at its time.
function message(event) {
  switch (event.type) {
    case "nibp_started":
      return { type: "nibp_started", started_at: event.at, at: event.at };
    case "nibp_interval":
      return {
        type: "nibp_interval",
        minutes: event.minutes,
        cycle_started_at: event.minutes ? event.at : null,
        at: event.at,
      };
    default:
      return { type: "vitals", values: event.values, trend: event.trend, at: event.at };
  }
}

describe("cuff", () => {
  for (const { name, input, expected } of vectors("cuff.json").cases) {
    test(name, () => {
      const idle = {
        measurement_seconds: input.measurement_seconds,
        interval_minutes: 0,
        cycle_started_at: null,
        started_at: null,
        reading: null,
      };
      const events = input.events.map((event) => ({ ...event, time: parseIsoTime(event.at) }));
      const cuff = new Cuff(idle, Math.min(...events.map((event) => event.time)));
      let target = null;
      let trend = null;
      // As monitor.js: the cuff receives a message before the page applies its new values.
      const shownAt = (time) => valuesAt(target, trend, time);
      let next = 0;
      for (const moment of expected) {
        const now = parseIsoTime(moment.at);
        for (; next < events.length && events[next].time <= now; next++) {
          const event = events[next];
          cuff.receive(message(event), event.time, shownAt);
          if (event.type === "vitals") ({ values: target, trend } = event);
        }
        cuff.update(now, shownAt);
        assert.equal(cuff.measuringSince(now), parseIsoTime(moment.measuring_since), moment.at);
        const reading = moment.reading && {
          takenAt: parseIsoTime(moment.reading.taken_at),
          systolic: moment.reading.systolic,
          diastolic: moment.reading.diastolic,
          noPulse: Boolean(moment.reading.no_pulse),
        };
        const shown = cuff.reading && {
          takenAt: cuff.reading.takenAt,
          systolic: cuff.reading.systolic,
          diastolic: cuff.reading.diastolic,
          noPulse: Boolean(cuff.reading.no_pulse),
        };
        assert.deepEqual(shown, reading, moment.at);
      }
    });
  }
});

describe("alarms", () => {
  const { rules, cases } = vectors("alarms.json");
  for (const { name, input, expected } of cases) {
    test(name, () => {
      const shown = shownValues(input.values, input.reading);
      const nibpFailed = Boolean(input.reading?.no_pulse);
      const result = evaluateAlarms(input.values, shown, input.limits, rules, nibpFailed);
      const conditions = result.conditions.map(({ id, level }) => ({ id, level }));
      assert.deepEqual({ level: result.level, fields: result.fields, conditions }, expected);
    });
  }
});

describe("silence", () => {
  for (const { name, input, expected } of vectors("silence.json").cases) {
    test(name, () => {
      const silence = input.silence && { ...input.silence, until: parseIsoTime(input.silence.until) };
      const found = sounding(input.active, silence, parseIsoTime(input.now));
      assert.deepEqual(found, expected.sounding);
      assert.equal(tone(found), expected.tone);
    });
  }
});

describe("acknowledgement", () => {
  for (const { name, input, expected } of vectors("acknowledgement.json").cases) {
    test(name, () => {
      const kept = stillAcknowledged(input.silence, input.active);
      assert.deepEqual(kept && kept.acknowledged, expected && expected.acknowledged);
    });
  }
});

// The constants the server sends the pages (simulator/protocol.py): the rule modules' copies.
describe("protocol constants", () => {
  const constants = JSON.parse(
    readFileSync(new URL("../../../simulator/contract/protocol.json", import.meta.url)),
  );
  test("fields and sensors", () => {
    assert.deepEqual(INTEGER_FIELDS, constants.integer_fields);
    assert.deepEqual(NUMBER_FIELDS, constants.number_fields);
    assert.deepEqual(LIMITED_FIELDS, constants.limited_fields);
    assert.deepEqual(SENSOR, constants.sensors);
    assert.deepEqual(PULSELESS_RHYTHMS, constants.pulseless_rhythms);
    assert.deepEqual(NO_RATE_RHYTHMS, constants.no_rate_rhythms);
    assert.deepEqual(ZERO_RATE_RHYTHMS, constants.zero_rate_rhythms);
  });
});

// replay.json as the server writes it (sessions_app/debrief.py, ReplayWriter), read back into
// the messages the screens were sent.
describe("replay", () => {
  for (const { name, input, expected } of vectors("replay.json").cases) {
    test(name, () => {
      assert.deepEqual(replayMessages(expected), input.messages);
      assert.equal(expected.started_at, input.started_at);
      assert.equal(expected.ended_at, input.ended_at);
    });
  }
});
