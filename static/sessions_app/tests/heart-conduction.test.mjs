// Run with: node --test static/sessions_app/tests/
// The conduction rules of each rhythm, measured on the events the heart schedules.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MODELS, breathPhase, createHeart, heartRateAt, qtFor } from "../heart/conduction.js";
import { leadsAt } from "../heart/leads.js";
import { RHYTHMS, RHYTHM_IDS } from "../heart/rhythms.js";
import { makeRng } from "../waveforms.js";
import { atrialOf, gaps, mean, qrsOf, ratePerMinute, run } from "./heart-helpers.mjs";

const near = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe("sinus rhythms", () => {
  for (const [rhythm, rate] of [["sinus", 75], ["sinus_bradycardia", 45], ["sinus_tachycardia", 125]]) {
    test(`${rhythm} conducts every P wave at the set rate`, () => {
      const { events } = run(rhythm, 60);
      const ps = atrialOf(events);
      assert.ok(ps.every((p) => p.conducted && p.pr >= 0.12 && p.pr <= 0.2));
      near(ratePerMinute(qrsOf(events)), rate, 1.5, "ventricular rate");
      const drawn = ps.filter((p) => p.t < 59.5);
      assert.equal(qrsOf(events).filter((e) => e.p <= drawn.at(-1).t).length, drawn.length);
    });
  }

  test("sinus arrhythmia: RR follows the breathing period", () => {
    const breathPeriod = 5;
    const qrs = qrsOf(run("sinus_arrhythmia", 60, { respiratoryRate: 60 / breathPeriod }).events);
    const rr = gaps(qrs);
    // Each cycle's length is set when it starts, at the P wave of the beat before.
    const phase = qrs.slice(0, -1).map((e) => Math.sin((2 * Math.PI * (e.t - e.pr)) / breathPeriod));
    const m = mean(rr);
    const correlation =
      mean(rr.map((x, i) => (x - m) * phase[i])) /
      Math.sqrt(mean(rr.map((x) => (x - m) ** 2)) * mean(phase.map((p) => p * p)));
    // The rate rises in inspiration: shorter RR with the breath.
    assert.ok(correlation < -0.8, `correlation ${correlation}`);
    assert.ok(Math.max(...rr) - Math.min(...rr) > 0.15, "RR varies by more than 150 ms");
    const steady = gaps(qrsOf(run("sinus", 60).events));
    assert.ok(Math.max(...steady) - Math.min(...steady) < 0.08, "plain sinus hardly varies");
  });
});

describe("atrial rhythms", () => {
  for (const [rhythm, ratio, rate] of [["atrial_flutter_2_1", 2, 150], ["atrial_flutter_4_1", 4, 75]]) {
    test(`${rhythm}: flutter waves at about 300/min, one in ${ratio} conducted`, () => {
      const { events } = run(rhythm, 30);
      const waves = atrialOf(events);
      near(ratePerMinute(waves), 300, 5, "atrial rate");
      near(ratePerMinute(qrsOf(events)), rate, 1, "ventricular rate");
      near(waves.length / qrsOf(events).length, ratio, 0.1, "conduction ratio");
      assert.ok(waves.every((w) => w.kind === "flutter"));
    });
  }

  test("variable flutter mixes ratios around the set ventricular rate", () => {
    const { events } = run("atrial_flutter_variable", 60, { rate: 100 });
    near(ratePerMinute(atrialOf(events)), 300, 5, "atrial rate");
    near(ratePerMinute(qrsOf(events)), 100, 8, "ventricular rate");
    const rr = new Set(gaps(qrsOf(events)).map((g) => Math.round(g / 0.2)));
    assert.ok(rr.has(3) && (rr.has(2) || rr.has(4)), `ratios ${[...rr]}`);
  });

  test("atrial fibrillation: no P waves, irregularly irregular RR around the set rate", () => {
    const { events, heart } = run("atrial_fibrillation", 120, { rate: 110 });
    assert.equal(atrialOf(events).length, 0);
    assert.equal(heart.segments[0].kind, "af");
    const rr = gaps(qrsOf(events));
    near(60 / mean(rr), 110, 10, "mean rate");
    assert.ok(new Set(rr).size > 0.9 * rr.length, "intervals rarely repeat");
    const successive = rr.slice(1).map((x, i) => Math.abs(x - rr[i]));
    assert.ok(mean(successive) > 0.08, "successive RR differ");
  });

  test("PACs: early P wave every N beats, sinus node reset (pause not compensatory)", () => {
    const { events } = run("pac", 30, { rate: 75, ectopyEvery: 4 });
    const qrs = qrsOf(events);
    const ps = atrialOf(events);
    const pacs = ps.filter((p) => p.origin === "ectopic");
    assert.ok(pacs.length >= 8);
    for (const pac of pacs.slice(0, -1)) {
      const i = ps.indexOf(pac);
      const before = pac.t - ps[i - 1].t;
      const after = ps[i + 1].t - pac.t;
      assert.ok(before < 0.7 * 0.8, `PAC comes early (${before})`);
      assert.ok(before + after < 2 * 0.8 - 0.1, "the pause is shorter than compensatory");
    }
    const normalBetween = qrs.map((e) => e.p !== undefined && pacs.some((p) => p.t === e.p));
    assert.equal(normalBetween.filter(Boolean).length, pacs.filter((p) => p.conducted).length);
  });

  test("SVT is regular and narrow without visible P waves", () => {
    const { events } = run("svt", 30);
    assert.equal(atrialOf(events).length, 0);
    near(ratePerMinute(qrsOf(events)), 180, 2, "rate");
    assert.ok(qrsOf(events).every((e) => e.qrsd < 0.12));
  });

  test("junctional: inverted P just before a narrow QRS, at the junction's rate", () => {
    const { events } = run("junctional", 30);
    const qrs = qrsOf(events);
    near(ratePerMinute(qrs), 50, 1, "rate");
    for (const p of atrialOf(events).filter((p) => p.t < 29)) {
      assert.equal(p.form, "p_retro");
      const next = qrs.find((e) => e.t > p.t);
      assert.ok(next.t - p.t < 0.1, "short PR");
    }
  });
});

