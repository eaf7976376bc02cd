// Waveforms of the bedside monitor, synthesised in the browser from rate and rhythm.
//
// Pure functions, no DOM: the page keeps a list of beats ({t, rr, rhythm}: R-peak time in
// seconds, the RR interval that led to it, and the rhythm that produced it), extends it with
// scheduleBeats() as time passes, and asks ecgSample()/plethSample() for the value at any time.
// Randomness (AF intervals) comes from an injected rng, so a seeded one makes runs repeatable.

// Beats are scheduled this far ahead: the P wave precedes the R peak by 0.16 s.
const LOOKAHEAD_SECONDS = 0.5;
// A new beat never starts sooner than this after a change, so its P wave is not cut off.
const LEAD_SECONDS = 0.2;
// The longest tail of a beat (the pleth pulse); older beats no longer affect any sample.
const BEAT_TAIL_SECONDS = 2;
// The pulse reaches the finger about 0.2 s after the QRS.
export const PLETH_DELAY_SECONDS = 0.2;
const SHORTEST_RR_SECONDS = 0.2;

const WITHOUT_BEATS = new Set(["asystole", "ventricular_fibrillation"]);

export function makeRng(seed) {
  // mulberry32: small, fast and good enough for beat-to-beat variation.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function hasBeats(rhythm, heartRate) {
  return heartRate > 0 && !WITHOUT_BEATS.has(rhythm);
}

// Seconds from the previous R peak to the next, or null when the rhythm has no beats.
export function beatInterval(rhythm, heartRate, rng) {
  if (!hasBeats(rhythm, heartRate)) return null;
  const mean = 60 / heartRate;
  // Atrial fibrillation is irregularly irregular: each RR varies independently by up to ±25 %.
  const rr = rhythm === "atrial_fibrillation" ? mean * (0.75 + 0.5 * rng()) : mean;
  return Math.max(rr, SHORTEST_RR_SECONDS);
}

export function beatIntervals(rhythm, heartRate, count, rng) {
  const intervals = [];
  for (let i = 0; i < count; i += 1) {
    const rr = beatInterval(rhythm, heartRate, rng);
    if (rr === null) break;
    intervals.push(rr);
  }
  return intervals;
}

// The beats that still matter at `now`, plus new ones through now + LOOKAHEAD_SECONDS.
export function scheduleBeats(beats, rhythm, heartRate, now, rng) {
  const kept = beats.filter((beat) => beat.t > now - BEAT_TAIL_SECONDS);
  let last = kept.at(-1);
  while (!last || last.t < now + LOOKAHEAD_SECONDS) {
    const rr = beatInterval(rhythm, heartRate, rng);
    if (rr === null) break;
    const t = last ? Math.max(last.t + rr, now + LEAD_SECONDS) : now + LEAD_SECONDS;
    last = { t, rr, rhythm };
    kept.push(last);
  }
  return kept;
}

// On a change of rate or rhythm: keep the beats already being drawn, drop the planned ones.
export function cancelPlannedBeats(beats, now) {
  return beats.filter((beat) => beat.t <= now + LEAD_SECONDS);
}

export function beatsBetween(beats, from, to) {
  return beats.filter((beat) => beat.t > from && beat.t <= to);
}

function gaussian(x, centre, width) {
  const z = (x - centre) / width;
  return Math.exp(-0.5 * z * z);
}

// One P-QRS-T complex in mV, `dt` seconds from its R peak. Repolarisation (T) shortens with the
// RR interval, roughly like Bazett's QT correction, so fast rates do not run T into the next QRS.
function narrowComplex(dt, rr, withPWave) {
  const qt = Math.sqrt(Math.min(rr, 1.2));
  const p = withPWave ? 0.15 * gaussian(dt, -0.16, 0.025) : 0;
  return (
    p -
    0.12 * gaussian(dt, -0.03, 0.008) +
    1.2 * gaussian(dt, 0, 0.011) -
    0.3 * gaussian(dt, 0.03, 0.009) +
    0.3 * gaussian(dt, 0.26 * qt, 0.05 * qt)
  );
}

// Ventricular tachycardia: a broad, tall, sine-like complex without a P wave.
function wideComplex(dt, rr) {
  const width = Math.min(1, rr / 0.4);
  return 1.3 * gaussian(dt, 0, 0.05 * width) - 0.7 * gaussian(dt, 0.13 * width, 0.06 * width);
}

export function ecgComplex(rhythm, dt, rr) {
  if (dt < -0.3 || dt > 1) return 0;
  if (rhythm === "ventricular_tachycardia") return wideComplex(dt, rr);
  return narrowComplex(dt, rr, rhythm !== "atrial_fibrillation");
}

