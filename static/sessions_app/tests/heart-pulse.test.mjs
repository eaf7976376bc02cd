// Run with: node --test static/sessions_app/tests/
// Pulses follow the mechanically effective beats; pressure waveforms keep their landmarks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ARTERIAL_DELAY, arterialAt, cvpAt, meanArterial, plethAt, pulses } from "../heart/pulse.js";
import { RHYTHMS, RHYTHM_IDS } from "../heart/rhythms.js";
import { createHeart } from "../heart/conduction.js";
import { makeRng } from "../waveforms.js";
import { qrsOf, run } from "./heart-helpers.mjs";

// Times of the local maxima that rise more than `prominence` above the minimum before them:
// systolic peaks, not the smaller dicrotic wave.
function peaks(fn, from, to, prominence, step = 0.004) {
  const found = [];
  let previous = fn(from);
  let trough = previous;
  let rising = false;
  for (let t = from + step; t < to; t += step) {
    const v = fn(t);
    if (v < previous && rising && previous - trough > prominence) found.push(t - step);
    if (v > previous && !rising) trough = previous;
    rising = v > previous;
    previous = v;
  }
  return found;
}

// A heart kept whole for 60 s, so the sampled window still has all its events.
function whole(rhythm, options = {}) {
  const heart = createHeart({ rhythm, rng: makeRng(5), memorySeconds: Infinity, ...options });
  heart.schedule(61);
  return heart;
}

describe("pulses", () => {
  for (const rhythm of ["sinus", "atrial_fibrillation", "ventricular_bigeminy", "av_block_2_mobitz_1", "pvc_couplets", "ventricular_tachycardia", "pacing_failure_to_capture"]) {
    test(`${rhythm}: one pleth pulse per effective beat over 60 s`, () => {
      const heart = whole(rhythm);
      // Window edges halfway between beats; a pleth peak comes 0.30 to 0.39 s after its QRS.
      const qrs = qrsOf(heart.events).filter((e) => e.t < 60);
      const from = (qrs[1].t + qrs[2].t) / 2;
      const to = (qrs.at(-3).t + qrs.at(-2).t) / 2;
      const effective = pulses(heart, from, to);
      const beats = peaks((t) => plethAt(heart, t), from + 0.3, to + 0.3, 0.08);
      assert.equal(beats.length, effective.length);
      assert.ok(effective.length > 40);
    });
  }

  test("no pulse in VF, asystole, torsades, agonal or standstill", () => {
    for (const id of RHYTHM_IDS.filter((id) => !RHYTHMS[id].pulse)) {
      const { heart } = run(id, 20);
      assert.equal(pulses(heart, 0, 20).length, 0, id);
      for (let t = 5; t < 20; t += 0.01) assert.equal(plethAt(heart, t), 0, id);
      for (let t = 5; t < 20; t += 0.05) assert.equal(arterialAt(heart, t, { systolic: 120, diastolic: 80 }), 80);
    }
  });

  test("PEA: an organised rhythm without a pulse", () => {
    const heart = createHeart({ rhythm: "sinus", rng: makeRng(1), memorySeconds: Infinity });
    heart.schedule(10);
    heart.setPulse(false, 5);
    heart.schedule(20);
    assert.ok(qrsOf(heart.events).filter((e) => e.t > 6).length > 15);
    assert.equal(pulses(heart, 5, 20).length, 0);
    assert.ok(pulses(heart, 0, 5).length >= 5);
  });

  test("a PVC makes a smaller pulse, the beat after it a full one", () => {
    const qrs = qrsOf(run("ventricular_trigeminy", 30).events);
    for (const [i, e] of qrs.entries()) {
      if (e.origin !== "ventricular" || i === 0 || i === qrs.length - 1) continue;
      assert.ok(e.pulse < 0.6 * qrs[i - 1].pulse, `${e.pulse} vs ${qrs[i - 1].pulse}`);
      assert.ok(qrs[i + 1].pulse >= qrs[i - 1].pulse);
    }
  });

  test("AF pulses vary in size with the filling time", () => {
    const qrs = qrsOf(run("atrial_fibrillation", 60).events);
    const sizes = qrs.map((e) => e.pulse);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) > 0.2);
    const short = qrs.filter((e) => e.rr < 0.4);
    const long = qrs.filter((e) => e.rr > 0.7);
    assert.ok(Math.max(...short.map((e) => e.pulse)) < Math.min(...long.map((e) => e.pulse)));
  });
});