describe("AV blocks", () => {
  test("first degree: every P conducts with PR above 0.2 s", () => {
    const ps = atrialOf(run("av_block_1", 30).events);
    assert.ok(ps.every((p) => p.conducted && p.pr > 0.2));
  });

  test("Mobitz I: PR grows beat to beat, by smaller steps, then a QRS drops", () => {
    const ps = atrialOf(run("av_block_2_mobitz_1", 60).events);
    const groups = [[]];
    for (const p of ps) {
      if (p.conducted) groups.at(-1).push(p.pr);
      else groups.push([]);
    }
    const complete = groups.slice(1, -1);
    assert.ok(complete.length >= 8, `${complete.length} Wenckebach groups`);
    for (const prs of complete) {
      assert.ok(prs.length >= 2 && prs.length <= 4, `group of ${prs.length}`);
      const steps = prs.slice(1).map((pr, i) => pr - prs[i]);
      assert.ok(steps.every((s) => s > 0.01), `PR lengthens ${prs}`);
      assert.ok(steps.every((s, i) => i === 0 || s < steps[i - 1]), "by decreasing steps");
    }
    near(ratePerMinute(ps), 80, 1.5, "the set rate is the atrial rate");
  });

  test("Mobitz II: constant PR, then a P wave blocked without warning", () => {
    const ps = atrialOf(run("av_block_2_mobitz_2", 60).events);
    const conducted = ps.filter((p) => p.conducted);
    assert.ok(new Set(conducted.map((p) => p.pr)).size === 1, "one PR");
    assert.ok(ps.filter((p) => !p.conducted).length >= 10);
    ps.forEach((p, i) => {
      if (i > 0 && !p.conducted) assert.ok(ps[i - 1].conducted, "single blocked P waves");
    });
  });

  test("2:1 block: every other P conducts", () => {
    const { events } = run("av_block_2_to_1", 30, { rate: 40 });
    const ps = atrialOf(events);
    ps.slice(1).forEach((p, i) => assert.notEqual(p.conducted, ps[i].conducted));
    near(ratePerMinute(ps), 80, 1.5, "atrial rate twice the ventricular");
    near(ratePerMinute(qrsOf(events)), 40, 1, "ventricular rate");
  });

  test("complete block: P and QRS at independent rates, PR all over the place", () => {
    const { events } = run("av_block_3", 60, { rate: 35 });
    const ps = atrialOf(events);
    const qrs = qrsOf(events);
    assert.ok(ps.every((p) => !p.conducted));
    assert.ok(qrs.every((e) => e.origin === "escape" && !e.conducted));
    near(ratePerMinute(qrs), 35, 0.5, "escape rate");
    const atrial = ratePerMinute(ps);
    assert.ok(atrial > 70, `atrial rate ${atrial}`);
    // Dissociation: the interval from the preceding P to each QRS takes many values.
    const pToQrs = qrs.map((e) => e.t - ps.findLast((p) => p.t < e.t)?.t).filter(Number.isFinite);
    assert.ok(Math.max(...pToQrs) - Math.min(...pToQrs) > 0.4, `P-QRS ${pToQrs}`);
    const faster = ratePerMinute(atrialOf(run("av_block_3", 60, { rate: 45 }).events));
    near(faster, atrial, 0.5, "the escape rate does not drive the atria");
  });

  test("ventricular standstill: P waves only, no QRS", () => {
    const { events } = run("ventricular_standstill", 20);
    assert.equal(qrsOf(events).length, 0);
    near(ratePerMinute(atrialOf(events)), 70, 1.5, "P rate");
  });
});

