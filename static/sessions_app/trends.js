// Where the numbers are at a given server time while they move toward a change's values: the
// same rule as simulator/trends.py, so every screen, and one that reconnects midway, shows
// the same value at the same moment (docs/protocol.md, "Trends").
import { parseIsoTime } from "./clock.js";

export const INTEGER_FIELDS = [
  "systolic",
  "diastolic",
  "heart_rate",
  "spo2",
  "respiratory_rate",
  "etco2",
  "abp_systolic",
  "abp_diastolic",
  "cvp",
];
export const NUMBER_FIELDS = [...INTEGER_FIELDS, "temperature"];

const parsedStarts = new WeakMap();

// The trend's start in whole microseconds, as the server counts them. A parsed time keeps its
// microseconds to within a quarter of one, so rounding gets them back exactly.
function startMicros(trend) {
  if (!parsedStarts.has(trend)) {
    parsedStarts.set(trend, Math.round(parseIsoTime(trend.started_at) * 1000));
  }
  return parsedStarts.get(trend);
}

// How far along `trend` is at `at` (ms, see clock.js): 0 at its start, 1 when done or no trend.
export function progress(trend, at) {
  if (!trend) return 1;
  // Whole microseconds on both sides, then one division, as Python's timedelta.total_seconds():
  // a fraction off by one bit could round a value the other way at exactly .5.
  const elapsed = (Math.round(at * 1000) - startMicros(trend)) / 1e6;
  return Math.min(Math.max(elapsed / trend.seconds, 0), 1);
}

export function inProgress(trend, at) {
  return progress(trend, at) < 1;
}

// The values shown at `at`: numbers interpolated from the trend's start, flags at once.
export function valuesAt(target, trend, at) {
  if (target === null || target === undefined) return null;
  const fraction = progress(trend, at);
  if (fraction >= 1) return target;
  const values = { ...target };
  for (const field of NUMBER_FIELDS) {
    const start = trend.from[field];
    const end = target[field];
    // A sensor appearing or going away has nothing to move from.
    if (start === null || start === undefined || end === null || end === undefined) continue;
    values[field] = start + (end - start) * fraction;
  }
  return rounded(values);
}

// Stored precision, half up: whole numbers, temperature to one decimal, diastolic below systolic.
export function rounded(values) {
  const result = { ...values };
  for (const field of INTEGER_FIELDS) {
    if (result[field] !== null && result[field] !== undefined) {
      result[field] = Math.floor(result[field] + 0.5);
    }
  }
  if (result.temperature !== null && result.temperature !== undefined) {
    result.temperature = Math.floor(result.temperature * 10 + 0.5) / 10;
  }
  for (const [systolic, diastolic] of [["systolic", "diastolic"], ["abp_systolic", "abp_diastolic"]]) {
    const high = result[systolic];
    const low = result[diastolic];
    if (high && low !== null && low !== undefined && low >= high) result[diastolic] = high - 1;
  }
  return result;
}
