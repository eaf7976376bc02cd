"""Vitals changes whose values say which change they are.

A screen matches each message to the change that caused it by its values alone, so arrivals
need no event id (a broadcast may reach a screen before the trainer has its ack) and the floor
server, which knows nothing of events, is measured the same way.
"""

HEART_RATES = 300  # heart_rate 0..299
SPO2_VALUES = 100  # spo2 0..99
SYSTOLIC_BASE = 150  # systolic 150..299, always above the fixed diastolic
SYSTOLIC_VALUES = 150
DIASTOLIC = 80
MAX_CHANGES = HEART_RATES * SPO2_VALUES * SYSTOLIC_VALUES
FLAGS = {"rhythm": "sinus", "alarm": False, "spo2_probe_off": False}
# Shiller broadcasts "vitals"; the floor server relays the trainer's "set_vitals" as it is.
CHANGE_TYPES = frozenset({"vitals", "set_vitals"})


def values_for(seq: int) -> dict:
    """The valid vitals of change number `seq` (0 <= seq < MAX_CHANGES)."""
    if not 0 <= seq < MAX_CHANGES:
        raise ValueError(f"change {seq} out of range 0..{MAX_CHANGES - 1}")
    spo2, heart_rate = divmod(seq, HEART_RATES)
    systolic, spo2 = divmod(spo2, SPO2_VALUES)
    return {
        "systolic": SYSTOLIC_BASE + systolic,
        "diastolic": DIASTOLIC,
        "heart_rate": heart_rate,
        "spo2": spo2,
        "flags": FLAGS,
    }


def seq_of(values: dict) -> int:
    """The change number that `values_for` encoded in `values`."""
    return (
        values["heart_rate"]
        + HEART_RATES * values["spo2"]
        + HEART_RATES * SPO2_VALUES * (values["systolic"] - SYSTOLIC_BASE)
    )


def set_vitals_message(seq: int) -> dict:
    """The control-socket request for change `seq`; its request_id is the change number."""
    return {"type": "set_vitals", "values": values_for(seq), "request_id": seq}
