// Run with: node --test static/sessions_app/tests/
// The monitor's use of the heart: values to settings, one strip for every screen of a session,
// the acquired 12-lead's layout, and the artefacts keeping the lead identities.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ecgArtefact, leadArtefact, plethWithArtefacts } from "../artefacts.js";
import { HeartDriver, countedHeartRate, heartSettings, seedFrom } from "../heart-driver.js";
import { leadAt } from "../heart/leads.js";
import { RHYTHM_IDS } from "../heart/rhythms.js";
import { plethAt } from "../heart/pulse.js";
import { HZ, ROWS, acquireTwelveLead, twelveLeadLayout, twelveLeadSvg } from "../twelve-lead.js";
import { makeRng } from "../waveforms.js";

const patient = (flags = {}, numbers = {}) => ({
  systolic: 120,
  diastolic: 80,
  heart_rate: 75,
  spo2: 98,
  respiratory_rate: 14,
  etco2: 38,
  temperature: 36.8,
  ...numbers,
  flags: { rhythm: "sinus", alarm: false, hidden: [], ...flags },
});
// A server time in seconds, as the page's clock gives it.
const T0 = 1_796_000_000;

// A screen's frames from `from` to `to` s, `step` apart; each change handled when it is received.
function drive(driver, from, to, step, changes = []) {
  const pending = [...changes];
  for (let now = from; now < to; now += step) {
    while (pending.length && pending[0].receivedAt <= now) {
      const change = pending.shift();
      driver.setTarget(change.values, null, change.at * 1000);
    }
    driver.advance(now);
  }
  return driver.trace.events.map((e) => `${e.kind}@${e.t.toFixed(6)}`);
}

describe("values to the heart", () => {
  test("a rhythm the server knows and this page does not draws sinus", () => {
    assert.equal(heartSettings(patient({ rhythm: "martian" })).rhythm, "sinus");
  });

  test("VF and asystole ignore the set rate; PEA is no_pulse on an organised rhythm", () => {
    assert.equal(heartSettings(patient({ rhythm: "ventricular_fibrillation" }, { heart_rate: 180 })).rate, 0);
    assert.equal(heartSettings(patient({ rhythm: "sinus", no_pulse: true })).pulse, false);
    assert.equal(heartSettings(patient({ rhythm: "torsades_de_pointes" })).pulse, false);
    assert.equal(heartSettings(patient()).pulse, true);
  });

  test("ectopy: the trainer's N where the rhythm has ectopy, the default when absent, none elsewhere", () => {
    assert.equal(heartSettings(patient({ rhythm: "pvc_unifocal", ectopy_every: 3 })).ectopyEvery, 3);
    assert.equal(heartSettings(patient({ rhythm: "pvc_unifocal" })).ectopyEvery, 6);
    assert.equal(heartSettings(patient({ rhythm: "sinus", ectopy_every: 3 })).ectopyEvery, null);
  });

  test("every rhythm of the catalogue drives a heart", () => {
    for (const rhythm of RHYTHM_IDS) {
      const driver = new HeartDriver(1);
      driver.setTarget(patient({ rhythm }), null);
      assert.ok(driver.advance(T0 + 5), rhythm);
    }
  });

  test("the HR tile counts the QRS complexes where the set rate is atrial", () => {
    const driver = new HeartDriver(seedFrom("ABC234"));
    const values = patient({ rhythm: "av_block_2_mobitz_2" }, { heart_rate: 80 });
    driver.setTarget(values, null);
    for (let now = T0; now < T0 + 30; now += 1 / 60) driver.advance(now);
    const counted = countedHeartRate(values, 80, driver.heart, T0 + 30);
    assert.ok(counted >= 45 && counted < 80, `${counted}`);
    // A ventricular rate is shown as set; no number stays no number.
    assert.equal(countedHeartRate(patient(), 75, driver.heart, T0 + 30), 75);
    assert.equal(countedHeartRate(values, null, driver.heart, T0 + 30), null);
  });
});

