// The cardiac vector (vectorcardiogram, VCG) at any time, from the heart's events.
//
// Each wave is a sum of gaussians in time, each with a 3-D amplitude: ECGSYN's P, Q, R, S, T
// gaussian events (McSharry, Clifford, Tarassenko & Smith, IEEE TBME 2003) carried to three
// dimensions as Sayadi, Shamsollahi & Clifford did for the VCG (Physiol Meas 2010). Axes follow
// the Frank/Dower convention the lead matrix in leads.js expects: X to the patient's left,
// Y downwards (inferior), Z backwards (posterior), in mV.
//
// API (pure: the same trace and time always give the same vector):
//   vectorAt(trace, t, out = new Float64Array(3)) -> out, [x, y, z] in mV
//   FORMS: the morphologies an event's `form` names (QRS forms, P forms, spikes).
// `trace` is what conduction.js's createHeart() returns (events, segments, breaths).
//
// What makes a STEMI or a bundle branch block is a vector, not a painted lead: an injury
// current (ST vector) pointing at the damaged wall, a late rightward-anterior force for RBBB, a
// slow leftward-posterior activation with discordant ST-T for LBBB, an early slurred force for
// the accessory pathway of WPW. The leads then show it wherever the projection says.

import { breathPhase } from "./conduction.js";

// [centre s, width s, x, y, z] per gaussian; centres from QRS onset (from P onset for P forms).
const NORMAL_QRS = [
  [0.014, 0.006, -0.12, 0.02, -0.14], // septum, left to right and forwards: q in I and V6, r in V1
  [0.04, 0.0105, 1.25, 0.95, 0.3], // free walls of the left ventricle: the R wave
  [0.046, 0.012, 0.0, 0.0, 0.6], // posterior forces: S in V1-V2, transition at V3
  [0.068, 0.009, -0.3, -0.22, 0.18], // basal, late: small s
];
// T concordant with the QRS: up in I, II and V2-V6, down in aVR (McSharry's T).
const NORMAL_T = [0.3, 0.28, -0.1];

function form(qrs, t, more = {}) {
  return { qrs: Float64Array.from(qrs.flat()), t, st: null, peaked: false, ...more };
}

export const FORMS = {
  narrow: form(NORMAL_QRS, NORMAL_T),
  // Injury currents: inferior wall (down and slightly right: II, III, aVF up, I and aVL down),
  // anterior wall (forwards and left: V1-V4 up, III and aVF a little down), and subendocardial
  // ischaemia (away from the apex: II and V4-V6 down, aVR up).
  stemi_inferior: form(NORMAL_QRS, [0.15, 0.5, -0.05], { st: [-0.08, 0.28, 0.0] }),
  stemi_anterior: form(NORMAL_QRS, [0.35, 0.02, -0.55], { st: [0.06, -0.09, -0.26] }),
  st_depression: form(NORMAL_QRS, [0.22, 0.2, -0.05], { st: [-0.13, -0.11, 0.06] }),
  // Hyperkalaemia: tall narrow tented T, a little wider QRS.
  hyperkalaemia: form(
    NORMAL_QRS.map(([c, w, x, y, z]) => [c * 1.2, w * 1.25, x, y, z]),
    [0.55, 0.55, -0.3],
    { peaked: true },
  ),
  // WPW: the delta wave (early slurred force through the pathway), then the rest of the QRS.
  wpw: form(
    [[0.022, 0.014, 0.35, 0.22, -0.18], ...NORMAL_QRS.map(([c, w, x, y, z]) => [c + 0.03, w, x, y, z])],
    [0.12, 0.12, 0.05],
  ),
  // LBBB: no septal q, slow notched leftward-posterior activation; ST-T opposite the QRS.
  lbbb: form(
    [
      [0.035, 0.018, 0.6, 0.35, 0.55],
      [0.095, 0.02, 0.75, 0.2, 0.75],
      [0.13, 0.012, 0.25, -0.05, 0.25],
    ],
    [-0.3, -0.1, -0.35],
    { st: [-0.08, -0.02, -0.1] },
  ),
  // RBBB: normal start, then a late slow rightward-anterior force: rsR' in V1, wide S in I and V6.
  rbbb: form(
    [...NORMAL_QRS.slice(0, 3), [0.1, 0.018, -0.5, -0.05, -0.55]],
    [0.32, 0.25, 0.2],
  ),
  // Ventricular origins: broad, bizarre, T opposite the QRS. PVC foci: right ventricular outflow
  // (LBBB-like, inferior axis), left ventricle (RBBB-like, superior axis), lateral wall.
  pvc: [
    form([[0.05, 0.026, 0.9, 1.1, 0.7], [0.11, 0.022, 0.4, 0.4, 0.5]], [-0.45, -0.45, -0.35]),
    form([[0.05, 0.026, -0.4, -1.1, -0.9], [0.11, 0.022, -0.3, -0.3, -0.2]], [0.3, 0.4, 0.35]),
    form([[0.045, 0.022, -1.0, 0.9, -0.3], [0.11, 0.022, 0.4, -0.9, 0.3]], [0.4, 0.2, 0.1]),
  ],
  vt: form([[0.05, 0.028, 1.0, 1.1, 0.8], [0.12, 0.026, 0.3, 0.2, 0.45]], [-0.45, -0.4, -0.4]),
  idio: form([[0.055, 0.03, -0.5, 0.9, -0.6], [0.12, 0.025, -0.2, 0.3, -0.2]], [0.3, -0.35, 0.3]),
  // Paced from the right ventricular apex: LBBB-like with a superior axis.
  paced: form([[0.055, 0.028, 0.65, -0.9, 0.7], [0.12, 0.024, 0.3, -0.3, 0.4]], [-0.3, 0.35, -0.35]),
  // Torsades: one broad complex whose axis event.axis turns about the Z axis.
  torsades: form([[0.05, 0.028, 1.1, 0.0, 0.4], [0.12, 0.028, -0.6, 0.0, -0.2]], [0, 0, 0]),
  agonal: form([[0.09, 0.06, 0.3, 0.55, 0.2], [0.24, 0.07, -0.2, -0.2, 0.1]], [0, 0, 0]),
  // Atrial waves, from P onset: right then left atrium (biphasic in V1).
  p_sinus: form([[0.035, 0.02, 0.02, 0.09, -0.05], [0.065, 0.02, 0.07, 0.06, 0.06]], null),
  p_ectopic: form([[0.04, 0.022, 0.06, 0.02, 0.08]], null),
  p_retro: form([[0.03, 0.018, -0.03, -0.11, 0.02]], null),
  p_paced: form([[0.045, 0.025, 0.05, 0.1, 0.03]], null),
  p_flat: form([[0.05, 0.03, 0.01, 0.03, 0.0]], null),
  // Typical counter-clockwise flutter: a slow negative ramp then a faster rise in II, III, aVF.
  flutter: form([[0.08, 0.045, 0.01, -0.3, 0.08], [0.16, 0.02, 0.0, 0.2, -0.08]], null),
  // Pacemaker spikes: 2-3 ms wide, kept wide enough that a 250 Hz sweep still catches them.
  spike_a: form([[0, 0.0025, 0.15, 0.55, -0.3]], null),
  spike_v: form([[0, 0.0025, 0.35, 0.95, -0.45]], null),
};

