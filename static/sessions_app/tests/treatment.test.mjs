// Run with: node --test static/sessions_app/tests/
// The defibrillator's, the pacer's and CPR's rules (treatment.js) against the vectors
// simulator/tests/test_treatment.py asserts for the server; then what the screens draw of them
// (heart-driver.js, artefacts.js): pacing spikes and capture, the CPR artefact, the shock.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as treatment from "../treatment.js";

const vectors = JSON.parse(readFileSync(new URL("../../../simulator/contract/treatment.json", import.meta.url)));

const FUNCTIONS = {
  charge_seconds: ({ joules }) => treatment.chargeSeconds(joules),
  shockable: ({ values }) => treatment.shockable(values),
  has_r_waves: ({ values }) => treatment.hasRWaves(values),
  captured: ({ pacer, capture_threshold_ma }) => treatment.captured(pacer, capture_threshold_ma),
  treated_values: ({ values, treatment: state, defibrillator }) =>
    treatment.treatedValues(values, state, defibrillator),
};

describe("treatment rules", () => {
  for (const { name, function: rule, input, expected } of vectors.cases) {
    test(name, () => assert.deepEqual(FUNCTIONS[rule](input), expected));
  }

  test("the constants are the vectors'", () => {
    const c = vectors.constants;
    assert.deepEqual(treatment.ENERGY_CHOICES, c.energy_choices);
    assert.deepEqual(treatment.CPR_ETCO2, c.cpr_etco2);
    for (const name of [
      "default_joules",
      "aed_joules",
      "min_joules",
      "max_joules",
      "charge_hold_seconds",
      "analysis_seconds",
      "compression_rate",
      "cpr_cycle_seconds",
      "cpr_ventilation_rate",
    ]) {
      assert.equal(treatment[name.toUpperCase()], c[name], name);
    }
  });
});

// What the screens draw of the treatment.
import { HeartDriver, SHOCK_DRAW_DELAY_SECONDS, pacerSpikes, syncedShockTime } from "../heart-driver.js";
import { pulses } from "../heart/pulse.js";

const T0 = 1_796_000_000;
const iso = (seconds) => new Date(seconds * 1000).toISOString();
const patient = (rhythm = "sinus", heartRate = 75, more = {}) => ({
  systolic: 120,
  diastolic: 80,
  heart_rate: heartRate,
  spo2: 98,
  respiratory_rate: 14,
  etco2: 38,
  temperature: 36.8,
  flags: { rhythm, alarm: false, hidden: [] },
  ...more,
});
const SETTINGS = { mode: "manual", capture_threshold_ma: 70, cpr_quality: "good" };
const pacer = (more) => ({ rate: 70, ma: 80, mode: "demand", since: iso(T0 + 10.4), ...more });

// A screen from T0 + 1 to `to`, 60 frames a second; `changes` [{at (s), treatment}] received at
// once. `driver.seen`: every event its traces showed (the heart keeps only the last 15 s).
function screen(values, to, changes = [], settings = SETTINGS) {
  const driver = new HeartDriver(42);
  driver.setTarget(values, null);
  driver.setTreatment({}, settings, null);
  const seen = new Map();
  const pending = [...changes];
  for (let now = T0 + 1; now < to; now += 1 / 60) {
    while (pending.length && pending[0].at <= now) {
      const change = pending.shift();
      driver.setTreatment(change.treatment, settings, change.at * 1000);
    }
    for (const e of driver.advance(now).events) if (e.t <= now) seen.set(`${e.kind}@${e.t}`, e);
  }
  driver.seen = [...seen.values()].sort((a, b) => a.t - b.t);
  return driver;
}

