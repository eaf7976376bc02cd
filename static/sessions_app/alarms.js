// Which alarms a screen raises, from what it shows. Yellow: a shown value outside the session's
// limits. Red, whatever the limits: a lethal rhythm on a connected ECG, SpO2 below the red line
// with the probe on, or the trainer's alarm flag (docs/protocol.md, "Alarm limits").

export const LIMITED_FIELDS = [
  "heart_rate",
  "spo2",
  "systolic",
  "diastolic",
  "respiratory_rate",
  "etco2",
];

// The sensor (as named in flags.hidden) that shows each number.
export const SENSOR = {
  heart_rate: "heart_rate",
  spo2: "spo2",
  systolic: "nibp",
  diastolic: "nibp",
  respiratory_rate: "respiratory_rate",
  etco2: "etco2",
  temperature: "temperature",
};

// What the tiles show: a number, or null for nothing (sensor disconnected, absent, probe off).
// Blood pressure is the cuff's last reading, not the value of the moment.
export function shownValues(values, reading) {
  const shown = Object.fromEntries(Object.keys(SENSOR).map((field) => [field, null]));
  if (!values) return shown;
  const hidden = new Set(values.flags.hidden ?? []);
  for (const field of Object.keys(SENSOR)) {
    if (hidden.has(SENSOR[field])) continue;
    const source = SENSOR[field] === "nibp" ? reading : values;
    shown[field] = source?.[field] ?? null;
  }
  if (values.flags.spo2_probe_off) shown.spo2 = null;
  return shown;
}

// {level: "red" | "yellow" | null, fields: {field: "red" | "yellow"}, general, reasons}.
// `reasons` lists what alarms, most urgent first: {level, kind, field, direction?}.
export function evaluateAlarms(values, shown, limits, rules) {
  const result = { level: null, fields: {}, general: false, reasons: [] };
  if (!values) return result;
  const hidden = new Set(values.flags.hidden ?? []);
  const raise = (level, field, kind, direction) => {
    if (field && result.fields[field] !== "red") result.fields[field] = level;
    result.reasons.push({ level, kind, field, direction });
  };
  if (values.flags.alarm) {
    result.general = true;
    result.reasons.push({ level: "red", kind: "general" });
  }
  if (rules.red_rhythms.includes(values.flags.rhythm) && !hidden.has("heart_rate")) {
    raise("red", "heart_rate", "rhythm");
  }
  if (shown.spo2 !== null && shown.spo2 < rules.red_spo2_below) raise("red", "spo2", "desaturation");
  for (const field of LIMITED_FIELDS) {
    const value = shown[field];
    const [low, high] = limits[field] ?? [-Infinity, Infinity];
    if (value === null || (value >= low && value <= high)) continue;
    raise("yellow", field, "limit", value < low ? "low" : "high");
  }
  const levels = result.reasons.map((reason) => reason.level);
  result.level = levels.includes("red") ? "red" : levels.includes("yellow") ? "yellow" : null;
  result.reasons.sort((a, b) => (a.level === b.level ? 0 : a.level === "red" ? -1 : 1));
  return result;
}
