"""Issue 15's values: the heart engine's rhythm catalogue as the server reads it, the new flags,
the invasive lines and the patient profiles, all through vitals.validate()."""

import datetime
import json
from pathlib import Path

import pytest

from simulator import alarms, trends, vitals

CATALOGUE = json.loads(
    (Path(__file__).resolve().parent.parent / "contract" / "rhythms.json").read_text()
)


def values(**changes) -> dict:
    flags = changes.pop("flags", {})
    return {**vitals.DEFAULT_VALUES, **changes, "flags": {**vitals.DEFAULT_VALUES["flags"], **flags}}


def refusal(candidate) -> dict:
    with pytest.raises(vitals.VitalsError) as raised:
        vitals.validate(candidate)
    return raised.value.errors


def test_the_translated_labels_are_the_catalogues_ids():
    assert list(vitals.RHYTHM_LABELS) == [rhythm["id"] for rhythm in CATALOGUE["rhythms"]]
    assert list(vitals.RHYTHMS) == list(vitals.RHYTHM_LABELS)


def test_every_rhythm_has_its_own_label():
    labels = [str(label) for label in vitals.RHYTHMS.values()]
    assert len(set(labels)) == len(labels) and all(labels)


def test_red_and_pulseless_rhythms_come_from_the_catalogue():
    assert set(vitals.RED_RHYTHMS) == {r["id"] for r in CATALOGUE["rhythms"] if r["lethal"]}
    assert set(vitals.PULSELESS_RHYTHMS) == {r["id"] for r in CATALOGUE["rhythms"] if not r["pulse"]}
    # The seven rhythms of old sessions and shipped templates still validate.
    for old in ("sinus", "sinus_tachycardia", "sinus_bradycardia", "atrial_fibrillation",
                "ventricular_tachycardia", "ventricular_fibrillation", "asystole"):  # fmt: skip
        assert vitals.validate(values(flags={"rhythm": old}))["flags"]["rhythm"] == old


def test_the_rhythms_are_grouped_in_the_catalogues_order():
    groups = vitals.grouped_rhythms()
    assert [str(label) for label, _ in groups] == [str(vitals.RHYTHM_GROUPS[g]) for g in CATALOGUE["groups"]]
    assert sum(len(choices) for _, choices in groups) == len(CATALOGUE["rhythms"]) == 43


def test_the_new_flags_default_as_the_monitor_expects():
    flags = vitals.validate({"systolic": 120, "diastolic": 80, "heart_rate": 75, "spo2": 98})["flags"]
    assert flags["ectopy_every"] is None
    assert flags["ecg_lead2"] == "V5"
    assert flags["abp_damping"] == "normal"
    assert flags["pulsus_paradoxus"] is False
    assert flags["artefacts"] == []


def test_ectopy_is_set_for_the_rhythms_with_ectopic_beats():
    clean = vitals.validate(values(flags={"rhythm": "pvc_unifocal", "ectopy_every": 3}))
    assert clean["flags"]["ectopy_every"] == 3


@pytest.mark.parametrize(
    "flags, field, message",
    [
        ({"rhythm": "sinus", "ectopy_every": 4}, "ectopy_every",
         "Sinus rhythm has no ectopic beats to space out: leave “every N beats” empty."),
        ({"rhythm": "pvc_unifocal", "ectopy_every": 1}, "ectopy_every",
         "An ectopic beat comes every 2 to 20 beats."),
        ({"rhythm": "pvc_unifocal", "ectopy_every": 21}, "ectopy_every",
         "An ectopic beat comes every 2 to 20 beats."),
        ({"rhythm": "pvc_unifocal", "ectopy_every": True}, "ectopy_every",
         "An ectopic beat comes every 2 to 20 beats."),
        ({"ecg_lead2": "V7"}, "ecg_lead2",
         "The second ECG lead must be one of: I, II, III, aVR, aVL, aVF, V1, V2, V3, V4, V5, V6."),
        ({"abp_damping": "soft"}, "abp_damping",
         "The arterial line's damping must be one of: normal, over, under."),
        ({"pulsus_paradoxus": "yes"}, "pulsus_paradoxus", "Pulsus paradoxus must be true or false."),
        ({"artefacts": ["snow"]}, "artefacts",
         "Artefacts must be a list of: movement, mains, low_perfusion."),
    ],
)  # fmt: skip
def test_each_bad_new_flag_is_refused_with_its_message(flags, field, message):
    assert refusal(values(flags=flags)) == {field: message}