describe("ventricular ectopy", () => {
  for (const [rhythm, every] of [["pvc_unifocal", 6], ["ventricular_bigeminy", 2], ["ventricular_trigeminy", 3]]) {
    test(`${rhythm}: a PVC every ${every} beats with a compensatory pause`, () => {
      const qrs = qrsOf(run(rhythm, 60, { rate: 75 }).events);
      const ectopic = qrs.map((e) => e.origin === "ventricular");
      const firstPvc = ectopic.indexOf(true);
      ectopic.slice(firstPvc).forEach((isPvc, i) => assert.equal(isPvc, i % every === 0, `beat ${i}`));
      for (let i = Math.max(1, firstPvc); i < qrs.length - 1; i += every) {
        const around = qrs[i + 1].t - qrs[i - 1].t;
        near(around, 2 * 0.8, 0.06, "normal to normal around the PVC is two cycles");
        assert.ok(qrs[i].qrsd >= 0.12 && qrs[i].p === undefined, "wide, without P");
      }
    });
  }

  test("at a slow sinus rate the AV node recovers in time: the PVC is interpolated", () => {
    const qrs = qrsOf(run("pvc_unifocal", 30, { rate: 40, ectopyEvery: 3 }).events);
    const normal = qrs.filter((e) => e.origin === "conducted");
    assert.ok(qrs.length - normal.length >= 5);
    gaps(normal).forEach((gap) => near(gap, 1.5, 0.06, "sinus beats keep their rhythm"));
  });

  test("an ectopy setting applies to the next beats", () => {
    const heart = createHeart({ rhythm: "pvc_unifocal", rng: makeRng(2) });
    heart.schedule(10);
    heart.setEctopy(2, 10);
    const later = qrsOf(heart.schedule(40)).filter((e) => e.t > 12);
    later.slice(1).forEach((e, i) => assert.notEqual(e.origin, later[i].origin, "bigeminy"));
  });

  test("couplets: two PVCs in a row every N beats", () => {
    const qrs = qrsOf(run("pvc_couplets", 60, { ectopyEvery: 5 }).events);
    const pattern = qrs.map((e) => (e.origin === "ventricular" ? "V" : "N")).join("");
    assert.match(pattern, /(N{4}VV){5,}/);
    assert.doesNotMatch(pattern, /VVV/);
  });

  test("multifocal PVCs come from several foci", () => {
    const pvcs = qrsOf(run("pvc_multifocal", 60).events).filter((e) => e.origin === "ventricular");
    assert.ok(new Set(pvcs.map((e) => e.focus)).size === 3);
  });
});

