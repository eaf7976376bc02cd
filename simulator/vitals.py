"""What a change may contain: vitals, trends, alarm limits and the cuff's interval.

`validate()` is the one gate for a change of values, whether it comes from the control form,
the control socket or a command; the other validators gate the session's monitor settings.
The limits and alarm rules are sent to the monitor page, so the browser and the server agree
on what alarms.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Accepted ranges, inclusive. 0/0 and 0 bpm are valid: a cardiac arrest is a scenario.
RANGES = {
    "systolic": (0, 300),
    "diastolic": (0, 200),
    "heart_rate": (0, 300),
    "spo2": (0, 100),
    "respiratory_rate": (0, 80),
    "etco2": (0, 150),
}
# The others may be None: the monitor has no such sensor, its tile stays empty.
REQUIRED_FIELDS = ("systolic", "diastolic", "heart_rate", "spo2")
INTEGER_FIELDS = tuple(RANGES)
TEMPERATURE_RANGE = (25.0, 45.0)
# Every number a change carries; they all move along a trend.
NUMBER_FIELDS = (*INTEGER_FIELDS, "temperature")
LABELS = {
    "systolic": gettext_lazy("Systolic"),
    "diastolic": gettext_lazy("Diastolic"),
    "heart_rate": gettext_lazy("Heart rate"),
    "spo2": gettext_lazy("SpO2"),
    "respiratory_rate": gettext_lazy("Respiratory rate"),
    "etco2": gettext_lazy("EtCO2"),
    "temperature": gettext_lazy("Temperature"),
    "rhythm": gettext_lazy("Rhythm"),
    "alarm": gettext_lazy("Alarm"),
    "spo2_probe_off": gettext_lazy("SpO2 probe off"),
    "ecg_leads_off": gettext_lazy("ECG leads off"),
    "no_pulse": gettext_lazy("No pulse"),
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
# ecg_leads_off and spo2_probe_off are sensor faults (technical alarms); no_pulse makes any
# organised rhythm pulseless (PEA, pulseless VT).
BOOLEAN_FLAGS = ("alarm", "spo2_probe_off", "ecg_leads_off", "no_pulse")
FLAG_KEYS = ("rhythm", *BOOLEAN_FLAGS, "hidden")

# What the trainer can disconnect: the tile (and its waveform) then shows nothing, not zero.
PARAMETERS = {
    "heart_rate": gettext_lazy("ECG / heart rate"),
    "spo2": gettext_lazy("SpO2 / pleth"),
    "nibp": gettext_lazy("NIBP"),
    "respiratory_rate": gettext_lazy("Respiration"),
    "etco2": gettext_lazy("EtCO2 / capnography"),
    "temperature": gettext_lazy("Temperature"),
}

# Numbers are disconnected with their tile: both pressures with the cuff.
PARAMETER_OF = {"systolic": "nibp", "diastolic": "nibp"}

# Trends: the choices the control page offers; any whole number of seconds up to the maximum.
TRANSITIONS = {
    0: gettext_lazy("Instant"),
    10: gettext_lazy("10 s"),
    30: gettext_lazy("30 s"),
    60: gettext_lazy("1 min"),
    180: gettext_lazy("3 min"),
}
MAX_TRANSITION_SECONDS = 15 * 60

# Default adult alarm limits, [low, high]: a value outside alarms (yellow) on the monitor.
DEFAULT_ALARM_LIMITS = {
    "heart_rate": [50, 120],
    "spo2": [90, 100],
    "systolic": [90, 160],
    "diastolic": [40, 100],
    "respiratory_rate": [8, 30],
    "etco2": [25, 50],
}
# Red, life-threatening alarms, whatever the limits.
RED_RHYTHMS = ("asystole", "ventricular_fibrillation", "ventricular_tachycardia")
RED_SPO2_BELOW = 85
# "Silence" acknowledges the alarm conditions sounding now for this long. IEC 60601-1-8 names
# the states (audio paused, acknowledged) and leaves their length to the maker; 2 minutes is
# bedside monitors' usual default.
SILENCE_SECONDS = 120
# Rhythms without a cardiac output: no pulse, whatever the no_pulse flag says.
PULSELESS_RHYTHMS = ("asystole", "ventricular_fibrillation")

# The cuff: minutes between automatic measurements (0 = manual only), and how long one takes.
NIBP_INTERVALS = (0, 1, 3, 5, 10, 15)
# More time for a running session, in minutes: the control page's three buttons.
SESSION_EXTENSIONS = (15, 30, 60)
NIBP_MEASUREMENT_SECONDS = 10

DEFAULT_VALUES = {
    "systolic": 120,
    "diastolic": 80,
    "heart_rate": 75,
    "spo2": 98,
    "respiratory_rate": 14,
    "etco2": 38,
    "temperature": 36.8,
    "flags": {
        "rhythm": "sinus",
        "alarm": False,
        "spo2_probe_off": False,
        "ecg_leads_off": False,
        "no_pulse": False,
        "hidden": [],
    },
}


def default_alarm_limits() -> dict:
    return {field: list(limits) for field, limits in DEFAULT_ALARM_LIMITS.items()}


class VitalsError(Exception):
    """A refused change; `errors` maps each offending field to a message naming it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _is_int(value) -> bool:
    # bool is an int in Python; "true" is not a heart rate.
    return isinstance(value, int) and not isinstance(value, bool)