// Deterministic noise in [-1, 1): the same t always gives the same value, keeping samples pure.
function hashNoise(t) {
  const x = Math.sin(Math.floor(t * 250) * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

// Fibrillatory waves of AF: small, fast and never quite repeating.
function fibrillatoryWaves(t) {
  return (
    0.04 * Math.sin(2 * Math.PI * 5.3 * t) +
    0.025 * Math.sin(2 * Math.PI * 7.1 * t + 1) +
    0.02 * Math.sin(2 * Math.PI * 3.7 * t + 2)
  );
}

// Ventricular fibrillation: a few sines whose frequency (4–6 Hz) and amplitude drift, plus noise.
function fibrillation(t) {
  const phase = (hz, driftHz, depth, offset) =>
    2 * Math.PI * hz * t + (depth / driftHz) * Math.sin(2 * Math.PI * driftHz * t) + offset;
  const envelope =
    0.55 + 0.3 * Math.sin(2 * Math.PI * 0.21 * t) + 0.15 * Math.sin(2 * Math.PI * 0.53 * t + 1);
  return (
    envelope *
      (0.7 * Math.sin(phase(4.7, 0.31, 0.9, 0)) +
        0.35 * Math.sin(phase(6.1, 0.17, 1.3, 2)) +
        0.2 * Math.sin(phase(3.3, 0.43, 0.6, 4))) +
    0.025 * hashNoise(t)
  );
}

// ECG lead II in mV at time t. Asystole and a rate of 0 are exactly flat at 0; VF is drawn
// whatever the rate, since it has no beats to count (the cardiac arrest preset sends VF at 0 bpm).
export function ecgSample(t, rhythm, heartRate, beats) {
  let value = 0;
  if (rhythm === "ventricular_fibrillation") value = fibrillation(t);
  else if (rhythm === "atrial_fibrillation" && heartRate > 0) value = fibrillatoryWaves(t);
  for (const beat of beats) value += ecgComplex(beat.rhythm, t - beat.t, beat.rr);
  return value;
}

// One finger pulse, 0 to 1, `dt` seconds after its QRS: a fast systolic upstroke, then a slower
// fall with a dicrotic notch. The shape shortens at fast rates so pulses do not pile up.
export function plethPulse(dt, rr) {
  const x = dt - PLETH_DELAY_SECONDS;
  if (x <= 0) return 0;
  const scale = Math.min(1, Math.max(0.45, rr / 0.75));
  const wave = (start, peakAfter, amplitude) => {
    const u = (x - start * scale) / (peakAfter * scale);
    return u <= 0 ? 0 : amplitude * u * u * Math.exp(2 * (1 - u));
  };
  const systolicWave = wave(0, 0.11, 0.9);
  const dicroticWave = wave(0.24, 0.07, 0.22);
  return systolicWave + dicroticWave;
}

// Pleth amplitude 0 to about 1 at time t; flat without a probe or without beats.
export function plethSample(t, beats, probeOff) {
  if (probeOff) return 0;
  let value = 0;
  for (const beat of beats) {
    // A wide ventricular beat ejects less blood: a smaller pulse.
    const strength = beat.rhythm === "ventricular_tachycardia" ? 0.5 : 1;
    value += strength * plethPulse(t - beat.t, beat.rr);
  }
  return value;
}

// Capnography. Breaths are kept like beats ({t, period}: start of expiration, seconds per
// breath) so a change of rate applies from the next breath and the trace never jumps.
const BREATH_LOOKAHEAD_SECONDS = 0.3;
// Shares of a breath: dead space, upstroke, alveolar plateau, downstroke (inspiration starts),
// then the inspiratory baseline; close to an I:E ratio of 1:1.5.
const CAPNO_PHASES = { deadSpace: 0.04, upstroke: 0.1, plateauEnd: 0.56, downstroke: 0.62 };
// The plateau rises slowly to its end-tidal value: it starts this much lower.
const PLATEAU_START_SHARE = 0.9;

export function scheduleBreaths(breaths, respiratoryRate, now) {
  const kept = breaths.filter((breath) => breath.t + breath.period > now - 1);
  let last = kept.at(-1);
  while (!last || last.t + last.period < now + BREATH_LOOKAHEAD_SECONDS) {
    if (!(respiratoryRate > 0)) break;
    const t = last ? Math.max(last.t + last.period, now) : now;
    last = { t, period: 60 / respiratoryRate };
    kept.push(last);
  }
  return kept;
}

// On a change of rate: the breath under way finishes, the planned ones are dropped.
export function cancelPlannedBreaths(breaths, now) {
  return breaths.filter((breath) => breath.t <= now);
}

function smoothstep(x) {
  const u = Math.min(1, Math.max(0, x));
  return u * u * (3 - 2 * u);
}

// CO2 in mmHg at `u` (0 to 1) through one breath that ends at `etco2`.
export function capnoShape(u, etco2) {
  const { deadSpace, upstroke, plateauEnd, downstroke } = CAPNO_PHASES;
  const plateauStart = PLATEAU_START_SHARE * etco2;
  if (u < deadSpace || u >= downstroke) return 0;
  if (u < upstroke) return plateauStart * smoothstep((u - deadSpace) / (upstroke - deadSpace));
  if (u < plateauEnd) {
    return plateauStart + (etco2 - plateauStart) * ((u - upstroke) / (plateauEnd - upstroke));
  }
  return etco2 * (1 - smoothstep((u - plateauEnd) / (downstroke - plateauEnd)));
}

// CO2 in mmHg at time t: a square-ish plateau at EtCO2 per breath, flat between and in apnoea.
export function capnoSample(t, breaths, etco2) {
  for (const breath of breaths) {
    const u = (t - breath.t) / breath.period;
    if (u >= 0 && u < 1) return capnoShape(u, etco2);
  }
  return 0;
}
