"""What a change may contain: vitals, trends, alarm limits and the cuff's interval.

`validate()` is the one gate for a change of values, whether it comes from the control form,
the control socket or a command; the other validators gate the session's monitor settings.
The limits and alarm rules are sent to the monitor page, so the browser and the server agree
on what alarms.
"""

import json
from decimal import Decimal
from pathlib import Path

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
    # Invasive lines (issue 15): an arterial line's systolic and diastolic, the CVP's mean.
    "abp_systolic": (0, 300),
    "abp_diastolic": (0, 300),
    "cvp": (-5, 40),
}
# The invasive lines' numbers: None when the patient has no such line.
INVASIVE_FIELDS = ("abp_systolic", "abp_diastolic", "cvp")
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
    "abp_systolic": gettext_lazy("ABP systolic"),
    "abp_diastolic": gettext_lazy("ABP diastolic"),
    "cvp": gettext_lazy("CVP"),
    "rhythm": gettext_lazy("Rhythm"),
    "alarm": gettext_lazy("Alarm"),
    "spo2_probe_off": gettext_lazy("SpO2 probe off"),
    "ecg_leads_off": gettext_lazy("ECG leads off"),
    "no_pulse": gettext_lazy("No pulse"),
    "ectopy_every": gettext_lazy("Ectopic beat every"),
    "ecg_lead2": gettext_lazy("Second ECG lead"),
    "abp_damping": gettext_lazy("Arterial line damping"),
    "pulsus_paradoxus": gettext_lazy("Pulsus paradoxus"),
    "artefacts": gettext_lazy("Artefacts"),
}

# The heart engine's catalogue (static/sessions_app/heart/rhythms.js), read once: its ids, groups,
# red alarms (`lethal`), pulse by default and ectopy default.
RHYTHM_CATALOGUE = json.loads(
    (Path(__file__).resolve().parent / "contract" / "rhythms.json").read_text()
)
RHYTHM_INFO = {rhythm["id"]: rhythm for rhythm in RHYTHM_CATALOGUE["rhythms"]}
# The labels as literal gettext_lazy calls, so makemessages finds them; a test holds the keys
# to the JSON's ids.
RHYTHM_LABELS = {
    "sinus": gettext_lazy("Sinus rhythm"),
    "sinus_bradycardia": gettext_lazy("Sinus bradycardia"),
    "sinus_tachycardia": gettext_lazy("Sinus tachycardia"),
    "sinus_arrhythmia": gettext_lazy("Sinus arrhythmia"),
    "pac": gettext_lazy("Premature atrial contractions"),
    "svt": gettext_lazy("Supraventricular tachycardia"),
    "atrial_flutter_2_1": gettext_lazy("Atrial flutter 2:1"),
    "atrial_flutter_4_1": gettext_lazy("Atrial flutter 4:1"),
    "atrial_flutter_variable": gettext_lazy("Atrial flutter, variable block"),
    "atrial_fibrillation": gettext_lazy("Atrial fibrillation"),
    "junctional": gettext_lazy("Junctional rhythm"),
    "av_block_1": gettext_lazy("First-degree AV block"),
    "av_block_2_mobitz_1": gettext_lazy("Second-degree AV block, Mobitz I (Wenckebach)"),
    "av_block_2_mobitz_2": gettext_lazy("Second-degree AV block, Mobitz II"),
    "av_block_2_to_1": gettext_lazy("2:1 AV block"),
    "av_block_3": gettext_lazy("Complete heart block"),
    "pvc_unifocal": gettext_lazy("Unifocal PVCs"),
    "pvc_multifocal": gettext_lazy("Multifocal PVCs"),
    "ventricular_bigeminy": gettext_lazy("Ventricular bigeminy"),
    "ventricular_trigeminy": gettext_lazy("Ventricular trigeminy"),
    "pvc_couplets": gettext_lazy("PVC couplets"),
    "idioventricular": gettext_lazy("Idioventricular rhythm"),
    "accelerated_idioventricular": gettext_lazy("Accelerated idioventricular rhythm"),
    "ventricular_tachycardia": gettext_lazy("Ventricular tachycardia"),
    "torsades_de_pointes": gettext_lazy("Torsades de pointes"),
    "ventricular_fibrillation": gettext_lazy("Ventricular fibrillation"),
    "ventricular_fibrillation_fine": gettext_lazy("Fine ventricular fibrillation"),
    "asystole": gettext_lazy("Asystole"),
    "ventricular_standstill": gettext_lazy("Ventricular standstill (P waves only)"),
    "agonal": gettext_lazy("Agonal rhythm"),
    "paced_atrial": gettext_lazy("Atrial paced"),
    "paced_ventricular": gettext_lazy("Ventricular paced"),
    "paced_av_sequential": gettext_lazy("AV sequential paced"),
    "pacing_failure_to_capture": gettext_lazy("Pacing: failure to capture"),
    "pacing_failure_to_sense": gettext_lazy("Pacing: failure to sense"),
    "stemi_anterior": gettext_lazy("Anterior STEMI"),
    "stemi_inferior": gettext_lazy("Inferior STEMI"),
    "st_depression": gettext_lazy("ST depression"),
    "hyperkalaemia": gettext_lazy("Hyperkalaemia (peaked T waves)"),
    "long_qt": gettext_lazy("Long QT"),
    "wpw": gettext_lazy("Wolff-Parkinson-White"),
    "lbbb": gettext_lazy("Left bundle branch block"),
    "rbbb": gettext_lazy("Right bundle branch block"),
}
# In the catalogue's order.
RHYTHMS = {rhythm_id: RHYTHM_LABELS[rhythm_id] for rhythm_id in RHYTHM_INFO}
RHYTHM_GROUPS = {
    "sinus": gettext_lazy("Sinus"),
    "atrial": gettext_lazy("Atrial"),
    "junctional": gettext_lazy("Junctional"),
    "blocks": gettext_lazy("AV blocks"),
    "ventricular": gettext_lazy("Ventricular"),
    "paced": gettext_lazy("Paced"),
    "st_t": gettext_lazy("ST / T changes and conduction"),
    "arrest": gettext_lazy("Arrest"),
}