def _range_error(label, low, high) -> str:
    # In the page's locale: "between 25,0 and 45,0" in French.
    return _("%(field)s must be between %(low)s and %(high)s.") % {
        "field": label,
        "low": formats.number_format(low),
        "high": formats.number_format(high),
    }


def validate(values) -> dict:
    """Return a clean copy of `values`, or raise VitalsError naming every bad field.

    The clean copy has every number field (None for an absent optional one) and every flag.
    """
    if not isinstance(values, dict):
        raise VitalsError({"values": _("Values must be an object.")})
    errors = {}
    clean = {}
    for field, (low, high) in RANGES.items():
        value = values.get(field)
        label = LABELS[field]
        if value is None:
            if field in REQUIRED_FIELDS:
                errors[field] = _("%(field)s is required.") % {"field": label}
            clean[field] = None
        elif not _is_int(value):
            errors[field] = _("%(field)s must be a whole number.") % {"field": label}
        elif not low <= value <= high:
            errors[field] = _range_error(label, low, high)
        else:
            clean[field] = value
    clean["temperature"] = _validate_temperature(values.get("temperature"), errors)
    if clean.get("systolic") is not None and clean.get("diastolic") is not None:
        both_zero = clean["systolic"] == 0 and clean["diastolic"] == 0
        if not both_zero and clean["diastolic"] >= clean["systolic"]:
            errors["diastolic"] = _("Diastolic must be lower than systolic.")
    for field in set(values) - {*NUMBER_FIELDS, "flags"}:
        errors[str(field)] = _("“%(field)s” is not a vital sign.") % {"field": field}
    clean["flags"] = _validate_flags(values.get("flags", {}), errors)
    if errors:
        raise VitalsError(errors)
    return clean


def _validate_temperature(value, errors: dict) -> float | None:
    if value is None:
        return None
    label = LABELS["temperature"]
    low, high = TEMPERATURE_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        errors["temperature"] = _("%(field)s must be a number.") % {"field": label}
    elif not low <= value <= high:
        errors["temperature"] = _range_error(label, low, high)
    elif Decimal(str(value)) != Decimal(str(value)).quantize(Decimal("0.1")):
        errors["temperature"] = _("%(field)s takes one decimal at most.") % {
            "field": label
        }
    else:
        return round(float(value), 1)
    return None


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
    hidden = flags.get("hidden", [])
    if not isinstance(hidden, list) or not all(
        isinstance(name, str) and name in PARAMETERS for name in hidden
    ):
        errors["hidden"] = _("Hidden parameters must be a list of: %(choices)s.") % {
            "choices": ", ".join(PARAMETERS)
        }
    else:
        # In PARAMETERS order, once each: equal sets store equal lists.
        clean["hidden"] = [name for name in PARAMETERS if name in hidden]
    return clean


def validate_transition(seconds) -> int:
    """A trend's duration in whole seconds, 0 (instant) to 15 minutes."""
    if seconds is None:
        return 0
    if not _is_int(seconds) or not 0 <= seconds <= MAX_TRANSITION_SECONDS:
        raise VitalsError(
            {
                "transition_seconds": _(
                    "The transition must be a whole number of seconds from 0 to %(max)d"
                    " (15 minutes)."
                )
                % {"max": MAX_TRANSITION_SECONDS}
            }
        )
    return seconds


def validate_limits(limits, current: dict | None = None) -> dict:
    """Merge `limits` ({field: [low, high]}) over `current`; every given pair must make sense."""
    if not isinstance(limits, dict):
        raise VitalsError({"limits": _("Alarm limits must be an object.")})
    clean = {**default_alarm_limits(), **(current or {})}
    errors = {}
    for field, pair in limits.items():
        if field not in DEFAULT_ALARM_LIMITS:
            errors[f"limits.{field}"] = _("“%(field)s” has no alarm limits.") % {
                "field": field
            }
            continue
        label = LABELS[field]
        low, high = RANGES[field]
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(map(_is_int, pair))
        ):
            errors[f"limits.{field}"] = _(
                "%(field)s limits must be two whole numbers, low and high."
            ) % {"field": label}
        elif not (low <= pair[0] <= high and low <= pair[1] <= high):
            errors[f"limits.{field}"] = _(
                "%(field)s limits must be between %(low)d and %(high)d."
            ) % {
                "field": label,
                "low": low,
                "high": high,
            }
        elif pair[0] >= pair[1]:
            errors[f"limits.{field}"] = _(
                "%(field)s: the low limit must be below the high limit."
            ) % {"field": label}
        else:
            clean[field] = list(pair)
    if errors:
        raise VitalsError(errors)
    return clean