// Events start affecting the trace this much before their t (septal gaussian tails, spikes).
const LEAD_SECONDS = 0.01;
// And stop after this: the longest T wave of a long QT at a slow rate.
const TAIL_SECONDS = 1.2;
// Cross-fade of continuous activity when a rhythm changes, seconds.
const FADE_SECONDS = 0.15;
// Baseline wander with breathing, mV (a still, well-prepared patient).
const WANDER = [0.004, 0.012, -0.006];

function addGaussians(comps, dt, scale, gain, out) {
  for (let i = 0; i < comps.length; i += 5) {
    const w = comps[i + 1] * scale;
    const z = (dt - comps[i] * scale) / w;
    if (z < -5 || z > 5) continue;
    const g = gain * Math.exp(-0.5 * z * z);
    out[0] += g * comps[i + 2];
    out[1] += g * comps[i + 3];
    out[2] += g * comps[i + 4];
  }
}

function smoothstep(u) {
  const x = u < 0 ? 0 : u > 1 ? 1 : u;
  return x * x * (3 - 2 * x);
}

function addVector(out, v, g) {
  out[0] += g * v[0];
  out[1] += g * v[1];
  out[2] += g * v[2];
}

// Repolarisation: the T peak sits at 0.72 QT from QRS onset and ends with the QT; the ST
// vector rises at the J point and merges into the T wave.
function addRepolarisation(f, e, dt, gain, out) {
  const qt = e.qt;
  const j = e.qrsd * e.width;
  if (f.st) {
    const level = smoothstep((dt - j + 0.015) / 0.03) * (1 - smoothstep((dt - 0.6 * qt) / (0.3 * qt)));
    if (level > 0) addVector(out, f.st, gain * level);
  }
  if (!f.t) return;
  const centre = 0.72 * qt;
  const width = (f.peaked ? 0.06 : 0.1) * qt;
  const z = (dt - centre) / width;
  // A slow upslope and a faster fall: a second, earlier and broader gaussian.
  const z2 = (dt - 0.6 * qt) / (0.14 * qt);
  const g = gain * (Math.exp(-0.5 * z * z) + (f.peaked ? 0 : 0.3 * Math.exp(-0.5 * z2 * z2)));
  addVector(out, f.t, g);
}

