// What the monitor draws besides the heart (heart/ draws ECG, pleth and the pressures): the
// capnogram, and the seeded rng every waveform takes its randomness from.
//
// Pure functions, no DOM. Breaths are kept as a list the page extends with scheduleBreaths() as
// time passes; capnoSample() gives the CO2 at any time.

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

// Capnography. Breaths are kept as a list ({t, period}: start of expiration, seconds per
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
