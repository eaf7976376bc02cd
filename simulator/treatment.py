"""The defibrillator's, the pacer's and CPR's rules, whatever shows them: how long a charge and an
AED analysis take, which rhythms a shock treats and a sync can lock on, when a transcutaneous
pacer captures, and what the monitor shows once pacing or CPR is under way.
static/sessions_app/treatment.js holds the same rules for the screens; both are held to
simulator/contract/treatment.json.

`treatment` is the session's live device state and `defibrillator` the trainer's settings, as the
"treatment" message carries them (keys of `treatment` present only while true).
"""

from simulator import vitals

# Manual biphasic energies a LIFEPAK 15 offers (Operating Instructions, manual defibrillation:
# 2 to 10 J in steps of 1, then 15 ... 360 J); a ZOLL R Series and a Philips HeartStart MRx also
# offer 1 J, which MIN_JOULES allows.
ENERGY_CHOICES = (
    2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 50, 70, 100, 125, 150, 175, 200, 225, 250, 275, 300,
    325, 360,
)  # fmt: skip
MIN_JOULES = 1
MAX_JOULES = 360
# The usual first biphasic energy on a manual device (ERC 2021 ALS: at least 150 J; the LIFEPAK
# 15's default first energy is 200 J). An AED's fixed energy: Philips HeartStart's 150 J.
DEFAULT_JOULES = 200
AED_JOULES = 150

# A capacitor charges at a roughly constant power, so time grows with energy: typically 8 s to
# 360 J and 4 s to 200 J (Marquette Hellige CardioServ, technical description; LIFEPAK 15 and
# ZOLL R Series state under 10 s to 360 J and under 7 s to 200 J). At least the second a unit
# takes to start charging at all.
CHARGE_JOULES_PER_SECOND = 45
MIN_CHARGE_SECONDS = 1.0
# A charge not delivered within 60 s disarms itself (LIFEPAK 15 Operating Instructions,
# table 5-3: "shock button not pressed within 60 seconds after charge complete").
CHARGE_HOLD_SECONDS = 60
# An AED's rhythm analysis: the hands-off pause ERC 2021 and AHA 2020 keep under 10 s.
ANALYSIS_SECONDS = 8

# CPR (AHA 2020 and ERC 2021 BLS/ALS): compressions at 100-120/min, rhythm checks every 2 min,
# and with an advanced airway continuous compressions and 10 breaths/min (one every 6 s).
COMPRESSION_RATE = 110
CPR_CYCLE_SECONDS = 120
CPR_VENTILATION_RATE = 10
# EtCO2 (mmHg) during CPR of a pulseless patient: below 10 mmHg means poor compressions, over
# 20 mmHg good ones (Meaney et al., "CPR Quality", AHA scientific statement, Circulation 2013;
# AHA 2020 ALS).
CPR_ETCO2 = {"good": 24, "fair": 15, "poor": 7}

# Rhythms a defibrillator treats; VT only when pulseless (with a pulse it is cardioverted, synced).
SHOCKABLE_RHYTHMS = ("ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes")
# Rhythms without a QRS a synchroniser could lock on.
NO_R_WAVE_RHYTHMS = (
    "ventricular_fibrillation",
    "ventricular_fibrillation_fine",
    "asystole",
    "ventricular_standstill",
    "torsades_de_pointes",
)
# Ventricles that fibrillate (or twist at 200+/min) are never captured by a pacing stimulus.
UNCAPTURABLE_RHYTHMS = ("ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes")
PACED_RHYTHM = "paced_ventricular"
DEFAULT_CAPTURE_THRESHOLD_MA = 70
DEFAULT_CPR_QUALITY = "good"
# What the trainer makes of the trainee's monitor: a monitor only, a manual
# defibrillator-pacer, or an AED.
MODES = ("off", "manual", "aed")


def default_settings() -> dict:
    """The trainer's settings of a new session's device (Session.defibrillator)."""
    return {
        "mode": "off",
        "capture_threshold_ma": DEFAULT_CAPTURE_THRESHOLD_MA,
        "cpr_quality": DEFAULT_CPR_QUALITY,
    }


def charge_seconds(joules: int) -> float:
    """Seconds a real unit takes to charge to `joules`, to a tenth of a second."""
    # Rounded as an integer of tenths so Python and JavaScript agree to the last digit.
    return max(MIN_CHARGE_SECONDS, round(joules * 10 / CHARGE_JOULES_PER_SECOND) / 10)


def _rhythm(values: dict | None) -> str | None:
    return ((values or {}).get("flags") or {}).get("rhythm")


def shockable(values: dict | None) -> bool:
    """VF (coarse or fine), torsades, or VT without a pulse."""
    if not values:
        return False
    rhythm = _rhythm(values)
    pulseless_vt = rhythm == "ventricular_tachycardia" and bool(values["flags"].get("no_pulse"))
    return rhythm in SHOCKABLE_RHYTHMS or pulseless_vt


def has_r_waves(values: dict | None) -> bool:
    """Whether the rhythm has QRS complexes a synchronised shock can be timed on."""
    return bool(values) and _rhythm(values) not in NO_R_WAVE_RHYTHMS


def captured(pacer: dict | None, capture_threshold_ma: int) -> bool:
    """The pacer is on and its current reaches the patient's capture threshold."""
    return bool(pacer) and pacer["ma"] >= capture_threshold_ma


def intrinsic_rate(values: dict) -> int:
    """The rate a demand pacer senses: 0 for rhythms without counted ventricular beats."""
    rhythm = _rhythm(values)
    if rhythm in vitals.PULSELESS_RHYTHMS or rhythm in vitals.NO_RATE_RHYTHMS:
        return 0
    return values.get("heart_rate") or 0


def pacer_takes_over(values: dict | None, treatment: dict | None, defibrillator: dict | None) -> bool:
    """The pacer captures and sets the rhythm: always in fixed mode, in demand mode only while
    the patient's own rate is below the pacer's."""
    pacer = (treatment or {}).get("pacer")
    threshold = (defibrillator or {}).get("capture_threshold_ma", DEFAULT_CAPTURE_THRESHOLD_MA)
    if not values or not captured(pacer, threshold) or _rhythm(values) in UNCAPTURABLE_RHYTHMS:
        return False
    return pacer["mode"] == "fixed" or intrinsic_rate(values) < pacer["rate"]


def treated_values(values: dict | None, treatment: dict | None, defibrillator: dict | None) -> dict | None:
    """What the monitor shows given the treatment: a captured pacer's rhythm, rate and pulse;
    during CPR of a pulseless patient, the ventilation rate and the EtCO2 the compressions make.
    A field without a sensor (None) stays None."""
    if values is None:
        return None
    treatment = treatment or {}
    shown = {**values, "flags": {**values["flags"]}}
    if pacer_takes_over(values, treatment, defibrillator):
        shown["flags"]["rhythm"] = PACED_RHYTHM
        shown["flags"]["no_pulse"] = False
        if shown.get("heart_rate") is not None:
            shown["heart_rate"] = treatment["pacer"]["rate"]
    if treatment.get("cpr") and vitals.is_pulseless(shown):
        quality = (defibrillator or {}).get("cpr_quality", DEFAULT_CPR_QUALITY)
        if shown.get("etco2") is not None:
            shown["etco2"] = CPR_ETCO2[quality]
        if shown.get("respiratory_rate") is not None:
            shown["respiratory_rate"] = CPR_VENTILATION_RATE
    return shown