describe("one strip for every screen of a session", () => {
  test("two screens opened in the same minute draw the same beats, whatever their frame rate and latency", () => {
    const seed = seedFrom("ABC234");
    const change = { values: patient({ rhythm: "pvc_couplets" }, { heart_rate: 90 }), at: T0 + 20.3 };
    const screens = [
      [T0 + 1.01, 1 / 60, 0.05],
      [T0 + 3.7, 1 / 30, 0.4],
    ].map(([from, step, latency]) => {
      const driver = new HeartDriver(seed);
      driver.setTarget(patient(), null);
      return drive(driver, from, T0 + 40, step, [{ ...change, receivedAt: change.at + latency }]);
    });
    assert.deepEqual(screens[0], screens[1]);
    assert.ok(screens[0].length > 20);
  });

  test("screens opened at other times draw the same beats from the next change of rhythm", () => {
    const seed = seedFrom("ABC234");
    const change = { values: patient({ rhythm: "atrial_fibrillation" }, { heart_rate: 110 }), at: T0 + 130.3 };
    const after = (driver) => driver.trace.events.filter((e) => e.t > change.at + 5).map((e) => `${e.kind}@${e.t}`);
    const strips = [T0 + 1, T0 + 75].map((from) => {
      const driver = new HeartDriver(seed);
      driver.setTarget(patient(), null);
      drive(driver, from, T0 + 160, 1 / 60, [{ ...change, receivedAt: change.at + 0.1 }]);
      return { events: after(driver) };
    });
    assert.deepEqual(strips[0].events, strips[1].events);
    assert.ok(strips[0].events.length > 20);
  });

  test("after a change of rhythm the old heart's last beat finishes, then the new rhythm", () => {
    const driver = new HeartDriver(11);
    driver.setTarget(patient(), null);
    drive(driver, T0 + 1, T0 + 10, 1 / 60);
    driver.setTarget(patient({ rhythm: "ventricular_fibrillation" }), null, (T0 + 10) * 1000);
    for (let now = T0 + 10; now < T0 + 12.2; now += 1 / 60) driver.advance(now);
    const trace = driver.trace;
    assert.ok(trace.events.some((e) => e.kind === "qrs" && e.t < T0 + 11), "the old beats are still there");
    assert.ok(trace.segments.some((s) => s.kind === "vf" && s.t0 === T0 + 11), "VF from the whole second");
    assert.ok(!trace.events.some((e) => e.kind === "qrs" && e.t > T0 + 11.3), "no QRS in VF");
    for (let now = T0 + 12.2; now < T0 + 16; now += 1 / 60) driver.advance(now);
    assert.equal(driver.trace, driver.heart, "the old heart is gone once it shapes nothing");
  });

  test("another session draws other beats", () => {
    const strips = ["ABC234", "XYZ789"].map((code) => {
      const driver = new HeartDriver(seedFrom(code));
      driver.setTarget(patient({ rhythm: "atrial_fibrillation" }), null);
      return drive(driver, T0 + 1, T0 + 20, 1 / 60);
    });
    assert.notDeepEqual(strips[0], strips[1]);
  });

  test("a change applies at the first whole second one second after the server made it", () => {
    const driver = new HeartDriver(7);
    driver.setTarget(patient(), null);
    drive(driver, T0 + 1, T0 + 10.2, 1 / 60);
    driver.setTarget(patient({ rhythm: "asystole" }), null, (T0 + 10.2) * 1000);
    for (let now = T0 + 10.2; now < T0 + 14; now += 1 / 60) driver.advance(now);
    const lastQrs = driver.trace.events.findLast((e) => e.kind === "qrs");
    assert.ok(lastQrs.t <= T0 + 12 + 0.3, `last QRS at ${lastQrs.t - T0}`);
    assert.ok(lastQrs.t > T0 + 11 - 1, "beats went on until the change applied");
  });

  test("a trend moves the heart's rate second by second", () => {
    const driver = new HeartDriver(3);
    const trend = { from: { heart_rate: 60 }, started_at: new Date((T0 + 1) * 1000).toISOString(), seconds: 20 };
    driver.setTarget(patient({}, { heart_rate: 120 }), trend);
    for (let now = T0 + 1; now < T0 + 40; now += 1 / 60) driver.advance(now);
    assert.equal(driver.heart.rate, 120);
  });

  test("the seeded rng repeats itself", () => {
    const a = makeRng(42);
    const b = makeRng(42);
    for (let i = 0; i < 100; i += 1) assert.equal(a(), b());
  });
});

