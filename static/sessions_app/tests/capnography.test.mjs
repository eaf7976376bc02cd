// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { cancelPlannedBreaths, capnoSample, capnoShape, scheduleBreaths } from "../waveforms.js";

const FRAME_SECONDS = 1 / 60;

// Every breath the monitor would schedule, frame by frame, and the CO2 drawn meanwhile.
function run(respiratoryRate, etco2, seconds, breaths = [], from = 0) {
  const samples = [];
  const seen = new Set();
  for (let now = from; now < from + seconds; now += FRAME_SECONDS) {
    breaths = scheduleBreaths(breaths, respiratoryRate, now);
    breaths.forEach((breath) => seen.add(breath));
    samples.push(capnoSample(now, breaths, etco2));
  }
  return { breaths, samples, all: [...seen].sort((a, b) => a.t - b.t) };
}

describe("capnography", () => {
  test("one plateau per breath, at the EtCO2 height", () => {
    const { all, samples } = run(12, 38, 30);
    // 12 a minute: one breath every 5 s, started back to back.
    assert.ok(all.length >= 6 && all.length <= 7, `${all.length} breaths`);
    all.slice(1).forEach((breath, i) => assert.ok(Math.abs(breath.t - all[i].t - 5) < 1e-9));
    assert.ok(Math.abs(Math.max(...samples) - 38) < 0.5, `peak ${Math.max(...samples)}`);
    assert.equal(Math.min(...samples), 0, "back to the baseline on inspiration");
    // Square-ish: most of the expiration sits near the top.
    const high = samples.filter((value) => value > 0.85 * 38).length / samples.length;
    assert.ok(high > 0.35 && high < 0.6, `share near the plateau ${high}`);
  });

  test("each breath rises, holds and falls once", () => {
    const shape = Array.from({ length: 1000 }, (_, i) => capnoShape(i / 1000, 40));
    const risingEdges = shape.filter((v, i) => i > 0 && shape[i - 1] < 20 && v >= 20).length;
    assert.equal(risingEdges, 1);
    assert.equal(shape[0], 0);
    assert.equal(shape[999], 0);
  });

  test("apnoea (RR 0) is exactly flat", () => {
    const { all, samples } = run(0, 38, 20);
    assert.equal(all.length, 0);
    assert.ok(samples.every((value) => value === 0));
  });

  test("going into apnoea: the breath under way ends, then the line is flat", () => {
    const before = run(20, 35, 10);
    const breaths = cancelPlannedBreaths(before.breaths, 10);
    const after = run(0, 35, 15, breaths, 10);
    // A breath lasts 3 s at 20 a minute: after that, nothing.
    const later = after.samples.slice(Math.ceil(3.1 / FRAME_SECONDS));
    assert.ok(later.length > 0 && later.every((value) => value === 0));
  });

  test("a new rate applies from the next breath", () => {
    let { breaths } = run(10, 35, 12);
    breaths = cancelPlannedBreaths(breaths, 12);
    const { all } = run(30, 35, 12, breaths, 12);
    const late = all.filter((breath) => breath.t > 19);
    assert.ok(late.length >= 3);
    late.forEach((breath) => assert.equal(breath.period, 2));
  });
});