describe("ventricular and paced rhythms", () => {
  for (const [rhythm, rate] of [["idioventricular", 35], ["accelerated_idioventricular", 70], ["ventricular_tachycardia", 170], ["torsades_de_pointes", 220]]) {
    test(`${rhythm}: wide complexes at about ${rate}/min without P waves`, () => {
      const { events } = run(rhythm, 30);
      assert.equal(atrialOf(events).length, 0);
      assert.ok(qrsOf(events).every((e) => e.qrsd >= 0.12));
      near(ratePerMinute(qrsOf(events)), rate, rate * 0.06, "rate");
    });
  }

  test("torsades: the axis turns from beat to beat", () => {
    const axes = qrsOf(run("torsades_de_pointes", 10).events).map((e) => Math.cos(e.axis));
    assert.ok(Math.min(...axes) < -0.9 && Math.max(...axes) > 0.9);
  });

  test("agonal: rare irregular wide complexes", () => {
    const qrs = qrsOf(run("agonal", 120).events);
    assert.ok(qrs.length >= 15 && qrs.length <= 35, `${qrs.length} in 2 min`);
    assert.ok(qrs.every((e) => e.qrsd > 0.2));
  });

  test("VF, fine VF and asystole schedule no beats", () => {
    for (const rhythm of ["ventricular_fibrillation", "ventricular_fibrillation_fine", "asystole"]) {
      assert.equal(run(rhythm, 20, { rate: 80 }).events.length, 0, rhythm);
    }
  });

  test("AV sequential pacing: atrial spike, P, AV delay, ventricular spike, paced QRS", () => {
    const { events } = run("paced_av_sequential", 10);
    const spikes = events.filter((e) => e.kind === "pace_spike");
    const qrs = qrsOf(events);
    assert.ok(qrs.every((e) => e.origin === "paced" && Math.abs(e.pr - 0.16) < 1e-9));
    for (const e of qrs) {
      assert.ok(spikes.some((s) => s.chamber === "v" && s.t === e.t));
      assert.ok(spikes.some((s) => s.chamber === "a" && Math.abs(s.t - (e.t - 0.16)) < 1e-9));
    }
  });

  test("atrial pacing conducts a narrow QRS; ventricular pacing has no P", () => {
    const atrial = run("paced_atrial", 10).events;
    assert.ok(qrsOf(atrial).every((e) => e.conducted && e.qrsd < 0.12));
    const ventricular = run("paced_ventricular", 10).events;
    assert.equal(atrialOf(ventricular).length, 0);
    assert.ok(qrsOf(ventricular).every((e) => e.origin === "paced"));
  });

  test("failure to capture: some ventricular spikes are not followed by a QRS", () => {
    const { events } = run("pacing_failure_to_capture", 60);
    const spikes = events.filter((e) => e.kind === "pace_spike");
    const lost = spikes.filter((s) => !s.captured);
    assert.ok(lost.length > 5 && lost.length < spikes.length / 2);
    for (const s of lost) assert.ok(!qrsOf(events).some((e) => Math.abs(e.t - s.t) < 0.2));
    near(ratePerMinute(spikes), 70, 1, "spikes keep the pacing rate");
  });

  test("failure to sense: spikes at the pacing rate whatever the patient's own beats", () => {
    const { events } = run("pacing_failure_to_sense", 60, { pacingRate: 60 });
    const spikes = events.filter((e) => e.kind === "pace_spike");
    near(ratePerMinute(spikes), 60, 0.5, "asynchronous spikes");
    assert.ok(spikes.some((s) => s.captured) && spikes.some((s) => !s.captured));
    assert.ok(qrsOf(events).some((e) => e.origin === "conducted"));
    const qrs = qrsOf(events);
    for (const s of spikes.filter((s) => !s.captured)) {
      assert.ok(qrs.some((e) => s.t - e.t >= 0 && s.t - e.t < 0.4), "uncaptured spikes fall in refractoriness");
    }
  });

  test("WPW has a short PR; long QT a long QT", () => {
    assert.ok(qrsOf(run("wpw", 10).events).every((e) => e.pr <= 0.12 && e.qrsd >= 0.11));
    const long = qrsOf(run("long_qt", 10).events)[3];
    const normal = qrsOf(run("sinus", 10, { rate: 60 }).events)[3];
    assert.ok(long.qt > normal.qt + 0.1, `${long.qt} vs ${normal.qt}`);
  });
});

