// The defibrillator's, the pacer's and CPR's rules on the screens: the same as
// simulator/treatment.py (sources of the constants there), held to
// simulator/contract/treatment.json by tests/treatment.test.mjs.
//
// `treatment` is the session's live device state and `defibrillator` the trainer's settings, as
// the "treatment" message carries them (keys of `treatment` present only while true). Pure.
import { NO_RATE_RHYTHMS, PULSELESS_RHYTHMS, isPulseless } from "./alarms.js";

// LIFEPAK 15's manual biphasic energies; 1 J as ZOLL R Series and Philips HeartStart MRx offer.
export const ENERGY_CHOICES = [
  2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 50, 70, 100, 125, 150, 175, 200, 225, 250, 275, 300, 325, 360,
];
export const MIN_JOULES = 1;
export const MAX_JOULES = 360;
export const DEFAULT_JOULES = 200;
export const AED_JOULES = 150;
// Constant charging power: 8 s to 360 J, 4 s to 200 J (Marquette Hellige CardioServ).
const CHARGE_JOULES_PER_SECOND = 45;
const MIN_CHARGE_SECONDS = 1;
// LIFEPAK 15: a charge not delivered within 60 s disarms itself.
export const CHARGE_HOLD_SECONDS = 60;
export const ANALYSIS_SECONDS = 8;
// AHA 2020, ERC 2021: 100-120/min, 2-min cycles, 10 breaths/min with an advanced airway.
export const COMPRESSION_RATE = 110;
export const CPR_CYCLE_SECONDS = 120;
export const CPR_VENTILATION_RATE = 10;
// mmHg during CPR of a pulseless patient: < 10 poor, > 20 good (Meaney et al., Circulation 2013).
export const CPR_ETCO2 = { good: 24, fair: 15, poor: 7 };

const SHOCKABLE_RHYTHMS = ["ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes"];
const NO_R_WAVE_RHYTHMS = [
  "ventricular_fibrillation",
  "ventricular_fibrillation_fine",
  "asystole",
  "ventricular_standstill",
  "torsades_de_pointes",
];
// Fibrillating (or twisting at 200+/min) ventricles are never captured by a pacing stimulus.
const UNCAPTURABLE_RHYTHMS = ["ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes"];
export const PACED_RHYTHM = "paced_ventricular";
const DEFAULT_CAPTURE_THRESHOLD_MA = 70;
const DEFAULT_CPR_QUALITY = "good";

// Seconds to charge to `joules`, to a tenth (an integer of tenths, as Python rounds it).
export function chargeSeconds(joules) {
  return Math.max(MIN_CHARGE_SECONDS, Math.round((joules * 10) / CHARGE_JOULES_PER_SECOND) / 10);
}

const rhythmOf = (values) => values?.flags?.rhythm;

export function shockable(values) {
  if (!values) return false;
  const rhythm = rhythmOf(values);
  return SHOCKABLE_RHYTHMS.includes(rhythm) || (rhythm === "ventricular_tachycardia" && Boolean(values.flags.no_pulse));
}

export function hasRWaves(values) {
  return Boolean(values) && !NO_R_WAVE_RHYTHMS.includes(rhythmOf(values));
}

export function captured(pacer, captureThresholdMa) {
  return Boolean(pacer) && pacer.ma >= captureThresholdMa;
}

// The rate a demand pacer senses: 0 for rhythms without counted ventricular beats.
export function intrinsicRate(values) {
  const rhythm = rhythmOf(values);
  if (PULSELESS_RHYTHMS.includes(rhythm) || NO_RATE_RHYTHMS.includes(rhythm)) return 0;
  return values.heart_rate ?? 0;
}

// The pacer captures and sets the rhythm: always in fixed mode, in demand mode only while the
// patient's own rate is below the pacer's.
export function pacerTakesOver(values, treatment, defibrillator) {
  const pacer = treatment?.pacer;
  const threshold = defibrillator?.capture_threshold_ma ?? DEFAULT_CAPTURE_THRESHOLD_MA;
  if (!values || !captured(pacer, threshold) || UNCAPTURABLE_RHYTHMS.includes(rhythmOf(values))) return false;
  return pacer.mode === "fixed" || intrinsicRate(values) < pacer.rate;
}

// What the monitor shows given the treatment (simulator/treatment.py's treated_values).
export function treatedValues(values, treatment, defibrillator) {
  if (values === null || values === undefined) return null;
  const shown = { ...values, flags: { ...values.flags } };
  if (pacerTakesOver(values, treatment, defibrillator)) {
    shown.flags.rhythm = PACED_RHYTHM;
    shown.flags.no_pulse = false;
    if (shown.heart_rate != null) shown.heart_rate = treatment.pacer.rate;
  }
  if (treatment?.cpr && isPulseless(shown)) {
    const quality = defibrillator?.cpr_quality ?? DEFAULT_CPR_QUALITY;
    if (shown.etco2 != null) shown.etco2 = CPR_ETCO2[quality];
    if (shown.respiratory_rate != null) shown.respiratory_rate = CPR_VENTILATION_RATE;
  }
  return shown;
}
