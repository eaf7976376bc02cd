// CPU cost of sampling, in node: node static/sessions_app/heart/bench.mjs
// Samples 300 s at 250 Hz per rhythm, scheduling every 16 ms half a second ahead as a page
// would, and prints microseconds per sample for lead II, all 12 leads, and pleth + ABP + CVP.
import { makeRng } from "../waveforms.js";
import { createHeart } from "./conduction.js";
import { leadAt, leadsAt } from "./leads.js";
import { arterialAt, cvpAt, plethAt } from "./pulse.js";

const SECONDS = 300;
const HZ = 250;
const WARM_UP_SECONDS = 20;
const out = new Float64Array(12);

function microsecondsPerSample(rhythm, sample) {
  const heart = createHeart({ rhythm, rng: makeRng(1) });
  let sink = 0;
  let started = 0n;
  for (let i = 0; i < (WARM_UP_SECONDS + SECONDS) * HZ; i += 1) {
    if (i === WARM_UP_SECONDS * HZ) started = process.hrtime.bigint();
    const t = i / HZ;
    if (i % 4 === 0) heart.schedule(t + 0.5);
    sink += sample(heart, t);
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e3;
  if (!Number.isFinite(sink)) throw new Error(`${rhythm}: a sample is not a number`);
  return elapsed / (SECONDS * HZ);
}

const MEASURED = [
  "sinus",
  "pvc_couplets",
  "atrial_flutter_2_1",
  "atrial_fibrillation",
  "ventricular_fibrillation",
  "torsades_de_pointes",
  "paced_av_sequential",
  "stemi_inferior",
];
for (const rhythm of MEASURED) {
  const one = microsecondsPerSample(rhythm, (h, t) => leadAt(h, "II", t));
  const twelve = microsecondsPerSample(rhythm, (h, t) => leadsAt(h, t, out)[5]);
  const pressures = microsecondsPerSample(
    rhythm,
    (h, t) => plethAt(h, t) + arterialAt(h, t, { systolic: 120, diastolic: 80 }) + cvpAt(h, t, { mean: 8 }),
  );
  const perSecond = (twelve * HZ) / 1000;
  console.log(
    `${rhythm.padEnd(26)} II ${one.toFixed(2)} µs | 12 leads ${twelve.toFixed(2)} µs ` +
      `(${perSecond.toFixed(2)} ms CPU per second of 12-lead) | pleth+ABP+CVP ${pressures.toFixed(2)} µs`,
  );
}
