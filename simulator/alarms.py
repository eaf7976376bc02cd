"""The alarm rules, whatever shows them: which alarm conditions the values a monitor shows
raise, and which of them sound while a silence is in force. The debrief's alarm periods and
services.silence_alarms use them here, static/sessions_app/alarms.js on the screens; both are
held to simulator/contract/alarms.json and silence.json.

Priorities as IEC 60601-1-8 names them (high, medium, low), colours as bedside monitors'
manuals give them (e.g. Comen's, chapter 7.4: high red, medium yellow, low cyan and steady;
Philips shows its technical "INOP" messages in cyan too):
- red (high): the trainer's alarm flag, a lethal rhythm on a connected ECG, apnoea (a
  respiratory rate of 0 on a connected sensor), SpO2 below the red line;
- yellow (medium): a shown value outside the session's limits;
- cyan (technical, below both): ECG leads off, SpO2 probe off, SpO2 finds no pulse, the cuff
  found no pulse, the arterial line finds no pulse.
One condition per parameter: its most urgent (apnoea, not also "RR low").
"""

import datetime

from simulator import vitals

RED, YELLOW, CYAN = "red", "yellow", "cyan"
# Most urgent first.
PRIORITY = (RED, YELLOW, CYAN)


def shown_values(values: dict | None) -> dict | None:
    """The numbers a monitor shows for `values` (blood pressure already the cuff's reading):
    None where a tile shows nothing ("---", or blank for a disconnected sensor).

    Without a pulse there is no SpO2; in VF a monitor counts no rate, in asystole it counts 0.
    """
    if values is None:
        return None
    flags = values.get("flags") or {}
    hidden = set(flags.get("hidden") or [])
    shown = {
        field: None
        if vitals.PARAMETER_OF.get(field, field) in hidden
        else values.get(field)
        for field in vitals.NUMBER_FIELDS
    }
    if flags.get("spo2_probe_off") or vitals.is_pulseless(values):
        shown["spo2"] = None
    if vitals.is_pulseless(values):
        shown["abp_systolic"] = shown["abp_diastolic"] = None
    if shown["heart_rate"] is not None:
        if flags.get("ecg_leads_off") or flags.get("rhythm") in vitals.NO_RATE_RHYTHMS:
            shown["heart_rate"] = None
        elif flags.get("rhythm") in vitals.ZERO_RATE_RHYTHMS:
            shown["heart_rate"] = 0
    return shown


def abp_connected(values: dict) -> bool:
    """An arterial line is connected when it has pressures and is not disconnected."""
    flags = values.get("flags") or {}
    return values.get("abp_systolic") is not None and "abp" not in (flags.get("hidden") or [])


def conditions(
    values: dict | None, limits: dict, nibp_failed: bool = False
) -> list[dict]:
    """The alarm conditions ({"id", "level"}) the values a monitor shows raise, most urgent
    first. `values` carry the cuff's reading as their blood pressure; `nibp_failed` when that
    reading found no pulse."""
    shown = shown_values(values)
    if shown is None:
        return []
    flags = values.get("flags") or {}
    hidden = set(flags.get("hidden") or [])
    red, yellow = _physiological(shown, flags, hidden, limits)
    spo2_on = "spo2" not in hidden and not flags.get("spo2_probe_off")
    technical = [
        condition
        for condition, raised in (
            (
                "ecg_leads_off",
                "heart_rate" not in hidden and flags.get("ecg_leads_off"),
            ),
            ("spo2_probe_off", "spo2" not in hidden and flags.get("spo2_probe_off")),
            ("spo2_no_pulse", spo2_on and vitals.is_pulseless(values)),
            ("abp_no_pulse", abp_connected(values) and vitals.is_pulseless(values)),
            ("nibp_failed", "nibp" not in hidden and nibp_failed),
        )
        if raised
    ]
    return [
        {"id": condition, "level": level}
        for level, found in ((RED, red), (YELLOW, yellow), (CYAN, technical))
        for condition in found
    ]


def _physiological(shown: dict, flags: dict, hidden: set, limits: dict):
    """The red and the yellow conditions' ids, from the numbers shown (shown_values)."""
    ecg_on = "heart_rate" not in hidden and not flags.get("ecg_leads_off")
    red, alarming = [], set()
    if flags.get("alarm"):
        red.append("general")
    if ecg_on and flags.get("rhythm") in vitals.RED_RHYTHMS:
        red.append(f"rhythm.{flags['rhythm']}")
        alarming.add("heart_rate")
    if shown["respiratory_rate"] == 0:
        red.append("apnoea")
        alarming.add("respiratory_rate")
    if shown["spo2"] is not None and shown["spo2"] < vitals.RED_SPO2_BELOW:
        red.append("desaturation")
        alarming.add("spo2")
    yellow = []
    for name in vitals.DEFAULT_ALARM_LIMITS:
        value = shown[name]
        if value is None or name in alarming or name not in limits:
            continue
        low, high = limits[name]
        if low <= value <= high:
            continue
        yellow.append(f"{name}.{'low' if value < low else 'high'}")
    return red, yellow


def alarm_level(values: dict | None, limits: dict, shown: dict | None = None) -> str | None:
    """RED or YELLOW, the most urgent physiological condition, or None (the debrief's periods):
    as conditions, without the technical ones it has no use for (a long session asks
    thousands of times). `shown`: shown_values(values), when the caller has it already."""
    shown = shown_values(values) if shown is None else shown
    if shown is None:
        return None
    flags = values.get("flags") or {}
    red, yellow = _physiological(shown, flags, set(flags.get("hidden") or []), limits)
    return RED if red else YELLOW if yellow else None


def sounding(
    active: list[dict], silence: dict | None, now: datetime.datetime
) -> list[dict]:
    """The active conditions whose tone sounds at `now`.

    A silence ({"until", "acknowledged": conditions}) mutes, until its end, the conditions it
    acknowledged; a condition it did not acknowledge, or one now of a higher priority than when
    it was, sounds at once (IEC 60601-1-8: acknowledging stops the sound of the conditions
    present, not of those that follow). The visual signals never stop.
    """
    if silence is None or now >= silence["until"]:
        return active
    acknowledged = {
        condition["id"]: condition["level"] for condition in silence["acknowledged"]
    }
    return [
        condition
        for condition in active
        if condition["id"] not in acknowledged
        or PRIORITY.index(condition["level"])
        < PRIORITY.index(acknowledged[condition["id"]])
    ]


def tone(sounding_conditions: list[dict]) -> str | None:
    """The priority whose tone plays: the most urgent of the conditions sounding."""
    levels = {condition["level"] for condition in sounding_conditions}
    return next((level for level in PRIORITY if level in levels), None)


def still_acknowledged(silence: dict | None, active: list[dict]) -> dict | None:
    """The silence, keeping only the acknowledgements of conditions still active: a condition
    that ends and comes back is a new alarm condition and sounds at once (IEC 60601-1-8)."""
    if silence is None:
        return None
    active_ids = {condition["id"] for condition in active}
    kept = [condition for condition in silence["acknowledged"] if condition["id"] in active_ids]
    return {**silence, "acknowledged": kept}
