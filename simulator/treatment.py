"""STUB until helper H's module lands (lead's placeholder)."""

MODES = ("off", "manual", "aed")
CPR_QUALITIES = ("good", "fair", "poor")
MIN_JOULES, MAX_JOULES = 1, 360
DEFAULT_JOULES = 200
AED_JOULES = 150
CHARGE_HOLD_SECONDS = 60
ANALYSIS_SECONDS = 8
COMPRESSION_RATE = 110
CPR_CYCLE_SECONDS = 120
CPR_VENTILATION_RATE = 10
CPR_ETCO2 = {"good": 25, "fair": 15, "poor": 8}
SHOCKABLE = {"ventricular_fibrillation", "ventricular_fibrillation_fine", "torsades_de_pointes"}
NO_R = {"ventricular_fibrillation", "ventricular_fibrillation_fine", "asystole", "ventricular_standstill", "torsades_de_pointes"}


def default_settings() -> dict:
    return {"mode": "off", "capture_threshold_ma": 70, "cpr_quality": "good"}


def charge_seconds(joules):
    return 1 + 6 * joules / 360


def shockable(values):
    flags = (values or {}).get("flags") or {}
    rhythm = flags.get("rhythm")
    return rhythm in SHOCKABLE or (rhythm == "ventricular_tachycardia" and bool(flags.get("no_pulse")))


def has_r_waves(values):
    return ((values or {}).get("flags") or {}).get("rhythm") not in NO_R


def captured(pacer, threshold):
    return bool(pacer) and pacer["ma"] >= threshold


def treated_values(values, treatment, defibrillator):
    return values