const ROTATED = new Float64Array(3);

function addEvent(e, dt, out) {
  if (e.kind === "pace_spike") {
    addGaussians((e.chamber === "a" ? FORMS.spike_a : FORMS.spike_v).qrs, dt, 1, 1, out);
    return;
  }
  if (e.kind !== "qrs") {
    if (dt < 0.3) addGaussians(FORMS[e.form].qrs, dt, 1, e.gain, out);
    return;
  }
  const f = e.form === "pvc" ? FORMS.pvc[e.focus ?? 0] : FORMS[e.form];
  if (e.axis === undefined) {
    if (dt < 0.35) addGaussians(f.qrs, dt, e.width, e.gain, out);
    addRepolarisation(f, e, dt, e.gain, out);
    return;
  }
  // Torsades: the same complex turned about Z by the event's axis, the amplitude waxing and
  // waning as the axis turns, so the points twist around the baseline.
  ROTATED[0] = ROTATED[1] = ROTATED[2] = 0;
  addGaussians(f.qrs, dt, e.width, e.gain * (0.5 + 0.7 * Math.abs(Math.cos(e.axis / 2))), ROTATED);
  const c = Math.cos(e.axis);
  const s = Math.sin(e.axis);
  out[0] += c * ROTATED[0] - s * ROTATED[1];
  out[1] += s * ROTATED[0] + c * ROTATED[1];
  out[2] += ROTATED[2];
}

// Fibrillation: on each axis a sum of sinusoids whose frequencies drift slowly, with an envelope
// that waxes and wanes. Coarse VF about 4-6 Hz and 1 mV (dominant frequency 4.6 ± 1.0 Hz,
// amplitude 1.3 mV in out-of-hospital VF: Strohmenger et al., Chest 1997), fine VF faster and
// small; atrial fibrillation waves 5-8 Hz and small, best seen in V1 and the inferior leads.
const SEGMENT_SHAPE = {
  vf: { amplitude: 0.55, hz: [4.6, 5.7, 3.9] },
  vf_fine: { amplitude: 0.14, hz: [5.6, 6.9, 4.8] },
  af: { amplitude: 0.08, hz: [5.3, 7.1, 6.2] },
};
const AF_AXIS = [0.15, 0.7, -1.0];

function chaotic(t, hz, p0, p1, p2) {
  const w = 2 * Math.PI * t;
  return (
    0.6 * Math.sin(w * hz + 1.3 * Math.sin(w * 0.31 + p0) + p1) +
    0.3 * Math.sin(w * hz * 1.37 + 0.9 * Math.sin(w * 0.17 + p1) + p2) +
    0.2 * Math.sin(w * hz * 0.71 + 0.7 * Math.sin(w * 0.43 + p2) + p0)
  );
}

function addSegment(s, t, out) {
  const fade = smoothstep((t - s.t0) / FADE_SECONDS) * (1 - smoothstep((t - s.t1) / FADE_SECONDS));
  if (fade <= 0) return;
  const shape = SEGMENT_SHAPE[s.kind];
  const p = s.phases;
  const drift = Math.sin(2 * Math.PI * 0.21 * t + p[6]) * Math.sin(2 * Math.PI * 0.07 * t + p[7]);
  const envelope = shape.amplitude * fade * (0.75 + 0.25 * drift);
  if (s.kind === "af") {
    addVector(out, AF_AXIS, envelope * chaotic(t, shape.hz[0], p[0], p[1], p[2]));
    return;
  }
  out[0] += envelope * chaotic(t, shape.hz[0], p[0], p[1], p[2]);
  out[1] += 1.4 * envelope * chaotic(t, shape.hz[1], p[3], p[4], p[5]);
  out[2] += envelope * chaotic(t, shape.hz[2], p[6], p[7], p[8]);
}

// Index of the first event with e.t > t - TAIL_SECONDS (events are sorted by t).
function firstRelevant(events, t) {
  let lo = 0;
  let hi = events.length;
  const from = t - TAIL_SECONDS;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].t <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function vectorAt(trace, t, out = new Float64Array(3)) {
  const wander = Math.sin(2 * Math.PI * breathPhase(trace, t));
  out[0] = WANDER[0] * wander;
  out[1] = WANDER[1] * wander;
  out[2] = WANDER[2] * wander;
  const { events, segments } = trace;
  for (let i = firstRelevant(events, t); i < events.length; i += 1) {
    const e = events[i];
    const dt = t - e.t;
    if (dt < -LEAD_SECONDS) break;
    addEvent(e, dt, out);
  }
  for (let i = 0; i < segments.length; i += 1) {
    const s = segments[i];
    if (t >= s.t0 && t < s.t1 + FADE_SECONDS) addSegment(s, t, out);
  }
  return out;
}