def grouped_rhythms() -> list[tuple[str, list[tuple[str, str]]]]:
    """The rhythm choices grouped as a select's optgroups, in the catalogue's group order."""
    return [
        (
            RHYTHM_GROUPS[group],
            [(rid, RHYTHMS[rid]) for rid, info in RHYTHM_INFO.items() if info["group"] == group],
        )
        for group in RHYTHM_CATALOGUE["groups"]
    ]


# Rhythms where the trainer sets how often the ectopic beat comes (a PVC every N beats).
ECTOPY_RHYTHMS = tuple(rid for rid, info in RHYTHM_INFO.items() if info["ectopy_every"])
ECTOPY_RANGE = (2, 20)
# The second lead the monitor draws under lead II.
ECG_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
DEFAULT_ECG_LEAD2 = "V5"
ABP_DAMPING = {
    "normal": gettext_lazy("Normal"),
    "over": gettext_lazy("Overdamped"),
    "under": gettext_lazy("Underdamped"),
}
ARTEFACTS = {
    "movement": gettext_lazy("Patient movement"),
    "mains": gettext_lazy("Mains interference"),
    "low_perfusion": gettext_lazy("Low perfusion (pleth)"),
}
# ecg_leads_off and spo2_probe_off are sensor faults (technical alarms); no_pulse makes any
# organised rhythm pulseless (PEA, pulseless VT).
BOOLEAN_FLAGS = ("alarm", "spo2_probe_off", "ecg_leads_off", "no_pulse", "pulsus_paradoxus")
FLAG_KEYS = (
    "rhythm", *BOOLEAN_FLAGS, "hidden", "ectopy_every", "ecg_lead2", "abp_damping", "artefacts"
)

