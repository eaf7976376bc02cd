// STUB until the treatment helper's module lands (the lead replaces it): the spec's exports
// (/tmp/spec/treatment.md), with the values of the lead's simulator/treatment.py placeholder.

// LIFEPAK 15 biphasic energies (J), as its energy select steps them.
export const ENERGY_CHOICES = [
  2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 50, 70, 100, 125, 150, 175, 200, 225, 250, 275, 300, 325, 360,
];
export const DEFAULT_JOULES = 200;
export const AED_JOULES = 150;
export const MIN_JOULES = 1;
export const MAX_JOULES = 360;
export const CHARGE_HOLD_SECONDS = 60;
export const ANALYSIS_SECONDS = 8;
export const CPR_ETCO2 = { good: 25, fair: 15, poor: 8 };
export const COMPRESSION_RATE = 110;
export const CPR_CYCLE_SECONDS = 120;
export const CPR_VENTILATION_RATE = 10;

const SHOCKABLE = new Set(["ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes"]);
const NO_R = new Set([
  "ventricular_fibrillation",
  "ventricular_fibrillation_fine",
  "asystole",
  "ventricular_standstill",
  "torsades_de_pointes",
]);

export const chargeSeconds = (joules) => 1 + (6 * joules) / 360;

export function shockable(values) {
  const flags = values?.flags ?? {};
  return SHOCKABLE.has(flags.rhythm) || (flags.rhythm === "ventricular_tachycardia" && Boolean(flags.no_pulse));
}

export const hasRWaves = (values) => !NO_R.has(values?.flags?.rhythm);

export const captured = (pacer, threshold) => Boolean(pacer) && pacer.ma >= threshold;

export const treatedValues = (values) => values;