def validate_nibp_interval(minutes) -> int:
    message = _("The NIBP interval must be one of: %(choices)s minutes.")
    return _one_of(minutes, NIBP_INTERVALS, "nibp_interval", message)


def validate_extension(minutes) -> int:
    message = _("A session is extended by %(choices)s minutes.")
    return _one_of(minutes, SESSION_EXTENSIONS, "minutes", message)


def _one_of(value, choices: tuple[int, ...], field: str, message: str) -> int:
    if not _is_int(value) or value not in choices:
        # "15, 30 or 60", with the page's word for "or".
        listed = get_text_list([str(choice) for choice in choices], _("or"))
        raise VitalsError({field: message % {"choices": listed}})
    return value


def mean_arterial_pressure(systolic: int, diastolic: int) -> int:
    return round((systolic + 2 * diastolic) / 3)


def is_pulseless(values: dict | None) -> bool:
    """No cardiac output: no pleth, no SpO2 reading, and the cuff finds no pulse."""
    flags = (values or {}).get("flags") or {}
    return flags.get("rhythm") in PULSELESS_RHYTHMS or bool(flags.get("no_pulse"))


# Rates that contradict a rhythm's name (sinus tachycardia is above 100/min, bradycardia below
# 60, VT at 100 and above: the usual adult definitions). Warned about, never refused: a trainer
# may mean it.
RHYTHM_RATES = {
    "sinus_tachycardia": (101, None),
    "sinus_bradycardia": (None, 59),
    "ventricular_tachycardia": (100, None),
}


def warnings(values: dict) -> list[str]:
    """Sentences, in the page's language, about clean values that contradict each other."""
    flags = values["flags"]
    rhythm, rate = flags["rhythm"], values["heart_rate"]
    name = {"rhythm": RHYTHMS[rhythm], "rate": rate}
    found = []
    if rhythm == "asystole" and rate > 0:
        found.append(
            _("Asystole at %(rate)s/min: the monitor counts no beats and shows 0.")
            % name
        )
    elif rhythm not in PULSELESS_RHYTHMS and rate == 0:
        found.append(
            _(
                "%(rhythm)s at 0/min: the ECG is a flat line. Choose asystole if that is meant."
            )
            % name
        )
    else:
        low, high = RHYTHM_RATES.get(rhythm, (None, None))
        if (low is not None and rate < low) or (high is not None and rate > high):
            found.append(
                _("%(rhythm)s at %(rate)s/min is unusual for this rhythm.") % name
            )
    if is_pulseless(values) and (values["systolic"] or values["spo2"]):
        found.append(
            _(
                "Without a pulse the monitors show no SpO2 and the cuff finds no blood pressure,"
                " whatever those fields say."
            )
        )
    return found


def _flags(rhythm: str, alarm: bool = False) -> dict:
    return {**DEFAULT_VALUES["flags"], "rhythm": rhythm, "alarm": alarm}


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
            "respiratory_rate": 24,
            "etco2": 30,
            "temperature": 38.4,
            "flags": _flags("sinus_tachycardia"),
        },
    ),
    "tachycardia": (
        gettext_lazy("Tachycardia"),
        {
            "systolic": 135,
            "diastolic": 85,
            "heart_rate": 150,
            "spo2": 96,
            "respiratory_rate": 20,
            "etco2": 35,
            "temperature": 37.2,
            "flags": _flags("sinus_tachycardia"),
        },
    ),
    "hypoxia": (
        gettext_lazy("Hypoxia"),
        {
            "systolic": 140,
            "diastolic": 88,
            "heart_rate": 112,
            "spo2": 84,
            "respiratory_rate": 30,
            "etco2": 48,
            "temperature": 37.0,
            "flags": _flags("sinus_tachycardia"),
        },
    ),
    "arrest": (
        gettext_lazy("Cardiac arrest"),
        {
            "systolic": 0,
            "diastolic": 0,
            "heart_rate": 0,
            "spo2": 0,
            "respiratory_rate": 0,
            "etco2": 0,
            "temperature": 36.0,
            "flags": _flags("ventricular_fibrillation", alarm=True),
        },
    ),
}
