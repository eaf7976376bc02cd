// Run with: node --test static/sessions_app/tests/
// The 12 leads from one cardiac vector: identities at every sample, ST territories.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { LEADS, leadAt, leadsAt, sampleLead } from "../heart/leads.js";
import { vectorAt } from "../heart/vector.js";
import { RHYTHM_IDS } from "../heart/rhythms.js";
import { qrsOf, run } from "./heart-helpers.mjs";

const index = Object.fromEntries(LEADS.map((lead, i) => [lead, i]));

// Times every 4 ms (250 Hz) over `seconds` of a heart's trace.
function* times(from, to, step = 0.004) {
  for (let t = from; t < to; t += step) yield t;
}

describe("lead identities", () => {
  test("Einthoven and Goldberger hold at every sample of every rhythm", () => {
    const out = new Float64Array(12);
    for (const id of RHYTHM_IDS) {
      const { heart } = run(id, 8);
      let worst = 0;
      for (const t of times(2, 8)) {
        const [i, ii, iii, avr, avl, avf] = leadsAt(heart, t, out);
        worst = Math.max(worst, Math.abs(i + iii - ii), Math.abs(avr + avl + avf));
      }
      assert.ok(worst < 1e-9, `${id}: ${worst}`);
    }
  });

  test("one lead, all leads and a block of samples agree", () => {
    const { heart } = run("stemi_inferior", 5);
    const block = sampleLead(heart, "V3", 2, 250, 500);
    const all = new Float64Array(12);
    for (let k = 0; k < 500; k += 37) {
      const t = 2 + k / 250;
      assert.equal(block[k], leadAt(heart, "V3", t));
      assert.ok(Math.abs(leadsAt(heart, t, all)[index.V3] - block[k]) < 1e-12);
    }
  });

  test("a trace is pure: the same time gives the same vector", () => {
    const { heart } = run("ventricular_fibrillation", 5);
    assert.deepEqual([...vectorAt(heart, 3.21)], [...vectorAt(heart, 3.21)]);
  });
});

// ST level in each lead at J + 60 ms of the beats after the first seconds, against the PR
// segment (the isoelectric reference), mean over beats.
function stLevels(rhythm) {
  const { heart, events } = run(rhythm, 10, { rate: 70 });
  const beats = qrsOf(events).filter((e) => e.t > 2 && e.t < 9);
  const sums = new Float64Array(12);
  const out = new Float64Array(12);
  for (const e of beats) {
    const st = leadsAt(heart, e.t + e.qrsd + 0.06, out).slice();
    const reference = leadsAt(heart, e.t - 0.02, out);
    st.forEach((v, i) => (sums[i] += (v - reference[i]) / beats.length));
  }
  return Object.fromEntries(LEADS.map((lead, i) => [lead, sums[i]]));
}

describe("ST territories", () => {
  test("inferior STEMI: II, III, aVF up; I and aVL down (reciprocal)", () => {
    const st = stLevels("stemi_inferior");
    for (const lead of ["II", "III", "aVF"]) assert.ok(st[lead] > 0.2, `${lead} ${st[lead]}`);
    for (const lead of ["I", "aVL"]) assert.ok(st[lead] < -0.1, `${lead} ${st[lead]}`);
  });

  test("anterior STEMI: V1-V4 up; III and aVF not up", () => {
    const st = stLevels("stemi_anterior");
    for (const lead of ["V1", "V2", "V3", "V4"]) assert.ok(st[lead] > 0.15, `${lead} ${st[lead]}`);
    for (const lead of ["III", "aVF"]) assert.ok(st[lead] < 0, `${lead} ${st[lead]}`);
  });

  test("ischaemia: ST down in II and V4-V6, up in aVR", () => {
    const st = stLevels("st_depression");
    for (const lead of ["II", "V4", "V5", "V6"]) assert.ok(st[lead] < -0.05, `${lead} ${st[lead]}`);
    assert.ok(st.aVR > 0.05, `aVR ${st.aVR}`);
  });

  test("sinus rhythm has an isoelectric ST segment", () => {
    const st = stLevels("sinus");
    for (const lead of LEADS) assert.ok(Math.abs(st[lead]) < 0.1, `${lead} ${st[lead]}`);
  });
});

describe("morphology", () => {
  const peak = (rhythm, lead, from, to) => {
    const { heart, events } = run(rhythm, 6);
    const e = qrsOf(events)[3];
    let max = -Infinity;
    let min = Infinity;
    for (const t of times(e.t + from, e.t + to, 0.002)) {
      const v = leadAt(heart, lead, t);
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    return { max, min };
  };

  test("sinus: upright R in II and V5, deep S in V1, negative aVR", () => {
    assert.ok(peak("sinus", "II", 0, 0.1).max > 0.8);
    assert.ok(peak("sinus", "V5", 0, 0.1).max > 0.8);
    assert.ok(peak("sinus", "V1", 0, 0.1).min < -0.6);
    assert.ok(peak("sinus", "aVR", 0, 0.1).min < -0.5);
  });

  test("RBBB: late R' in V1 and wide S in V6; LBBB: broad negative V1, positive V6", () => {
    assert.ok(peak("rbbb", "V1", 0.08, 0.14).max > 0.4);
    assert.ok(peak("rbbb", "V6", 0.08, 0.14).min < -0.3);
    assert.ok(peak("lbbb", "V1", 0, 0.15).min < -0.6);
    assert.ok(peak("lbbb", "V6", 0, 0.15).max > 0.5);
  });

  test("hyperkalaemia's T wave is taller than sinus's", () => {
    assert.ok(peak("hyperkalaemia", "V3", 0.15, 0.4).max > 1.5 * peak("sinus", "V3", 0.15, 0.4).max);
  });

  test("asystole is near flat: only baseline wander", () => {
    const { heart } = run("asystole", 10);
    for (const t of times(0, 10)) assert.ok(Math.abs(leadAt(heart, "II", t)) < 0.03);
  });

  test("coarse VF is larger than fine VF, and neither is flat", () => {
    const span = (rhythm) => {
      const { heart } = run(rhythm, 10);
      const values = [...times(1, 10)].map((t) => leadAt(heart, "II", t));
      return Math.max(...values) - Math.min(...values);
    };
    const coarse = span("ventricular_fibrillation");
    const fine = span("ventricular_fibrillation_fine");
    assert.ok(coarse > 1 && fine > 0.15 && coarse > 3 * fine, `${coarse} ${fine}`);
  });

  test("torsades: the complexes' amplitude in II waxes and wanes", () => {
    const { heart, events } = run("torsades_de_pointes", 10);
    const sizes = qrsOf(events).slice(1, -1).map((e) => {
      const values = [...times(e.t, e.t + 0.15, 0.002)].map((t) => leadAt(heart, "II", t));
      return Math.max(...values.map(Math.abs));
    });
    assert.ok(Math.max(...sizes) > 3 * Math.min(...sizes));
  });
});