def test_artefacts_and_sensors_are_stored_in_their_order_once_each():
    clean = vitals.validate(
        values(flags={"artefacts": ["mains", "movement", "mains"], "hidden": ["cvp", "abp"]})
    )
    assert clean["flags"]["artefacts"] == ["movement", "mains"]
    assert clean["flags"]["hidden"] == ["abp", "cvp"]


def test_an_arterial_line_and_a_cvp_are_stored():
    clean = vitals.validate(values(abp_systolic=118, abp_diastolic=64, cvp=-2))
    assert (clean["abp_systolic"], clean["abp_diastolic"], clean["cvp"]) == (118, 64, -2)
    assert vitals.validate(values(abp_systolic=0, abp_diastolic=0))["abp_systolic"] == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"abp_systolic": 301, "abp_diastolic": 80}, "abp_systolic",
         "ABP systolic must be between 0 and 300."),
        ({"abp_systolic": 100, "abp_diastolic": 100}, "abp_diastolic",
         "ABP diastolic must be lower than ABP systolic."),
        ({"abp_systolic": 100}, "abp_diastolic",
         "An arterial line needs both its systolic and its diastolic, or neither."),
        ({"abp_diastolic": 60}, "abp_systolic",
         "An arterial line needs both its systolic and its diastolic, or neither."),
        ({"cvp": 41}, "cvp", "CVP must be between -5 and 40."),
        ({"cvp": -6}, "cvp", "CVP must be between -5 and 40."),
        ({"cvp": "8"}, "cvp", "CVP must be a whole number."),
    ],
)  # fmt: skip
def test_each_bad_invasive_value_is_refused_with_its_message(changes, field, message):
    assert refusal(values(**changes)) == {field: message}


def test_the_abp_limits_are_checked_like_the_others():
    limits = vitals.validate_limits({"abp_systolic": [80, 140]})
    assert limits["abp_systolic"] == [80, 140] and limits["abp_diastolic"] == [40, 100]
    with pytest.raises(vitals.VitalsError) as raised:
        vitals.validate_limits({"abp_diastolic": [90, 60]})
    assert raised.value.errors == {
        "limits.abp_diastolic": "ABP diastolic: the low limit must be below the high limit."
    }


def test_an_arterial_line_moves_along_a_trend_and_keeps_its_diastolic_below():
    start = vitals.validate(values(abp_systolic=120, abp_diastolic=70, cvp=4))
    target = vitals.validate(values(abp_systolic=0, abp_diastolic=0, cvp=12))
    t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    trend = trends.start(start, 60, t0)
    halfway = trends.values_at(target, trend, t0 + datetime.timedelta(seconds=30))
    assert (halfway["abp_systolic"], halfway["abp_diastolic"], halfway["cvp"]) == (60, 35, 8)
    near_end = trends.values_at(target, trend, t0 + datetime.timedelta(seconds=59.9))
    assert near_end["abp_diastolic"] < near_end["abp_systolic"] or near_end["abp_systolic"] == 0


def test_a_pulseless_patient_with_a_line_raises_abp_no_pulse():
    shown = values(abp_systolic=80, abp_diastolic=40, flags={"no_pulse": True})
    ids = [c["id"] for c in alarms.conditions(shown, vitals.default_alarm_limits())]
    assert "abp_no_pulse" in ids
    assert alarms.shown_values(shown)["abp_systolic"] is None


@pytest.mark.parametrize("profile", list(vitals.PROFILES))
def test_every_profile_has_valid_values_limits_and_presets(profile):
    data = vitals.PROFILES[profile]
    vitals.validate(data["values"])
    assert vitals.validate_limits(data["limits"]) == vitals.profile_alarm_limits(profile)
    assert set(data["limits"]) == set(vitals.DEFAULT_ALARM_LIMITS)
    for label, preset in data["presets"].values():
        assert vitals.validate(preset), label
        # Each profile's normal values raise no alarm with its own limits.
    assert alarms.conditions(data["values"], data["limits"]) == []


def test_a_neonate_is_not_an_adult():
    neonate, adult = vitals.PROFILES["neonate"], vitals.PROFILES["adult"]
    assert neonate["values"]["heart_rate"] > adult["values"]["heart_rate"]
    assert neonate["limits"]["heart_rate"][0] >= 100
    assert neonate["values"]["systolic"] < adult["values"]["systolic"]


def test_an_unknown_profile_is_refused():
    with pytest.raises(vitals.VitalsError) as raised:
        vitals.validate_profile("elderly")
    assert raised.value.errors == {
        "profile": "The patient must be one of: adult, child, infant, neonate."
    }