describe("timing and changes", () => {
  test("QT shortens with rate (Fridericia)", () => {
    const at60 = qrsOf(run("sinus", 20, { rate: 60 }).events).at(-1).qt;
    const at150 = qrsOf(run("sinus", 20, { rate: 150 }).events).at(-1).qt;
    assert.ok(at150 < at60 - 0.05, `${at150} vs ${at60}`);
    near(qtFor(1), 0.41, 1e-12, "QT = QTc at 60/min");
    near(qtFor(0.4), 0.41 * Math.cbrt(0.4), 1e-12, "cube root of RR");
  });

  test("the same seed gives the same events; another seed differs", () => {
    const a = JSON.stringify(run("atrial_fibrillation", 30, {}, 11).events);
    assert.equal(a, JSON.stringify(run("atrial_fibrillation", 30, {}, 11).events));
    assert.notEqual(a, JSON.stringify(run("atrial_fibrillation", 30, {}, 12).events));
  });

  test("a change keeps what is drawn and continues without a jump", () => {
    const heart = createHeart({ rhythm: "sinus", rate: 60, rng: makeRng(1) });
    heart.schedule(10.5);
    const drawn = (events) => events.filter((e) => e.t > 6 && e.t <= 10).map((e) => ({ ...e }));
    const before = drawn(heart.events);
    heart.setRhythm("ventricular_tachycardia", 10);
    heart.schedule(20);
    assert.deepEqual(drawn(heart.events), before);
    const qrs = qrsOf(heart.events);
    const first = qrs.find((e) => e.form === "vt");
    assert.ok(first.t > 10 && first.t - qrs[qrs.indexOf(first) - 1].t >= 60 / 170 - 1e-9);
    assert.equal(heart.rate, 170, "the rhythm's default rate");
    heart.setRate(120, 20);
    near(ratePerMinute(qrsOf(heart.schedule(40)).filter((e) => e.t > 21)), 120, 2, "new rate");
  });

  test("breathing follows a new respiratory rate without a jump in its phase", () => {
    const heart = createHeart({ rhythm: "sinus_arrhythmia", respiratoryRate: 12, rng: makeRng(1) });
    heart.schedule(10);
    const before = breathPhase(heart, 10);
    heart.setRespiratoryRate(30, 10);
    near(breathPhase(heart, 10), before, 1e-12, "phase at the change");
    near(breathPhase(heart, 12) - breathPhase(heart, 10), 1, 1e-12, "30/min: a breath in 2 s");
    heart.setRespiratoryRate(0, 12);
    assert.equal(breathPhase(heart, 20), breathPhase(heart, 12), "apnoea");
  });

  test("any rhythm can follow any other, even mid-beat: finite samples, events in order", () => {
    const out = new Float64Array(12);
    for (const from of RHYTHM_IDS) {
      for (const to of RHYTHM_IDS) {
        const heart = createHeart({ rhythm: from, rng: makeRng(3), memorySeconds: Infinity });
        heart.schedule(3.5);
        // Just after a P wave or a QRS started, so something is always under way.
        const at = heart.events.findLast((e) => e.t < 3)?.t + 0.02 || 3;
        heart.setRhythm(to, at);
        heart.schedule(6);
        const events = heart.events;
        assert.ok(events.every((e, i) => i === 0 || e.t >= events[i - 1].t), `${from} -> ${to} sorted`);
        const qrs = qrsOf(events);
        assert.ok(qrs.every((e, i) => i === 0 || e.t - qrs[i - 1].t >= 0.2), `${from} -> ${to} refractory`);
        for (let t = at - 0.5; t < 6; t += 0.02) {
          assert.ok(leadsAt(heart, t, out).every(Number.isFinite), `${from} -> ${to} at ${t}`);
        }
      }
    }
  });

  test("the counted heart rate: ventricular, whatever the set rate means", () => {
    near(heartRateAt(run("sinus", 20).heart, 19.5), 75, 3, "sinus");
    near(heartRateAt(run("av_block_2_to_1", 20, { rate: 40 }).heart, 19.5), 40, 2, "2:1");
    const wenckebach = heartRateAt(run("av_block_2_mobitz_1", 30, { rate: 80 }).heart, 29.5);
    assert.ok(wenckebach > 50 && wenckebach < 72, `Mobitz I at an atrial 80: ${wenckebach}`);
    assert.equal(heartRateAt(run("ventricular_standstill", 20).heart, 19.5), 0);
    assert.equal(heartRateAt(run("ventricular_fibrillation", 20).heart, 19.5), 0);
  });

  test("a heart needs a seeded rng and a known rhythm; a null rate is the default", () => {
    assert.throws(() => createHeart({ rhythm: "sinus" }), /rng/);
    assert.throws(() => createHeart({ rhythm: "nodal_bigeminy", rng: makeRng(1) }), /unknown rhythm/);
    assert.equal(createHeart({ rhythm: "svt", rate: null, rng: makeRng(1) }).rate, 180);
  });

  test("a rhythm change fades fibrillation out instead of cutting it", () => {
    const heart = createHeart({ rhythm: "ventricular_fibrillation", rng: makeRng(1) });
    heart.schedule(5);
    heart.setRhythm("sinus", 5);
    assert.equal(heart.segments[0].t1, 5);
  });

  test("every rhythm in the catalogue has a model and schedules within its rules", () => {
    assert.deepEqual(Object.keys(MODELS).sort(), [...RHYTHM_IDS].sort());
    for (const id of RHYTHM_IDS) {
      const { events } = run(id, 20);
      const beats = RHYTHMS[id].rateIs === null || id === "ventricular_standstill" ? 0 : 1;
      assert.ok((qrsOf(events).length > 0) === (beats > 0), id);
      assert.ok(events.every((e, i) => i === 0 || e.t >= events[i - 1].t), `${id} sorted`);
    }
  });
});
