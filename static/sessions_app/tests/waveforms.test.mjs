// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  PLETH_DELAY_SECONDS,
  beatIntervals,
  cancelPlannedBeats,
  ecgComplex,
  ecgSample,
  makeRng,
  plethPulse,
  plethSample,
  scheduleBeats,
} from "../waveforms.js";

const FRAME_SECONDS = 1 / 60;

// Every beat the monitor would schedule over `seconds`, frame by frame, as the page does.
function runBeats(rhythm, heartRate, seconds, rng = makeRng(7)) {
  let beats = [];
  const seen = new Set();
  for (let now = 0; now < seconds; now += FRAME_SECONDS) {
    beats = scheduleBeats(beats, rhythm, heartRate, now, rng);
    beats.forEach((beat) => seen.add(beat));
  }
  return [...seen].sort((a, b) => a.t - b.t);
}

function samples(fn, from, to, step = 0.002) {
  const values = [];
  for (let t = from; t < to; t += step) values.push(fn(t));
  return values;
}

function gaps(beats) {
  return beats.slice(1).map((beat, i) => beat.t - beats[i].t);
}

// Seconds the complex spends above half its peak: the width of the main deflection.
function widthAtHalfPeak(rhythm, rr) {
  const step = 0.001;
  const values = samples((dt) => ecgComplex(rhythm, dt, rr), -0.3, 0.6, step);
  const half = Math.max(...values) / 2;
  return values.filter((v) => v > half).length * step;
}

function assertFlat(values) {
  assert.ok(values.length > 0);
  assert.ok(
    values.every((v) => v === values[0]),
    "expected an exactly flat line",
  );
}

describe("beat intervals", () => {
  for (const [rhythm, heartRate] of [
    ["sinus", 75],
    ["sinus_tachycardia", 150],
    ["sinus_bradycardia", 40],
    ["ventricular_tachycardia", 180],
  ]) {
    test(`${rhythm} at ${heartRate} bpm is regular at 60/HR`, () => {
      const expected = 60 / heartRate;
      assert.deepEqual(beatIntervals(rhythm, heartRate, 20, makeRng(1)), Array(20).fill(expected));
      for (const gap of gaps(runBeats(rhythm, heartRate, 10))) {
        assert.ok(Math.abs(gap - expected) < 1e-9, `gap ${gap} != ${expected}`);
      }
    });
  }

  test("atrial fibrillation is irregularly irregular around 60/HR", () => {
    const mean = 60 / 100;
    const intervals = beatIntervals("atrial_fibrillation", 100, 500, makeRng(3));
    assert.equal(intervals.length, 500);
    assert.ok(new Set(intervals).size > 450, "intervals should rarely repeat");
    assert.ok(intervals.every((rr) => rr >= mean * 0.75 && rr <= mean * 1.25));
    const average = intervals.reduce((a, b) => a + b) / intervals.length;
    assert.ok(Math.abs(average - mean) < mean * 0.03, `average ${average}`);
    const spread = Math.max(...intervals) - Math.min(...intervals);
    assert.ok(spread > mean * 0.3, `spread ${spread}`);
  });

  test("a seeded rng repeats the same beats", () => {
    assert.deepEqual(
      beatIntervals("atrial_fibrillation", 90, 10, makeRng(42)),
      beatIntervals("atrial_fibrillation", 90, 10, makeRng(42)),
    );
  });

  test("a rate change applies from the next planned beat", () => {
    const rng = makeRng(1);
    let beats = runBeats("sinus", 60, 5, rng);
    const changedAt = 5;
    beats = cancelPlannedBeats(beats, changedAt);
    for (let now = changedAt; now < changedAt + 5; now += FRAME_SECONDS) {
      beats = scheduleBeats(beats, "sinus", 120, now, rng);
    }
    const later = beats.filter((beat) => beat.t > changedAt + 1);
    assert.ok(later.length > 3);
    gaps(later).forEach((gap) => assert.ok(Math.abs(gap - 0.5) < 1e-9));
  });
});

