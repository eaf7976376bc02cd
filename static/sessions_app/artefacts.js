// Artefacts the trainer switches on (values.flags.artefacts), added on top of the engine's
// samples: patient movement (baseline wander and bursts of muscle noise on the ECG), mains
// interference (50 Hz hum on the ECG) and low perfusion (a small, noisy pleth).
//
// Pure functions of time (server seconds), so every screen and the 12-lead show the same.

// European mains; most of the world outside the Americas runs at 50 Hz.
const MAINS_HZ = 50;
const MAINS_MV = 0.12;
// Movement: a slow wander of about 0.4 mV and a burst of noise every few seconds.
const WANDER_MV = 0.35;
const BURST_MV = 0.45;
const BURST_EVERY_SECONDS = 3.7;
const BURST_SECONDS = 0.7;
// Low perfusion: the pleth at a fifth of its size, its noise now visible.
const LOW_PERFUSION_GAIN = 0.2;
const PLETH_NOISE = 0.035;

// Deterministic noise in [-1, 1): the same t always gives the same value.
export function noise(t, salt = 0) {
  const x = Math.sin((Math.floor(t * 500) + salt * 7919) * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

// `source` numbers an independent pick-up (0 and 1 the limb electrodes' differences, 2-7 the
// chest electrodes), so that each has its own artefact.
export function ecgArtefact(artefacts, t, source = 0) {
  if (!artefacts || artefacts.length === 0) return 0;
  let value = 0;
  if (artefacts.includes("mains")) value += MAINS_MV * Math.sin(2 * Math.PI * MAINS_HZ * t + source);
  if (artefacts.includes("movement")) {
    const w = 2 * Math.PI * t;
    value += WANDER_MV * (0.6 * Math.sin(w * 0.31 + source) + 0.4 * Math.sin(w * 0.83 + 2 * source));
    const into = t % BURST_EVERY_SECONDS;
    if (into < BURST_SECONDS) {
      const envelope = Math.sin((Math.PI * into) / BURST_SECONDS);
      value += BURST_MV * envelope * noise(t, source + 1);
    }
  }
  return value;
}

// The artefact one lead picks up. Limb leads come from the electrodes' two independent
// differences (I and II), so Einthoven's law and aVR + aVL + aVF = 0 still hold with artefacts.
const LIMB = {
  I: [1, 0],
  II: [0, 1],
  III: [-1, 1],
  aVR: [-0.5, -0.5],
  aVL: [1, -0.5],
  aVF: [-0.5, 1],
};
const PRECORDIAL = ["V1", "V2", "V3", "V4", "V5", "V6"];

export function leadArtefact(artefacts, t, lead) {
  if (!artefacts || artefacts.length === 0) return 0;
  const limb = LIMB[lead];
  if (!limb) return ecgArtefact(artefacts, t, 2 + PRECORDIAL.indexOf(lead));
  const [i, ii] = limb;
  return (i && i * ecgArtefact(artefacts, t, 0)) + (ii && ii * ecgArtefact(artefacts, t, 1));
}

export function plethWithArtefacts(artefacts, t, pleth) {
  if (!artefacts?.includes("low_perfusion")) return pleth;
  return LOW_PERFUSION_GAIN * pleth + PLETH_NOISE * noise(t, 99);
}