const kinds = (driver, kind, from, to) => driver.seen.filter((e) => e.kind === kind && e.t >= from && e.t < to);
const near = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe("a synchronised shock", () => {
  test("discharges on the first QRS at or after the press, none after a few seconds without one", () => {
    const events = [
      { kind: "qrs", t: 1 },
      { kind: "p", t: 1.5 },
      { kind: "pace_spike", t: 1.9 },
      { kind: "qrs", t: 2 },
      { kind: "qrs", t: 20 },
    ];
    assert.equal(syncedShockTime(events, 1.2), 2);
    assert.equal(syncedShockTime(events, 2), 2);
    assert.equal(syncedShockTime(events, 3), null, "the next QRS is too far");
    assert.equal(syncedShockTime(events, 21), null);
  });

  test("the screen draws it on the R wave, every screen at the same moment", () => {
    const pressed = T0 + 20.3;
    const shock = { last_shock: { at: iso(pressed), joules: 100, sync: true } };
    const drivers = [screen(patient("atrial_fibrillation", 110), T0 + 30, [{ at: pressed, treatment: shock }])];
    drivers.push(screen(patient("atrial_fibrillation", 110), T0 + 30, [{ at: pressed + 0.15, treatment: shock }]));
    const [a, b] = drivers.map((d) => d.shocks[0].at);
    assert.equal(a, b);
    const qrs = drivers[0].trace.events.find((e) => e.kind === "qrs" && e.t >= pressed + SHOCK_DRAW_DELAY_SECONDS);
    near(a - qrs.t, 0.08, 1e-6, "discharge after the QRS onset");
    const driver = drivers[0];
    assert.equal(driver.treatmentArtefact("II", a - 0.01), 0, "nothing before the R wave");
    assert.ok(Math.abs(driver.treatmentArtefact("II", a + 0.01)) > 1.5, "off the scale at the discharge");
  });

  test("an unsynchronised shock is drawn at the press, back to baseline within 2.5 s", () => {
    const pressed = T0 + 20.3;
    const shock = { last_shock: { at: iso(pressed), joules: 200, sync: false } };
    const driver = screen(patient("ventricular_fibrillation", 0), T0 + 30, [{ at: pressed, treatment: shock }]);
    const at = pressed + SHOCK_DRAW_DELAY_SECONDS;
    assert.equal(driver.treatmentArtefact("II", at - 0.001), 0);
    for (const lead of ["I", "II", "III", "V1", "V5"]) {
      assert.ok(Math.abs(driver.treatmentArtefact(lead, at + 0.005)) > 1.5, `${lead} saturates`);
    }
    assert.ok(Math.abs(driver.treatmentArtefact("II", at + 1.5)) < 0.1, "nearly back after 1.5 s");
    assert.equal(driver.treatmentArtefact("II", at + 2.6), 0);
  });
});

describe("transcutaneous pacing", () => {
  const on = (more) => [{ at: T0 + 10.4, treatment: { pacer: pacer(more) } }];
  const window = [T0 + 20, T0 + 40];

  test("below the threshold: spikes at the pacer's escape interval, the patient's own rhythm goes on", () => {
    const driver = screen(patient("sinus_bradycardia", 38), T0 + 41, on({ ma: 50 }));
    const spikes = kinds(driver, "pace_spike", ...window);
    const qrs = kinds(driver, "qrs", ...window);
    assert.ok(spikes.length >= 10, `${spikes.length} spikes`);
    assert.ok(spikes.every((e) => e.captured === false));
    assert.ok(qrs.every((e) => e.form === "narrow" && e.origin === "conducted"), "no paced complex");
    near(qrs.length, (38 * 20) / 60, 1.5, "the patient's rate");
    // Demand: each spike one interval after the last QRS or spike.
    const sensed = [...qrs, ...spikes].sort((x, y) => x.t - y.t);
    for (const spike of spikes) {
      const before = sensed.findLast((e) => e.t < spike.t);
      if (before) near(spike.t - before.t, 60 / 70, 1e-6, "escape interval");
    }
  });

  test("at the threshold: wide paced complexes at the pacer's rate, each with a pulse", () => {
    const driver = screen(patient("sinus_bradycardia", 38), T0 + 41, on({ ma: 70 }));
    const qrs = kinds(driver, "qrs", ...window);
    assert.equal(driver.heart.rhythm, "paced_ventricular");
    assert.ok(qrs.every((e) => e.form === "paced" && e.qrsd > 0.12));
    near(qrs.length, (70 * 20) / 60, 1.5, "the pacer's rate");
    assert.ok(kinds(driver, "pace_spike", ...window).every((e) => e.captured));
    assert.ok(qrs.every((e) => e.pulse > 0), "a pulse after each");
  });

  test("capture brings a pulse to asystole; fibrillation is never captured", () => {
    const asystole = screen(patient("asystole", 0), T0 + 41, on({ ma: 120, rate: 60 }));
    assert.ok(pulses({ events: asystole.seen }, ...window).length >= 18);
    const vf = screen(patient("ventricular_fibrillation", 0), T0 + 41, on({ ma: 200 }));
    assert.equal(pulses({ events: vf.seen }, ...window).length, 0);
    assert.ok(kinds(vf, "pace_spike", ...window).every((e) => !e.captured));
  });

  test("demand mode is silent while the patient's own rate is faster, fixed mode is not", () => {
    const demand = screen(patient("sinus", 85), T0 + 41, on({ ma: 50 }));
    assert.equal(kinds(demand, "pace_spike", ...window).length, 0);
    const fixed = screen(patient("sinus", 85), T0 + 41, on({ ma: 50, mode: "fixed" }));
    near(kinds(fixed, "pace_spike", ...window).length, (70 * 20) / 60, 1, "fixed spikes");
  });

  test("spikes start where the change applied and stop with the pacer", () => {
    const driver = screen(patient("asystole", 0), T0 + 41, [
      ...on({ ma: 10, mode: "fixed" }),
      { at: T0 + 30.2, treatment: {} },
    ]);
    const spikes = kinds(driver, "pace_spike", T0 + 25, T0 + 41);
    assert.ok(spikes.length > 0 && spikes.at(-1).t <= T0 + 32, `last spike ${spikes.at(-1)?.t - T0}`);
    const start = Math.ceil(10.4 + 1);
    for (const s of spikes) near(((s.t - T0 - start) * 70) / 60, Math.round(((s.t - T0 - start) * 70) / 60), 1e-6, "phase");
  });

  test("pacerSpikes: demand spikes fill only the gaps longer than the interval", () => {
    const events = [{ kind: "qrs", t: 0 }, { kind: "qrs", t: 0.5 }, { kind: "qrs", t: 3 }];
    const spikes = pacerSpikes(events, { rate: 60, mode: "demand" }, -10, 0, 5);
    assert.deepEqual(spikes, [1.5, 2.5, 4, 5]);
  });
});

