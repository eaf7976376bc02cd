"""The defibrillator's, the pacer's and CPR's rules (simulator/treatment.py), asserted against the
vectors static/sessions_app/tests/treatment.test.mjs asserts for the screens."""

import json
from pathlib import Path

import pytest

from simulator import treatment

VECTORS = json.loads(
    (Path(__file__).resolve().parent.parent / "contract" / "treatment.json").read_text()
)
FUNCTIONS = {
    "charge_seconds": treatment.charge_seconds,
    "shockable": treatment.shockable,
    "has_r_waves": treatment.has_r_waves,
    "captured": treatment.captured,
    "treated_values": treatment.treated_values,
}


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in VECTORS["cases"]])
def test_the_rules_give_the_vectors_results(case):
    assert FUNCTIONS[case["function"]](**case["input"]) == case["expected"]


def test_the_constants_are_the_vectors():
    constants = VECTORS["constants"]
    assert list(treatment.ENERGY_CHOICES) == constants["energy_choices"]
    assert treatment.CPR_ETCO2 == constants["cpr_etco2"]
    for name in ("default_joules", "aed_joules", "min_joules", "max_joules", "charge_hold_seconds",
                 "analysis_seconds", "compression_rate", "cpr_cycle_seconds", "cpr_ventilation_rate"):  # fmt: skip
        assert getattr(treatment, name.upper()) == constants[name], name


def test_the_energies_are_within_the_range_and_include_the_defaults():
    assert treatment.MIN_JOULES <= min(treatment.ENERGY_CHOICES)
    assert max(treatment.ENERGY_CHOICES) == treatment.MAX_JOULES
    assert {treatment.DEFAULT_JOULES, treatment.AED_JOULES} <= set(treatment.ENERGY_CHOICES)


def test_a_higher_energy_never_charges_faster():
    times = [treatment.charge_seconds(j) for j in range(treatment.MIN_JOULES, treatment.MAX_JOULES + 1)]
    assert times == sorted(times)
    assert times[-1] <= 10  # LIFEPAK 15 and ZOLL R Series: under 10 s to 360 J


def test_the_values_given_are_not_changed():
    values = {"heart_rate": 38, "etco2": 30, "respiratory_rate": 0, "flags": {"rhythm": "asystole"}}
    before = json.dumps(values)
    treatment.treated_values(values, {"cpr": {"since": "x"}, "pacer": None}, {})
    assert json.dumps(values) == before