describe("the acquired 12-lead", () => {
  test("twelve 2.5 s segments in the standard 3x4 order, then a 10 s lead II strip", () => {
    const { segments, strip } = twelveLeadLayout();
    assert.equal(segments.length, 12);
    assert.deepEqual(
      segments.map((s) => s.lead),
      ROWS.flat(),
    );
    assert.deepEqual(ROWS, [
      ["I", "aVR", "V1", "V4"],
      ["II", "aVL", "V2", "V5"],
      ["III", "aVF", "V3", "V6"],
    ]);
    for (const s of segments) assert.equal(s.to - s.from, 2.5);
    // Each column covers the same 2.5 s in its three rows, and the four columns the 10 s.
    assert.deepEqual([...new Set(segments.map((s) => s.from))], [0, 2.5, 5, 7.5]);
    assert.deepEqual(strip, { lead: "II", row: 3, from: 0, to: 10 });
  });

  test("the same session and moment give the same tracing; the identities hold in it", () => {
    const values = patient({ rhythm: "stemi_inferior", artefacts: ["mains", "movement"] }, { heart_rate: 70 });
    const a = acquireTwelveLead(values, T0 + 100.25, seedFrom("ABC234"));
    const b = acquireTwelveLead(values, T0 + 100.25, seedFrom("ABC234"));
    assert.deepEqual(a, b);
    assert.equal(a.leads.II.length, 10 * HZ);
    const { I, II, III, aVR, aVL, aVF } = a.leads;
    for (let i = 0; i < II.length; i += 1) {
      assert.ok(Math.abs(I[i] + III[i] - II[i]) < 1e-9, `Einthoven at ${i}`);
      assert.ok(Math.abs(aVR[i] + aVL[i] + aVF[i]) < 1e-9, `augmented leads at ${i}`);
    }
    // Inferior STEMI: II, III and aVF see ST elevation, aVL its reciprocal depression.
    assert.ok(Math.max(...III) > 0.3);
  });

  test("without a connected ECG the tracing is flat", () => {
    const flat = acquireTwelveLead(patient({ ecg_leads_off: true }), T0, 1);
    assert.ok(Object.values(flat.leads).every((lead) => lead.every((v) => v === 0)));
  });

  test("the SVG draws 13 traces whose numbers are never localised", () => {
    const svg = twelveLeadSvg(acquireTwelveLead(patient(), T0, 1), { title: "ECG 12 dérivations", time: "t", speed: "s" });
    assert.equal(svg.match(/<polyline /g).length, 13);
    const numbers = [...svg.matchAll(/points="([^"]*)"/g)].flatMap((m) => m[1].split(/[ ,]/));
    assert.ok(numbers.every((n) => /^-?\d+\.\d\d$/.test(n)), "fixed-point numbers with a dot");
    assert.match(svg, /viewBox="0 0 \d+ \d+"/);
  });
});

describe("artefacts", () => {
  test("none switched on adds nothing", () => {
    assert.equal(ecgArtefact([], T0), 0);
    assert.equal(leadArtefact(undefined, T0, "II"), 0);
    assert.equal(plethWithArtefacts([], T0, 0.7), 0.7);
  });

  test("mains hum is 50 Hz", () => {
    const at = (t) => ecgArtefact(["mains"], t, 0);
    for (let t = 0; t < 0.2; t += 0.0013) assert.ok(Math.abs(at(t) - at(t + 0.02)) < 1e-6);
  });

  test("low perfusion makes the pleth small", () => {
    const driver = new HeartDriver(5);
    driver.setTarget(patient(), null);
    for (let now = T0; now < T0 + 10; now += 1 / 60) driver.advance(now);
    let normal = 0;
    let low = 0;
    for (let t = T0 + 5; t < T0 + 9; t += 0.004) {
      normal = Math.max(normal, plethAt(driver.heart, t));
      low = Math.max(low, plethWithArtefacts(["low_perfusion"], t, plethAt(driver.heart, t)));
    }
    assert.ok(low < 0.35 * normal, `${low} vs ${normal}`);
  });

  test("movement moves the baseline of a flat trace", () => {
    const driver = new HeartDriver(5);
    driver.setTarget(patient({ rhythm: "asystole" }), null);
    driver.advance(T0 + 2);
    const values = [];
    for (let t = T0; t < T0 + 2; t += 0.01) values.push(leadAt(driver.heart, "II", t) + leadArtefact(["movement"], t, "II"));
    assert.ok(Math.max(...values) - Math.min(...values) > 0.2);
  });
});