describe("arterial line", () => {
  const heart = whole("sinus", { rate: 60 });
  const window = (fn) => {
    const values = [];
    for (let t = 20; t < 30; t += 0.004) values.push(fn(t));
    return values;
  };

  test("reaches systolic and diastolic, with the bedside mean", () => {
    const values = window((t) => arterialAt(heart, t, { systolic: 120, diastolic: 80 }));
    assert.ok(Math.abs(Math.max(...values) - 120) < 5, `max ${Math.max(...values)}`);
    assert.ok(Math.abs(Math.min(...values) - 80) < 2, `min ${Math.min(...values)}`);
    assert.equal(meanArterial(120, 80), 80 + 40 / 3);
  });

  test("has a dicrotic notch after each systolic peak", () => {
    const e = qrsOf(heart.events).find((e) => e.t > 20);
    const values = [];
    for (let t = e.t + ARTERIAL_DELAY; t < e.t + 0.8; t += 0.002) {
      values.push(arterialAt(heart, t, { systolic: 120, diastolic: 80 }));
    }
    const peak = values.indexOf(Math.max(...values));
    const notch = values.findIndex((v, i) => i > peak && v < values[i + 1]);
    assert.ok(notch > peak && values[notch] > 90, `notch at ${notch}`);
  });

  test("under-damping overshoots, over-damping narrows the pulse pressure", () => {
    const span = (damping) => {
      const values = window((t) => arterialAt(heart, t, { systolic: 120, diastolic: 80, damping }));
      return [Math.min(...values), Math.max(...values)];
    };
    const [normalLow, normalHigh] = span("normal");
    const [, underHigh] = span("under");
    const [overLow, overHigh] = span("over");
    assert.ok(underHigh > normalHigh + 5);
    assert.ok(overHigh < normalHigh - 5 && overLow > normalLow + 3);
  });

  test("after an arrest the first pulses do not stack above systolic", () => {
    const arrest = createHeart({ rhythm: "sinus", rng: makeRng(3), memorySeconds: Infinity });
    arrest.schedule(3);
    arrest.setRhythm("ventricular_fibrillation", 3);
    arrest.schedule(6);
    arrest.setRhythm("sinus", 6);
    arrest.schedule(12);
    let highest = 0;
    for (let t = 6; t < 11; t += 0.004) highest = Math.max(highest, arterialAt(arrest, t, { systolic: 120, diastolic: 80 }));
    assert.ok(highest < 122 && highest > 110, `highest ${highest}`);
  });

  test("pulsus paradoxus lowers systolic with breathing", () => {
    const tops = (paradoxus) =>
      peaks((t) => arterialAt(heart, t, { systolic: 120, diastolic: 80, paradoxus }), 10, 40, 15).map((t) =>
        arterialAt(heart, t, { systolic: 120, diastolic: 80, paradoxus }),
      );
    const plain = tops(0);
    const varied = tops(15);
    assert.ok(Math.max(...plain) - Math.min(...plain) < 4);
    assert.ok(Math.max(...varied) - Math.min(...varied) > 10);
  });
});

describe("CVP", () => {
  test("a, c, v waves around the mean in sinus; no a wave in AF", () => {
    const sinus = whole("sinus", { rate: 60 });
    const e = qrsOf(sinus.events).find((e) => e.t > 20);
    const a = cvpAt(sinus, e.t - e.pr + 0.1, { mean: 8 });
    const v = cvpAt(sinus, e.t + e.qt, { mean: 8 });
    const x = cvpAt(sinus, e.t + 0.2, { mean: 8 });
    assert.ok(a > 10 && v > 9.5 && x < 6.5, `a ${a} v ${v} x ${x}`);
    const af = whole("atrial_fibrillation", { rate: 60 });
    const f = qrsOf(af.events).find((e) => e.t > 20 && e.rr > 0.9);
    assert.ok(cvpAt(af, f.t - 0.06, { mean: 8 }) < 8.5, "no a wave before an AF beat");
  });

  test("complete heart block makes cannon a waves", () => {
    const heart = whole("av_block_3");
    let cannon = -Infinity;
    for (let t = 5; t < 60; t += 0.004) cannon = Math.max(cannon, cvpAt(heart, t, { mean: 8 }));
    assert.ok(cannon > 14, `largest ${cannon}`);
  });
});
