// Artefacts the trainer switches on (values.flags.artefacts), added on top of the engine's
// samples: patient movement (baseline wander and bursts of muscle noise on the ECG), mains
// interference (50 Hz hum on the ECG) and low perfusion (a small, noisy pleth). And those
// treatment makes (heart-driver.js places them): chest compressions on the ECG, the pleth and
// the arterial line, and a shock's deflection of the ECG.
//
// Pure functions of time (server seconds), so every screen and the 12-lead show the same.
import { COMPRESSION_RATE } from "./treatment.js";

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

// What `lead` sees of an artefact whose pick-up `source` gives `pickup(source)`.
export function leadPickup(pickup, lead) {
  const limb = LIMB[lead];
  if (!limb) return pickup(2 + PRECORDIAL.indexOf(lead));
  const [i, ii] = limb;
  return (i && i * pickup(0)) + (ii && ii * pickup(1));
}

export function leadArtefact(artefacts, t, lead) {
  if (!artefacts || artefacts.length === 0) return 0;
  return leadPickup((source) => ecgArtefact(artefacts, t, source), lead);
}

export function plethWithArtefacts(artefacts, t, pleth) {
  if (!artefacts?.includes("low_perfusion")) return pleth;
  return LOW_PERFUSION_GAIN * pleth + PLETH_NOISE * noise(t, 99);
}

// Chest compressions move the electrodes and the chest: roughly sinusoidal deflections of 1-2 mV
// at the compression rate on the ECG, as large as the heart's own signal or larger (signal to
// artefact ratios of -10 to +10 dB: Resuscitation 2009;80:1301-7; Gong, Chen & Li,
// J Healthc Eng 2013), a pulsation on the pleth and an arterial waveform the compressions make.
// Each compression a little different.
const COMPRESSION_SECONDS = 60 / COMPRESSION_RATE;
const COMPRESSION_MV = 0.75;
// Each pick-up's share and sign: the electrodes sit at other distances from the hands.
const COMPRESSION_PICKUP = [0.55, 1.2, -0.7, -1.1, 1.0, 0.9, 0.7, 0.5];
// Pleth size (0-1 scale) and arterial pressure (mmHg, peak and trough) by CPR quality: good
// compressions keep the arterial diastolic above 20-25 mmHg (Meaney et al., Circulation 2013).
const COMPRESSION_PLETH = { good: 0.45, fair: 0.3, poor: 0.12 };
const COMPRESSION_ARTERIAL = { good: [85, 30], fair: [60, 20], poor: [35, 12] };

// Which compression t falls in since `since`, and where in it (0-1): null before CPR started.
function compression(t, since) {
  const x = (t - since) / COMPRESSION_SECONDS;
  if (x < 0) return null;
  const k = Math.floor(x);
  return { k, u: x - k };
}

// One peak per compression (the push), a smaller trough (the recoil).
const compressionShape = (u) => Math.sin(2 * Math.PI * u) + 0.25 * Math.sin(4 * Math.PI * u);

export function compressionArtefact(t, since, source = 1) {
  const c = compression(t, since);
  if (!c) return 0;
  const depth = 1 + 0.08 * noise(c.k / 500, 7);
  return COMPRESSION_MV * COMPRESSION_PICKUP[source] * depth * compressionShape(c.u);
}

export function compressionPleth(t, since, quality = "good") {
  const c = compression(t, since);
  return c ? COMPRESSION_PLETH[quality] * 0.5 * (1 - Math.cos(2 * Math.PI * c.u)) : 0;
}

export function compressionArterial(t, since, quality = "good") {
  const c = compression(t, since);
  const [peak, trough] = COMPRESSION_ARTERIAL[quality];
  if (!c) return trough;
  return trough + (peak - trough) * Math.max(0, Math.sin(2 * Math.PI * c.u)) ** 1.5;
}

// A shock saturates the ECG amplifier, which then returns to baseline exponentially; monitors
// must recover within 5 s (IEC 60601-2-27; GE B20 and Gima K10 manuals: "< 5 s"), modern
// defibrillator inputs in 1-2 s. Here the trace leaves the scale for about half a second and is
// back within 2 s.
const SHOCK_MV = 10;
const SHOCK_DECAY_SECONDS = 0.33;
export const SHOCK_RECOVERY_SECONDS = 2.5;
// Each pick-up's share and sign, chosen so every lead leaves the scale.
const SHOCK_PICKUP = [1, -0.6, -1, -0.9, 1, 0.7, -0.8, 0.9];

export function shockArtefact(t, at, source = 1) {
  const dt = t - at;
  if (dt < 0 || dt >= SHOCK_RECOVERY_SECONDS) return 0;
  return SHOCK_MV * SHOCK_PICKUP[source] * Math.exp(-dt / SHOCK_DECAY_SECONDS);
}
