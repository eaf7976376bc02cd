// The 12 leads, projected from the one cardiac vector of vector.js.
//
// The eight independent leads (I, II, V1-V6) are the VCG times the Dower matrix (Dower, Machado
// & Osborne, Clin Cardiol 1980), the transform whose inverse Edenbrandt & Pahlm (J Electrocardiol
// 1988) found the best way back from 12 leads to a VCG. Coefficients as printed in Bailón, Laguna
// & Sörnmo, ch. 8 of Clifford, Azuaje & McSharry, "Advanced Methods and Tools for ECG Data
// Analysis" (2006), and in Clifford's idowerT.m. The other four limb leads are derived, so
// Einthoven's law (I + III = II) and aVR + aVL + aVF = 0 hold at every sample by construction.
//
// API (pure):
//   LEADS: ["I", "II", "III", "aVR", "aVL", "aVF", "V1", ..., "V6"]
//   leadsFromVector(v, out = new Float64Array(12)) -> out, in the order of LEADS (mV)
//   leadAt(trace, lead, t) -> mV                 one lead at one time
//   leadsAt(trace, t, out) -> out                all twelve at one time
//   sampleLead(trace, lead, from, hz, count, out = new Float64Array(count)) -> out
//                                                a block of samples for a sweep or a strip

import { vectorAt } from "./vector.js";

export const LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];

// Rows [x, y, z]: the Dower matrix.
export const DOWER = {
  I: [0.632, -0.235, 0.059],
  II: [0.235, 1.066, -0.132],
  V1: [-0.515, 0.157, -0.917],
  V2: [0.044, 0.164, -1.387],
  V3: [0.882, 0.098, -1.277],
  V4: [1.213, 0.127, -0.601],
  V5: [1.125, 0.127, -0.086],
  V6: [0.831, 0.076, 0.23],
};

const dot = (row, v) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2];

function fromVector(lead, v) {
  switch (lead) {
    case "III":
      return dot(DOWER.II, v) - dot(DOWER.I, v);
    case "aVR":
      return -(dot(DOWER.I, v) + dot(DOWER.II, v)) / 2;
    case "aVL":
      return dot(DOWER.I, v) - dot(DOWER.II, v) / 2;
    case "aVF":
      return dot(DOWER.II, v) - dot(DOWER.I, v) / 2;
    default:
      if (!DOWER[lead]) throw new Error(`unknown lead ${lead}`);
      return dot(DOWER[lead], v);
  }
}

export function leadsFromVector(v, out = new Float64Array(12)) {
  const i = dot(DOWER.I, v);
  const ii = dot(DOWER.II, v);
  out[0] = i;
  out[1] = ii;
  out[2] = ii - i;
  out[3] = -(i + ii) / 2;
  out[4] = i - ii / 2;
  out[5] = ii - i / 2;
  out[6] = dot(DOWER.V1, v);
  out[7] = dot(DOWER.V2, v);
  out[8] = dot(DOWER.V3, v);
  out[9] = dot(DOWER.V4, v);
  out[10] = dot(DOWER.V5, v);
  out[11] = dot(DOWER.V6, v);
  return out;
}

const VECTOR = new Float64Array(3);

export function leadAt(trace, lead, t) {
  return fromVector(lead, vectorAt(trace, t, VECTOR));
}

export function leadsAt(trace, t, out = new Float64Array(12)) {
  return leadsFromVector(vectorAt(trace, t, VECTOR), out);
}

export function sampleLead(trace, lead, from, hz, count, out = new Float64Array(count)) {
  for (let i = 0; i < count; i += 1) out[i] = fromVector(lead, vectorAt(trace, from + i / hz, VECTOR));
  return out;
}
