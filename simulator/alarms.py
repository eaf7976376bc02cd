"""The alarm rule: which level the values a monitor shows raise, whatever shows them (the
debrief's alarm periods here, static/sessions_app/alarms.js on the screens; both are held to
simulator/contract/alarms.json).

Yellow: a shown value outside the session's limits. Red, whatever the limits: a lethal rhythm on
a connected ECG, SpO2 below the red line with the probe on, or the trainer's alarm flag.
"""

from simulator import vitals

RED, YELLOW = "red", "yellow"


def alarm_level(values: dict | None, limits: dict) -> str | None:
    """RED, YELLOW or None for the values a monitor shows, by the rules in docs/protocol.md."""
    if values is None:
        return None
    flags = values.get("flags") or {}
    hidden = set(flags.get("hidden") or [])
    spo2_read = "spo2" not in hidden and not flags.get("spo2_probe_off")
    if (
        flags.get("alarm")
        or ("heart_rate" not in hidden and flags.get("rhythm") in vitals.RED_RHYTHMS)
        or (spo2_read and values.get("spo2") is not None and values["spo2"] < vitals.RED_SPO2_BELOW)
    ):
        return RED
    for name, (low, high) in limits.items():
        value = values.get(name)
        if value is None or vitals.PARAMETER_OF.get(name, name) in hidden:
            continue
        if name == "spo2" and not spo2_read:
            continue  # Without a probe there is no reading to judge.
        if not low <= value <= high:
            return YELLOW
    return None
