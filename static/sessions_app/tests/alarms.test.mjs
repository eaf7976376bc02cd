// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { evaluateAlarms, shownValues, withoutSignal } from "../alarms.js";

const RULES = {
  red_rhythms: ["asystole", "ventricular_fibrillation", "ventricular_tachycardia"],
  red_spo2_below: 85,
  silence_seconds: 120,
};
const LIMITS = {
  heart_rate: [50, 120],
  spo2: [90, 100],
  systolic: [90, 160],
  diastolic: [40, 100],
  respiratory_rate: [8, 30],
  etco2: [25, 50],
};
const NORMAL = {
  systolic: 120,
  diastolic: 80,
  heart_rate: 75,
  spo2: 98,
  respiratory_rate: 14,
  etco2: 38,
  temperature: 36.8,
  flags: { rhythm: "sinus", alarm: false, spo2_probe_off: false, hidden: [] },
};
const READING = { systolic: 120, diastolic: 80 };

function patient(changes = {}, flags = {}) {
  return { ...NORMAL, ...changes, flags: { ...NORMAL.flags, ...flags } };
}

function alarms(values, reading = READING, limits = LIMITS) {
  return evaluateAlarms(values, shownValues(values, reading), limits, RULES);
}

describe("alarm evaluation", () => {
  test("normal values raise nothing", () => {
    assert.deepEqual(alarms(patient()), { level: null, fields: {}, conditions: [] });
  });

  test("a value outside its limits is yellow, with its direction", () => {
    const result = alarms(patient({ heart_rate: 121, etco2: 24 }));
    assert.equal(result.level, "yellow");
    assert.deepEqual(result.fields, { heart_rate: "yellow", etco2: "yellow" });
    assert.deepEqual(
      result.conditions.map((condition) => condition.id),
      ["heart_rate.high", "etco2.low"],
    );
  });

  test("the limits themselves do not alarm", () => {
    assert.equal(alarms(patient({ heart_rate: 120, spo2: 90, respiratory_rate: 8 })).level, null);
  });

  test("the session's own limits apply", () => {
    const strict = { ...LIMITS, heart_rate: [60, 70] };
    assert.equal(alarms(patient(), READING, strict).fields.heart_rate, "yellow");
  });

  for (const rhythm of RULES.red_rhythms) {
    test(`${rhythm} is red whatever the limits`, () => {
      const result = alarms(patient({ heart_rate: 80 }, { rhythm }));
      assert.equal(result.level, "red");
      assert.equal(result.fields.heart_rate, "red");
    });
  }

  test("a lethal rhythm on a disconnected ECG raises nothing", () => {
    const result = alarms(patient({}, { rhythm: "asystole", hidden: ["heart_rate"] }));
    assert.equal(result.level, null);
  });

  test("SpO2 below 85 is red, 85 to 89 is yellow", () => {
    assert.equal(alarms(patient({ spo2: 84 })).fields.spo2, "red");
    assert.equal(alarms(patient({ spo2: 85 })).fields.spo2, "yellow");
    assert.equal(alarms(patient({ spo2: 84 })).conditions[0].id, "desaturation");
  });

  test("SpO2 with the probe off or disconnected raises nothing", () => {
    assert.equal(alarms(patient({ spo2: 70 }, { spo2_probe_off: true })).level, null);
    assert.equal(alarms(patient({ spo2: 70 }, { spo2_probe_off: true })).conditions[0].level, "cyan");
    assert.equal(alarms(patient({ spo2: 70 }, { hidden: ["spo2"] })).level, null);
  });

  test("the trainer's alarm flag is red on its own", () => {
    const result = alarms(patient({}, { alarm: true }));
    assert.equal(result.level, "red");
    assert.deepEqual(result.conditions, [{ id: "general", level: "red" }]);
    assert.deepEqual(result.fields, {});
  });

  test("red comes before yellow, and a red parameter stays red", () => {
    const result = alarms(patient({ spo2: 80, heart_rate: 130 }, { rhythm: "ventricular_tachycardia" }));
    assert.equal(result.fields.spo2, "red");
    assert.equal(result.fields.heart_rate, "red");
    // One condition per parameter, its most urgent: no "HR high" beside the VT.
    assert.deepEqual(
      result.conditions.map((condition) => condition.id),
      ["rhythm.ventricular_tachycardia", "desaturation"],
    );
  });

  test("blood pressure alarms on the cuff's last reading, not on the current value", () => {
    assert.equal(alarms(patient({ systolic: 70, diastolic: 40 })).level, null);
    assert.equal(alarms(patient(), { systolic: 85, diastolic: 50 }).fields.systolic, "yellow");
    assert.equal(alarms(patient({ systolic: 70 }), null).level, null);
  });

  test("hidden or absent parameters show nothing and raise nothing", () => {
    const values = patient(
      { respiratory_rate: null, etco2: 0, temperature: null },
      { hidden: ["etco2", "nibp"] },
    );
    const shown = shownValues(values, { systolic: 50, diastolic: 30 });
    assert.equal(shown.respiratory_rate, null);
    assert.equal(shown.etco2, null);
    assert.equal(shown.systolic, null);
    assert.equal(shown.temperature, null);
    assert.equal(shown.heart_rate, 75);
    assert.equal(evaluateAlarms(values, shown, LIMITS, RULES).level, null);
  });

  test("RR 0 is shown, and is a red apnoea, unlike nothing", () => {
    const result = alarms(patient({ respiratory_rate: 0 }));
    assert.equal(shownValues(patient({ respiratory_rate: 0 }), READING).respiratory_rate, 0);
    assert.deepEqual(result.conditions, [{ id: "apnoea", level: "red", field: "respiratory_rate" }]);
  });

  test("no values yet, no alarm", () => {
    assert.equal(alarms(null).level, null);
  });
});

describe("no pulse, no numbers", () => {
  test("in VF the monitor counts no rate and reads no SpO2: both tiles show ---", () => {
    const values = patient({ heart_rate: 0, spo2: 98 }, { rhythm: "ventricular_fibrillation" });
    const shown = shownValues(values, READING);
    assert.equal(shown.heart_rate, null);
    assert.equal(shown.spo2, null);
    assert.deepEqual([...withoutSignal(values, READING)], ["heart_rate", "spo2"]);
  });

  test("in asystole the monitor counts 0, whatever rate was sent", () => {
    assert.equal(shownValues(patient({ heart_rate: 40 }, { rhythm: "asystole" }), READING).heart_rate, 0);
  });

  test("PEA: the ECG rate shows, the SpO2 does not", () => {
    const values = patient({}, { no_pulse: true });
    assert.equal(shownValues(values, READING).heart_rate, 75);
    assert.deepEqual([...withoutSignal(values, READING)], ["spo2"]);
  });

  test("leads off and a failed cuff show --- in their tiles, a disconnected sensor stays blank", () => {
    const failed = { systolic: null, diastolic: null, no_pulse: true };
    assert.deepEqual([...withoutSignal(patient({}, { ecg_leads_off: true }), failed)], ["heart_rate", "nibp"]);
    const hidden = patient({}, { ecg_leads_off: true, hidden: ["heart_rate", "nibp"] });
    assert.deepEqual([...withoutSignal(hidden, failed)], []);
  });
});
