// Pulses and pressures from the heart's events: pleth, arterial line, CVP.
//
// Every QRS with pulse > 0 (conduction.js sets it from the filling time before the beat, the
// activation sequence and the atrial kick; 0 in VF, asystole and pulseless states) makes one
// pulse; a P wave makes the CVP's a wave. Pure functions of time and the event list.
//
// API:
//   PLETH_DELAY, ARTERIAL_DELAY                    seconds from QRS onset to the pulse's foot
//   pulses(trace, from, to) -> the QRS events in (from, to] that make a pulse (beep, pulse rate)
//   plethAt(trace, t) -> 0..about 1
//   meanArterial(systolic, diastolic) -> mmHg
//   arterialAt(trace, t, { systolic, diastolic, damping = "normal" | "over" | "under",
//                          paradoxus = 0 }) -> mmHg
//   cvpAt(trace, t, { mean }) -> mmHg

import { breathPhase } from "./conduction.js";

// Pulse transit: the radial artery about 0.12 s after QRS onset, the finger about 0.25 s.
export const ARTERIAL_DELAY = 0.12;
export const PLETH_DELAY = 0.25;
const PULSE_TAIL_SECONDS = 2.5;

export function pulses(trace, from, to) {
  return trace.events.filter((e) => e.kind === "qrs" && e.pulse > 0 && e.t > from && e.t <= to);
}

// Index of the first event that can still shape a pulse at t.
function firstRelevant(events, t) {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].t <= t - PULSE_TAIL_SECONDS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sumPulses(trace, t, delay, shape, options) {
  const { events } = trace;
  let value = 0;
  for (let i = firstRelevant(events, t); i < events.length; i += 1) {
    const e = events[i];
    const x = t - e.t - delay;
    if (x < -delay) break;
    if (e.kind !== "qrs" || !(e.pulse > 0) || x <= 0) continue;
    value += e.pulse * shape(x, Math.min(e.rr, e.cycle), options);
  }
  return value;
}

// Shapes scale with the cycle length, within limits, so fast pulses do not pile up: the shorter
// of the interval before the beat and the set cycle, so a pulse after a pause does not linger.
const cycleScale = (rr) => Math.min(1.3, Math.max(0.45, rr / 0.8));

function bump(x, start, peakAfter, amplitude) {
  const u = (x - start) / peakAfter;
  return u <= 0 ? 0 : amplitude * u * u * Math.exp(2 * (1 - u));
}

// The finger's volume pulse: a systolic wave and a smaller dicrotic (reflected) one.
function plethShape(x, rr) {
  const k = cycleScale(rr);
  return bump(x, 0, 0.11 * k, 0.9) + bump(x, 0.24 * k, 0.07 * k, 0.22);
}

export function plethAt(trace, t) {
  return sumPulses(trace, t, PLETH_DELAY, plethShape);
}

export function meanArterial(systolic, diastolic) {
  // The bedside approximation: diastolic plus a third of the pulse pressure.
  return diastolic + (systolic - diastolic) / 3;
}

// One arterial pulse, 0 at its foot, 1 at systolic peak: a sharp upstroke, a fall to the
// dicrotic notch (aortic valve closure, about 0.3 s at 75/min), the dicrotic wave, then
// diastolic run-off that reaches the foot again as the next beat would arrive.
function arterialShape(x, rr, damping) {
  const k = cycleScale(rr);
  const over = damping === "over";
  const peak = (over ? 0.17 : 0.1) * k;
  const notch = 0.3 * k;
  let value;
  if (x < peak) value = Math.sin((Math.PI / 2) * (x / peak)) ** 2;
  else if (x < notch) value = 1 - 0.42 * smooth((x - peak) / (notch - peak));
  else value = 0.58 * (1 - smooth((x - notch) / Math.max(0.1, 0.98 * rr - notch)));
  if (!over) {
    const z = (x - notch - 0.035 * k) / (0.03 * k);
    value += 0.09 * Math.exp(-0.5 * z * z) - 0.06 * Math.exp(-0.5 * ((x - notch) / (0.012 * k)) ** 2);
  }
  // A resonant transducer line (about 11 Hz) rings from the upstroke, its first lobe on the
  // systolic peak: systolic overshoots.
  const ringFrom = peak - 1 / (4 * 11);
  if (damping === "under" && x > ringFrom) {
    const u = x - ringFrom;
    value += 0.25 * Math.sin(2 * Math.PI * 11 * u) * Math.exp(-u / 0.07);
  }
  return value;
}

function smooth(u) {
  const x = u < 0 ? 0 : u > 1 ? 1 : u;
  return x * x * (3 - 2 * x);
}

export function arterialAt(trace, t, { systolic, diastolic, damping = "normal", paradoxus = 0 }) {
  const pulse = sumPulses(trace, t, ARTERIAL_DELAY, arterialShape, damping);
  // Pulsus paradoxus: systolic pressure falls by `paradoxus` mmHg in inspiration.
  const breath = paradoxus ? 0.5 * (1 + Math.sin(2 * Math.PI * breathPhase(trace, t))) : 0;
  let pressure = diastolic + (systolic - diastolic - paradoxus * breath) * pulse;
  if (damping === "over") {
    // Over-damping reads systolic low and diastolic high around a true mean.
    const mean = meanArterial(systolic, diastolic);
    pressure = mean + 0.6 * (pressure - mean);
  }
  return pressure;
}

// Central venous pressure: a (atrial contraction, after the P wave), c (tricuspid bulging at
// ventricular contraction), x descent, v (atrial filling in late systole), y descent. An atrium
// contracting against a closed tricuspid valve (P wave during ventricular systole, as in
// complete heart block) makes a cannon a wave.
// [centre s, width s, mmHg]; a from P onset, c and x from QRS onset, v and y from the end of
// the T wave (the QT), when the tricuspid valve opens.
const CVP_WAVES = {
  a: [0.1, 0.035, 3],
  c: [0.07, 0.02, 1.5],
  x: [0.2, 0.05, -2.5],
  v: [-0.02, 0.045, 2.5],
  y: [0.13, 0.06, -1.5],
};

const g = ([c, w, a], x) => a * Math.exp(-0.5 * ((x - c) / w) ** 2);

export function cvpAt(trace, t, { mean }) {
  const { events } = trace;
  let value = mean;
  let lastQrs = null;
  for (let i = firstRelevant(events, t); i < events.length; i += 1) {
    const e = events[i];
    const x = t - e.t;
    if (x < 0) break;
    if (e.kind === "qrs") {
      lastQrs = e;
      if (e.pulse > 0) {
        value += g(CVP_WAVES.c, x) + g(CVP_WAVES.x, x) + g(CVP_WAVES.v, x - e.qt) + g(CVP_WAVES.y, x - e.qt);
      }
    } else if (e.kind === "p" || e.kind === "flutter") {
      const systole = lastQrs && e.t - lastQrs.t < lastQrs.qt;
      const size = (e.kind === "flutter" ? 0.3 : 1) * (systole ? 2.5 : 1);
      value += size * g(CVP_WAVES.a, x);
    }
  }
  return value;
}