describe("CPR", () => {
  const cpr = [{ at: T0 + 5.2, treatment: { cpr: { since: iso(T0 + 5.2) } } }];
  const peaks = (sample, from, seconds, threshold) => {
    const hz = 250;
    const values = Array.from({ length: seconds * hz }, (_, i) => sample(from + i / hz));
    return values.filter((v, i) => i > 0 && v > threshold && v > values[i - 1] && v >= (values[i + 1] ?? -Infinity)).length;
  };

  test("the ECG and the pleth show one compression after another at 100-120/min", () => {
    const driver = screen(patient("asystole", 0), T0 + 10, cpr);
    const ecg = peaks((t) => driver.treatmentArtefact("II", t), T0 + 8, 60, 0.4);
    near(ecg, treatment.COMPRESSION_RATE, 1, "ECG compression peaks in 60 s");
    const pleth = peaks((t) => driver.treatmentPleth(t), T0 + 8, 60, 0.1);
    near(pleth, treatment.COMPRESSION_RATE, 1, "pleth peaks in 60 s");
    let low = Infinity;
    let high = -Infinity;
    for (let t = T0 + 8; t < T0 + 12; t += 0.004) {
      const v = driver.treatmentArtefact("II", t);
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    assert.ok(high - low > 1 && high - low < 2.5, `${high - low} mV peak to peak`);
  });

  test("compressions start where the change applied and the numbers follow", () => {
    const driver = screen(patient("ventricular_fibrillation", 0), T0 + 10, cpr);
    assert.equal(driver.treatmentArtefact("II", T0 + 6.9), 0, "not before the whole second after the delay");
    assert.notEqual(driver.treatmentArtefact("II", T0 + 7.1), 0);
    assert.equal(driver.treated(patient("ventricular_fibrillation", 0), (T0 + 6.9) * 1000).etco2, 38);
    const during = driver.treated(patient("ventricular_fibrillation", 0), (T0 + 7.1) * 1000);
    assert.deepEqual([during.etco2, during.respiratory_rate], [treatment.CPR_ETCO2.good, treatment.CPR_VENTILATION_RATE]);
    assert.ok(driver.cprArterial(T0 + 8) >= 20, "an arterial pressure the compressions make");
  });

  test("sync marks show on the R waves only while a sync charge is held or Sync is on", () => {
    const charge = { charge: { joules: 100, sync: true, ready_at: iso(T0 + 12), disarm_at: iso(T0 + 70) } };
    const before = screen(patient("sinus", 75), T0 + 11.9, [{ at: T0 + 10.5, treatment: charge }]);
    assert.equal(before.syncMarks(T0 + 7, T0 + 11.9).length, 0, "the charge applies at the next whole second");
    const driver = screen(patient("sinus", 75), T0 + 20, [{ at: T0 + 10.5, treatment: charge }]);
    const marks = driver.syncMarks(T0 + 13, T0 + 19);
    const qrs = kinds(driver, "qrs", T0 + 13 - 0.04, T0 + 19 - 0.04);
    assert.ok(marks.length >= 6);
    assert.deepEqual(marks, qrs.map((e) => e.t + 0.04));
    const plain = screen(patient("sinus", 75), T0 + 20);
    assert.equal(plain.syncMarks(T0 + 13, T0 + 19).length, 0);
    plain.setSync(true);
    assert.ok(plain.syncMarks(T0 + 13, T0 + 19).length >= 6);
  });
});
