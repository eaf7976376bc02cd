"""What a vitals change may contain, and the adult alarm limits the monitor applies.

`validate()` is the one gate for a change, whether it comes from the control form, the
control socket or a command. The alarm limits are sent to the monitor page (data attributes),
so the browser and the server agree on what is out of range.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Accepted ranges, inclusive. 0/0 and 0 bpm are valid: a cardiac arrest is a scenario.
RANGES = {
    "systolic": (0, 300),
    "diastolic": (0, 200),
    "heart_rate": (0, 300),
    "spo2": (0, 100),
}
NUMBER_FIELDS = tuple(RANGES)
LABELS = {
    "systolic": gettext_lazy("Systolic"),
    "diastolic": gettext_lazy("Diastolic"),
    "heart_rate": gettext_lazy("Heart rate"),
    "spo2": gettext_lazy("SpO2"),
    "rhythm": gettext_lazy("Rhythm"),
    "alarm": gettext_lazy("Alarm"),
    "spo2_probe_off": gettext_lazy("SpO2 probe off"),
    "flags": gettext_lazy("Flags"),
}

RHYTHMS = {
    "sinus": gettext_lazy("Sinus rhythm"),
    "sinus_tachycardia": gettext_lazy("Sinus tachycardia"),
    "sinus_bradycardia": gettext_lazy("Sinus bradycardia"),
    "atrial_fibrillation": gettext_lazy("Atrial fibrillation"),
    "ventricular_tachycardia": gettext_lazy("Ventricular tachycardia"),
    "ventricular_fibrillation": gettext_lazy("Ventricular fibrillation"),
    "asystole": gettext_lazy("Asystole"),
}
BOOLEAN_FLAGS = ("alarm", "spo2_probe_off")
FLAG_KEYS = ("rhythm", *BOOLEAN_FLAGS)

# Default adult alarm limits: a value outside [low, high] alarms on the monitor.
ALARM_LIMITS = {
    "heart_rate": (50, 120),
    "spo2": (90, 100),
    "systolic": (90, 160),
}

DEFAULT_VALUES = {
    "systolic": 120,
    "diastolic": 80,
    "heart_rate": 75,
    "spo2": 98,
    "flags": {"rhythm": "sinus", "alarm": False, "spo2_probe_off": False},
}


class VitalsError(Exception):
    """A refused change; `errors` maps each offending field to a message naming it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _is_int(value) -> bool:
    # bool is an int in Python; "true" is not a heart rate.
    return isinstance(value, int) and not isinstance(value, bool)


def validate(values) -> dict:
    """Return a clean copy of `values`, or raise VitalsError naming every bad field."""
    if not isinstance(values, dict):
        raise VitalsError({"values": _("Values must be an object.")})
    errors = {}
    clean = {}
    for field, (low, high) in RANGES.items():
        value = values.get(field)
        label = LABELS[field]
        if value is None:
            errors[field] = _("%(field)s is required.") % {"field": label}
        elif not _is_int(value):
            errors[field] = _("%(field)s must be a whole number.") % {"field": label}
        elif not low <= value <= high:
            errors[field] = _("%(field)s must be between %(low)d and %(high)d.") % {
                "field": label,
                "low": low,
                "high": high,
            }
        else:
            clean[field] = value
    if "systolic" in clean and "diastolic" in clean:
        both_zero = clean["systolic"] == 0 and clean["diastolic"] == 0
        if not both_zero and clean["diastolic"] >= clean["systolic"]:
            errors["diastolic"] = _("Diastolic must be lower than systolic.")
    for field in set(values) - {*NUMBER_FIELDS, "flags"}:
        errors[str(field)] = _("“%(field)s” is not a vital sign.") % {"field": field}
    clean["flags"] = _validate_flags(values.get("flags", {}), errors)
    if errors:
        raise VitalsError(errors)
    return clean


def _validate_flags(flags, errors: dict) -> dict:
    if not isinstance(flags, dict):
        errors["flags"] = _("Flags must be an object.")
        return {}
    for key in set(flags) - set(FLAG_KEYS):
        errors[f"flags.{key}"] = _("“%(key)s” is not a known flag.") % {"key": key}
    rhythm = flags.get("rhythm", "sinus")
    if not isinstance(rhythm, str) or rhythm not in RHYTHMS:
        errors["rhythm"] = _("Rhythm must be one of: %(choices)s.") % {
            "choices": ", ".join(RHYTHMS)
        }
    clean = {"rhythm": rhythm}
    for key in BOOLEAN_FLAGS:
        value = flags.get(key, False)
        if not isinstance(value, bool):
            errors[key] = _("%(field)s must be true or false.") % {"field": LABELS[key]}
        clean[key] = value
    return clean


def mean_arterial_pressure(systolic: int, diastolic: int) -> int:
    return round((systolic + 2 * diastolic) / 3)


# One-click scenarios on the control page; each fills the form, the trainer still sends it.
PRESETS = {
    "normal": (gettext_lazy("Normal adult"), DEFAULT_VALUES),
    "hypotension": (
        gettext_lazy("Hypotension"),
        {
            "systolic": 78,
            "diastolic": 42,
            "heart_rate": 118,
            "spo2": 95,
            "flags": {"rhythm": "sinus_tachycardia", "alarm": False, "spo2_probe_off": False},
        },
    ),
    "tachycardia": (
        gettext_lazy("Tachycardia"),
        {
            "systolic": 135,
            "diastolic": 85,
            "heart_rate": 150,
            "spo2": 96,
            "flags": {"rhythm": "sinus_tachycardia", "alarm": False, "spo2_probe_off": False},
        },
    ),
    "hypoxia": (
        gettext_lazy("Hypoxia"),
        {
            "systolic": 140,
            "diastolic": 88,
            "heart_rate": 112,
            "spo2": 84,
            "flags": {"rhythm": "sinus_tachycardia", "alarm": False, "spo2_probe_off": False},
        },
    ),
    "arrest": (
        gettext_lazy("Cardiac arrest"),
        {
            "systolic": 0,
            "diastolic": 0,
            "heart_rate": 0,
            "spo2": 0,
            "flags": {"rhythm": "ventricular_fibrillation", "alarm": True, "spo2_probe_off": False},
        },
    ),
}
