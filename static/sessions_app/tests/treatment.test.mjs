// Run with: node --test static/sessions_app/tests/
// The defibrillator's, the pacer's and CPR's rules (treatment.js) against the vectors
// simulator/tests/test_treatment.py asserts for the server; then what the screens draw of them
// (heart-driver.js, artefacts.js): pacing spikes and capture, the CPR artefact, the shock.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as treatment from "../treatment.js";

const vectors = JSON.parse(readFileSync(new URL("../../../simulator/contract/treatment.json", import.meta.url)));

const FUNCTIONS = {
  charge_seconds: ({ joules }) => treatment.chargeSeconds(joules),
  shockable: ({ values }) => treatment.shockable(values),
  has_r_waves: ({ values }) => treatment.hasRWaves(values),
  captured: ({ pacer, capture_threshold_ma }) => treatment.captured(pacer, capture_threshold_ma),
  treated_values: ({ values, treatment: state, defibrillator }) =>
    treatment.treatedValues(values, state, defibrillator),
};

describe("treatment rules", () => {
  for (const { name, function: rule, input, expected } of vectors.cases) {
    test(name, () => assert.deepEqual(FUNCTIONS[rule](input), expected));
  }

  test("the constants are the vectors'", () => {
    const c = vectors.constants;
    assert.deepEqual(treatment.ENERGY_CHOICES, c.energy_choices);
    assert.deepEqual(treatment.CPR_ETCO2, c.cpr_etco2);
    for (const name of [
      "default_joules",
      "aed_joules",
      "min_joules",
      "max_joules",
      "charge_hold_seconds",
      "analysis_seconds",
      "compression_rate",
      "cpr_cycle_seconds",
      "cpr_ventilation_rate",
    ]) {
      assert.equal(treatment[name.toUpperCase()], c[name], name);
    }
  });
});