# What the trainer can disconnect: the tile (and its waveform) then shows nothing, not zero.
PARAMETERS = {
    "heart_rate": gettext_lazy("ECG / heart rate"),
    "spo2": gettext_lazy("SpO2 / pleth"),
    "nibp": gettext_lazy("NIBP"),
    "respiratory_rate": gettext_lazy("Respiration"),
    "etco2": gettext_lazy("EtCO2 / capnography"),
    "temperature": gettext_lazy("Temperature"),
    "abp": gettext_lazy("Arterial line (ABP)"),
    "cvp": gettext_lazy("CVP"),
}

# Numbers are disconnected with their tile: both pressures with the cuff, or with the line.
PARAMETER_OF = {
    "systolic": "nibp",
    "diastolic": "nibp",
    "abp_systolic": "abp",
    "abp_diastolic": "abp",
}

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
    "abp_systolic": [90, 160],
    "abp_diastolic": [40, 100],
}
# Red, life-threatening alarms, whatever the limits: the catalogue's lethal rhythms.
RED_RHYTHMS = tuple(rid for rid, info in RHYTHM_INFO.items() if info["lethal"])
RED_SPO2_BELOW = 85
# "Silence" acknowledges the alarm conditions sounding now for this long. IEC 60601-1-8 names
# the states (audio paused, acknowledged) and leaves their length to the maker; 2 minutes is
# bedside monitors' usual default.
SILENCE_SECONDS = 120
# Rhythms without a cardiac output: no pulse, whatever the no_pulse flag says.
PULSELESS_RHYTHMS = tuple(rid for rid, info in RHYTHM_INFO.items() if not info["pulse"])
# A monitor counts no rate in fibrillation, and 0 when no QRS comes.
NO_RATE_RHYTHMS = ("ventricular_fibrillation", "ventricular_fibrillation_fine")
ZERO_RATE_RHYTHMS = ("asystole", "ventricular_standstill")

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
    "abp_systolic": None,
    "abp_diastolic": None,
    "cvp": None,
    "flags": {
        "rhythm": "sinus",
        "alarm": False,
        "spo2_probe_off": False,
        "ecg_leads_off": False,
        "no_pulse": False,
        "pulsus_paradoxus": False,
        "hidden": [],
        "ectopy_every": None,
        "ecg_lead2": DEFAULT_ECG_LEAD2,
        "abp_damping": "normal",
        "artefacts": [],
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
    _validate_arterial_line(values, clean, errors)
    for field in set(values) - {*NUMBER_FIELDS, "flags"}:
        errors[str(field)] = _("“%(field)s” is not a vital sign.") % {"field": field}
    clean["flags"] = _validate_flags(values.get("flags", {}), errors)
    if errors:
        raise VitalsError(errors)
    return clean


def _validate_arterial_line(values: dict, clean: dict, errors: dict) -> None:
    """An arterial line has both pressures or neither; diastolic below systolic unless 0/0."""
    if "abp_systolic" in errors or "abp_diastolic" in errors:
        return
    systolic, diastolic = clean.get("abp_systolic"), clean.get("abp_diastolic")
    if (systolic is None) != (diastolic is None):
        errors["abp_diastolic" if diastolic is None else "abp_systolic"] = _(
            "An arterial line needs both its systolic and its diastolic, or neither."
        )
    elif systolic is not None and not (systolic == diastolic == 0) and diastolic >= systolic:
        errors["abp_diastolic"] = _("ABP diastolic must be lower than ABP systolic.")


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
    clean["ectopy_every"] = _validate_ectopy(flags.get("ectopy_every"), clean["rhythm"], errors)
    lead = flags.get("ecg_lead2", DEFAULT_ECG_LEAD2)
    if not isinstance(lead, str) or lead not in ECG_LEADS:
        errors["ecg_lead2"] = _("The second ECG lead must be one of: %(choices)s.") % {
            "choices": ", ".join(ECG_LEADS)
        }
    clean["ecg_lead2"] = lead
    damping = flags.get("abp_damping", "normal")
    if not isinstance(damping, str) or damping not in ABP_DAMPING:
        errors["abp_damping"] = _("The arterial line's damping must be one of: %(choices)s.") % {
            "choices": ", ".join(ABP_DAMPING)
        }
    clean["abp_damping"] = damping
    artefacts = flags.get("artefacts", [])
    if not isinstance(artefacts, list) or not all(
        isinstance(name, str) and name in ARTEFACTS for name in artefacts
    ):
        errors["artefacts"] = _("Artefacts must be a list of: %(choices)s.") % {
            "choices": ", ".join(ARTEFACTS)
        }
    else:
        clean["artefacts"] = [name for name in ARTEFACTS if name in artefacts]
    return clean


def _validate_ectopy(every, rhythm, errors: dict) -> int | None:
    """A PVC (or PAC) every N beats, only for the rhythms that have ectopic beats."""
    if every is None:
        return None
    low, high = ECTOPY_RANGE
    if not _is_int(every) or not low <= every <= high:
        errors["ectopy_every"] = _(
            "An ectopic beat comes every %(low)d to %(high)d beats."
        ) % {"low": low, "high": high}
    elif rhythm in RHYTHMS and rhythm not in ECTOPY_RHYTHMS:
        errors["ectopy_every"] = _(
            "%(rhythm)s has no ectopic beats to space out: leave “every N beats” empty."
        ) % {"rhythm": RHYTHMS[rhythm]}
    return every


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
    if is_pulseless(values) and (values["systolic"] or values["spo2"] or values.get("abp_systolic")):
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


def _preset(base: dict, rhythm: str = "sinus", alarm: bool = False, **numbers) -> dict:
    return {**base, **numbers, "flags": _flags(rhythm, alarm)}


def _arrest(base: dict, rhythm: str) -> dict:
    return _preset(
        base, rhythm, alarm=True, systolic=0, diastolic=0, heart_rate=0, spo2=0,
        respiratory_rate=0, etco2=0, temperature=36.0,
    )  # fmt: skip


# Patients of every age: default values, alarm limits and presets. The children's values and
# limits follow the PALS normal ranges by age (AHA PALS Provider Manual, 2020: heart rate awake
# newborn-3 months 85-205, 3 months-2 years 100-190, 2-10 years 60-140; respiratory rate infant
# 30-60, school age 18-30; hypotension below 60 systolic in a term neonate, 70 in an infant,
# 70 + 2 × age in a child) and the centiles of Fleming et al., Lancet 2011;377:1011
# (doi:10.1016/S0140-6736(10)62226-X). "Child" is about 6 years old, "infant" about 6 months, a
# "neonate" a term baby a few days old.
_CHILD = {**DEFAULT_VALUES, "systolic": 100, "diastolic": 60, "heart_rate": 100, "spo2": 98,
          "respiratory_rate": 22, "etco2": 38, "temperature": 36.8}  # fmt: skip
_INFANT = {**DEFAULT_VALUES, "systolic": 90, "diastolic": 55, "heart_rate": 130, "spo2": 98,
           "respiratory_rate": 35, "etco2": 38, "temperature": 36.9}  # fmt: skip
_NEONATE = {**DEFAULT_VALUES, "systolic": 70, "diastolic": 45, "heart_rate": 140, "spo2": 97,
            "respiratory_rate": 45, "etco2": 38, "temperature": 37.0}  # fmt: skip

PROFILES = {
    "adult": {
        "label": gettext_lazy("Adult"),
        "values": DEFAULT_VALUES,
        "limits": DEFAULT_ALARM_LIMITS,
        "presets": PRESETS,
    },
    "child": {
        "label": gettext_lazy("Child"),
        "values": _CHILD,
        "limits": {
            "heart_rate": [70, 140], "spo2": [92, 100], "systolic": [80, 130],
            "diastolic": [45, 85], "respiratory_rate": [16, 34], "etco2": [30, 45],
            "abp_systolic": [80, 130], "abp_diastolic": [45, 85],
        },  # fmt: skip
        "presets": {
            "normal": (gettext_lazy("Normal child"), _CHILD),
            "hypotension": (gettext_lazy("Hypotension"), _preset(
                _CHILD, "sinus_tachycardia", systolic=70, diastolic=38, heart_rate=160,
                spo2=95, respiratory_rate=34, etco2=30, temperature=38.9)),
            "tachycardia": (gettext_lazy("SVT"), _preset(
                _CHILD, "svt", systolic=92, diastolic=58, heart_rate=230, spo2=96,
                respiratory_rate=28)),
            "hypoxia": (gettext_lazy("Hypoxia"), _preset(
                _CHILD, "sinus_tachycardia", heart_rate=150, spo2=84, respiratory_rate=40,
                etco2=50)),
            "arrest": (gettext_lazy("Cardiac arrest"), _arrest(_CHILD, "asystole")),
        },  # fmt: skip
    },
    "infant": {
        "label": gettext_lazy("Infant"),
        "values": _INFANT,
        "limits": {
            "heart_rate": [100, 180], "spo2": [92, 100], "systolic": [70, 110],
            "diastolic": [35, 70], "respiratory_rate": [25, 55], "etco2": [30, 45],
            "abp_systolic": [70, 110], "abp_diastolic": [35, 70],
        },  # fmt: skip
        "presets": {
            "normal": (gettext_lazy("Normal infant"), _INFANT),
            "hypotension": (gettext_lazy("Hypotension"), _preset(
                _INFANT, "sinus_tachycardia", systolic=62, diastolic=32, heart_rate=190,
                spo2=95, respiratory_rate=55, etco2=30, temperature=38.8)),
            "bradycardia": (gettext_lazy("Hypoxic bradycardia"), _preset(
                _INFANT, "sinus_bradycardia", systolic=60, diastolic=30, heart_rate=55,
                spo2=70, respiratory_rate=10, etco2=55)),
            "hypoxia": (gettext_lazy("Hypoxia"), _preset(
                _INFANT, "sinus_tachycardia", heart_rate=175, spo2=84, respiratory_rate=65,
                etco2=50)),
            "arrest": (gettext_lazy("Cardiac arrest"), _arrest(_INFANT, "asystole")),
        },  # fmt: skip
    },
    "neonate": {
        "label": gettext_lazy("Neonate"),
        "values": _NEONATE,
        "limits": {
            "heart_rate": [100, 190], "spo2": [90, 100], "systolic": [55, 90],
            "diastolic": [30, 60], "respiratory_rate": [30, 60], "etco2": [30, 45],
            "abp_systolic": [55, 90], "abp_diastolic": [30, 60],
        },  # fmt: skip
        "presets": {
            "normal": (gettext_lazy("Normal neonate"), _NEONATE),
            "hypotension": (gettext_lazy("Hypotension"), _preset(
                _NEONATE, "sinus_tachycardia", systolic=50, diastolic=28, heart_rate=190,
                spo2=94, respiratory_rate=60, etco2=32, temperature=38.2)),
            "bradycardia": (gettext_lazy("Bradycardia"), _preset(
                _NEONATE, "sinus_bradycardia", systolic=50, diastolic=25, heart_rate=70,
                spo2=75, respiratory_rate=15, etco2=55)),
            "hypoxia": (gettext_lazy("Hypoxia"), _preset(
                _NEONATE, "sinus_tachycardia", heart_rate=175, spo2=82, respiratory_rate=70,
                etco2=50)),
            "arrest": (gettext_lazy("Cardiac arrest"), _arrest(_NEONATE, "asystole")),
        },  # fmt: skip
    },
}
DEFAULT_PROFILE = "adult"


def profile_alarm_limits(profile: str) -> dict:
    """A fresh copy of the profile's default alarm limits (adult for an unknown one)."""
    limits = PROFILES.get(profile, PROFILES[DEFAULT_PROFILE])["limits"]
    return {field: list(pair) for field, pair in limits.items()}


def validate_profile(profile) -> str:
    if not isinstance(profile, str) or profile not in PROFILES:
        raise VitalsError(
            {"profile": _("The patient must be one of: %(choices)s.") % {"choices": ", ".join(PROFILES)}}
        )
    return profile