describe("ECG", () => {
  test("sinus has a P wave before the QRS; atrial fibrillation has none", () => {
    const pWave = (rhythm) => Math.max(...samples((dt) => ecgComplex(rhythm, dt, 0.8), -0.25, -0.08));
    assert.ok(pWave("sinus") > 0.1, "sinus P wave");
    assert.ok(pWave("atrial_fibrillation") < 0.01, "no P wave in AF");
  });

  test("atrial fibrillation wiggles the baseline between beats", () => {
    const baseline = samples((t) => ecgSample(t, "atrial_fibrillation", 80, []), 0, 2);
    assert.ok(Math.max(...baseline) - Math.min(...baseline) > 0.02);
    assert.ok(Math.max(...baseline.map(Math.abs)) < 0.15, "fibrillatory waves stay small");
  });

  test("ventricular tachycardia complexes are wider than a sinus QRS", () => {
    const sinus = widthAtHalfPeak("sinus", 0.8);
    const vt = widthAtHalfPeak("ventricular_tachycardia", 60 / 180);
    assert.ok(vt > 3 * sinus, `VT ${vt}s vs sinus ${sinus}s`);
    assert.ok(vt > 0.08, "a broad QRS is wider than 0.08 s");
  });

  test("ventricular tachycardia has no P wave: the trace only rises into the QRS", () => {
    const beforeQrs = samples((dt) => ecgComplex("ventricular_tachycardia", dt, 0.4), -0.3, -0.02);
    assert.ok(beforeQrs.every((v, i) => i === 0 || v >= beforeQrs[i - 1]));
  });

  test("asystole is exactly flat and has no beats", () => {
    const beats = runBeats("asystole", 80, 10);
    assert.equal(beats.length, 0);
    assertFlat(samples((t) => ecgSample(t, "asystole", 80, beats), 0, 10));
    assert.equal(ecgSample(3, "asystole", 80, beats), 0);
  });

  for (const rhythm of [
    "sinus",
    "sinus_tachycardia",
    "sinus_bradycardia",
    "atrial_fibrillation",
    "ventricular_tachycardia",
    "asystole",
  ]) {
    test(`${rhythm} at 0 bpm is exactly flat`, () => {
      const beats = runBeats(rhythm, 0, 10);
      assert.equal(beats.length, 0);
      assertFlat(samples((t) => ecgSample(t, rhythm, 0, beats), 0, 10));
    });
  }

  test("ventricular fibrillation is chaotic, without discrete beats, even at 0 bpm", () => {
    for (const heartRate of [0, 200]) {
      assert.equal(runBeats("ventricular_fibrillation", heartRate, 5).length, 0);
    }
    const values = samples((t) => ecgSample(t, "ventricular_fibrillation", 0, []), 0, 20);
    assert.ok(Math.max(...values) - Math.min(...values) > 0.5, "coarse VF is not flat");
    const step = 0.002;
    const upCrossings = [];
    values.forEach((v, i) => {
      if (i > 0 && values[i - 1] < 0 && v >= 0) upCrossings.push(i * step);
    });
    const cycles = upCrossings.slice(1).map((t, i) => t - upCrossings[i]);
    assert.ok(cycles.length > 40, "several oscillations per second");
    assert.ok(Math.max(...cycles) - Math.min(...cycles) > 0.05, "cycle lengths drift");
  });

  test("samples are pure: the same time gives the same value", () => {
    const beats = runBeats("atrial_fibrillation", 110, 5);
    for (const rhythm of ["ventricular_fibrillation", "atrial_fibrillation"]) {
      assert.equal(ecgSample(2.345, rhythm, 110, beats), ecgSample(2.345, rhythm, 110, beats));
    }
  });

  test("each sinus beat peaks at its R time", () => {
    const beats = runBeats("sinus", 72, 6);
    for (const beat of beats.slice(0, -1)) {
      const around = samples((t) => ecgSample(t, "sinus", 72, beats), beat.t - 0.1, beat.t + 0.1, 0.001);
      const peakAt = beat.t - 0.1 + around.indexOf(Math.max(...around)) * 0.001;
      assert.ok(Math.abs(peakAt - beat.t) < 0.002);
    }
  });
});

describe("pleth", () => {
  test("a pulse starts after the QRS delay and has a dicrotic notch", () => {
    const rr = 0.8;
    assert.equal(plethPulse(0, rr), 0);
    assert.equal(plethPulse(PLETH_DELAY_SECONDS, rr), 0);
    const step = 0.002;
    const pulse = samples((dt) => plethPulse(dt, rr), 0, rr, step);
    const peak = pulse.indexOf(Math.max(...pulse));
    assert.ok(peak * step > 0.25 && peak * step < 0.45, `peak at ${peak * step}s`);
    const notch = pulse.findIndex((v, i) => i > peak && v < pulse[i + 1]);
    assert.ok(notch > peak, "the fall turns up again after the notch");
  });

  test("a pleth pulse follows each beat", () => {
    for (const [rhythm, heartRate] of [
      ["sinus", 70],
      ["sinus_tachycardia", 140],
      ["atrial_fibrillation", 110],
    ]) {
      const beats = runBeats(rhythm, heartRate, 8);
      for (const [i, beat] of beats.slice(0, -1).entries()) {
        const next = beats[i + 1];
        const step = 0.002;
        const window = samples((t) => plethSample(t, beats, false), beat.t, next.t, step);
        const peakAfter = window.indexOf(Math.max(...window)) * step;
        assert.ok(
          peakAfter > PLETH_DELAY_SECONDS && peakAfter < 0.5,
          `${rhythm}: pulse peak ${peakAfter}s after the QRS`,
        );
      }
    }
  });

  test("probe off gives a flat pleth even with beats", () => {
    const beats = runBeats("sinus", 80, 5);
    assert.ok(beats.length > 3);
    assertFlat(samples((t) => plethSample(t, beats, true), 0, 5));
  });

  test("ventricular fibrillation and asystole give a flat pleth", () => {
    for (const rhythm of ["ventricular_fibrillation", "asystole"]) {
      const beats = runBeats(rhythm, 80, 5);
      assertFlat(samples((t) => plethSample(t, beats, false), 0, 5));
    }
  });
});
