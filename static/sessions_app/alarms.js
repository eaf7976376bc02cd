// The alarm rules of a screen, as simulator/alarms.py has them on the server (both held to
// simulator/contract/alarms.json and silence.json): which alarm conditions what the screen
// shows raises, and which of them sound while a silence is in force.
//
// Priorities as IEC 60601-1-8 names them, colours as bedside monitors show them: red (high):
// the trainer's alarm flag, a lethal rhythm on a connected ECG, apnoea, SpO2 below the red
// line; yellow (medium): a shown value outside the session's limits; cyan (technical, below
// both): ECG leads off, SpO2 probe off, SpO2 finds no pulse, the arterial line finds no pulse,
// the cuff found no pulse.

// Most urgent first.
export const PRIORITY = ["red", "yellow", "cyan"];

export const LIMITED_FIELDS = [
  "heart_rate",
  "spo2",
  "systolic",
  "diastolic",
  "respiratory_rate",
  "etco2",
  "abp_systolic",
  "abp_diastolic",
];

// The sensor (as named in flags.hidden) that shows each number.
export const SENSOR = {
  heart_rate: "heart_rate",
  spo2: "spo2",
  systolic: "nibp",
  diastolic: "nibp",
  respiratory_rate: "respiratory_rate",
  etco2: "etco2",
  abp_systolic: "abp",
  abp_diastolic: "abp",
  cvp: "cvp",
  temperature: "temperature",
};

// Rhythms without a cardiac output; the no_pulse flag makes any other one pulseless (PEA).
export const PULSELESS_RHYTHMS = [
  "torsades_de_pointes",
  "ventricular_fibrillation",
  "ventricular_fibrillation_fine",
  "asystole",
  "ventricular_standstill",
  "agonal",
];
// A monitor counts no rate in fibrillation, and 0 when no QRS comes.
export const NO_RATE_RHYTHMS = ["ventricular_fibrillation", "ventricular_fibrillation_fine"];
export const ZERO_RATE_RHYTHMS = ["asystole", "ventricular_standstill"];

// An arterial line is connected when it has pressures and is not disconnected.
export function abpConnected(values) {
  return Boolean(values && values.abp_systolic != null && !(values.flags.hidden ?? []).includes("abp"));
}

export function isPulseless(values) {
  return Boolean(values && (PULSELESS_RHYTHMS.includes(values.flags.rhythm) || values.flags.no_pulse));
}

// What the tiles show: a number, or null for nothing (sensor disconnected or absent, no
// signal). Blood pressure is the cuff's last reading, not the value of the moment. Without a
// pulse there is no SpO2; in VF a monitor counts no rate, in asystole it counts 0.
export function shownValues(values, reading) {
  const shown = Object.fromEntries(Object.keys(SENSOR).map((field) => [field, null]));
  if (!values) return shown;
  const hidden = new Set(values.flags.hidden ?? []);
  for (const field of Object.keys(SENSOR)) {
    if (hidden.has(SENSOR[field])) continue;
    const source = SENSOR[field] === "nibp" ? reading : values;
    shown[field] = source?.[field] ?? null;
  }
  if (values.flags.spo2_probe_off || isPulseless(values)) shown.spo2 = null;
  if (isPulseless(values)) shown.abp_systolic = shown.abp_diastolic = null;
  if (shown.heart_rate !== null) {
    if (values.flags.ecg_leads_off || NO_RATE_RHYTHMS.includes(values.flags.rhythm)) shown.heart_rate = null;
    else if (ZERO_RATE_RHYTHMS.includes(values.flags.rhythm)) shown.heart_rate = 0;
  }
  return shown;
}

// The sensors connected but without a signal: their tiles show "---", never a blank.
export function withoutSignal(values, reading) {
  const none = new Set();
  if (!values) return none;
  const hidden = new Set(values.flags.hidden ?? []);
  const rhythm = values.flags.rhythm;
  if (!hidden.has("heart_rate") && (values.flags.ecg_leads_off || NO_RATE_RHYTHMS.includes(rhythm))) {
    none.add("heart_rate");
  }
  if (!hidden.has("spo2") && (values.flags.spo2_probe_off || isPulseless(values))) none.add("spo2");
  if (!hidden.has("nibp") && reading?.no_pulse) none.add("nibp");
  if (abpConnected(values) && isPulseless(values)) none.add("abp");
  return none;
}

// {level: "red" | "yellow" | null (the physiological level), fields: {field: level} (the tiles
// that flash), conditions: [{id, level, field?}] most urgent first}. One condition per
// parameter: its most urgent. `nibpFailed`: the cuff's last reading found no pulse.
export function evaluateAlarms(values, shown, limits, rules, nibpFailed = false) {
  const result = { level: null, fields: {}, conditions: [] };
  if (!values) return result;
  const { flags } = values;
  const hidden = new Set(flags.hidden ?? []);
  const ecgOn = !hidden.has("heart_rate") && !flags.ecg_leads_off;
  const spo2On = !hidden.has("spo2") && !flags.spo2_probe_off;
  const raise = (level, id, field) => {
    result.conditions.push(field ? { id, level, field } : { id, level });
    if (field) result.fields[field] = level;
  };
  if (flags.alarm) raise("red", "general");
  if (ecgOn && rules.red_rhythms.includes(flags.rhythm)) raise("red", `rhythm.${flags.rhythm}`, "heart_rate");
  if (shown.respiratory_rate === 0) raise("red", "apnoea", "respiratory_rate");
  if (shown.spo2 !== null && shown.spo2 < rules.red_spo2_below) raise("red", "desaturation", "spo2");
  for (const field of LIMITED_FIELDS) {
    const value = shown[field];
    const [low, high] = limits[field] ?? [-Infinity, Infinity];
    if (value === null || field in result.fields || (value >= low && value <= high)) continue;
    raise("yellow", `${field}.${value < low ? "low" : "high"}`, field);
  }
  if (!hidden.has("heart_rate") && flags.ecg_leads_off) raise("cyan", "ecg_leads_off");
  if (!hidden.has("spo2") && flags.spo2_probe_off) raise("cyan", "spo2_probe_off");
  if (spo2On && isPulseless(values)) raise("cyan", "spo2_no_pulse");
  if (abpConnected(values) && isPulseless(values)) raise("cyan", "abp_no_pulse");
  if (!hidden.has("nibp") && nibpFailed) raise("cyan", "nibp_failed");
  const levels = new Set(result.conditions.map((condition) => condition.level));
  result.level = ["red", "yellow"].find((level) => levels.has(level)) ?? null;
  return result;
}

const rank = (level) => PRIORITY.indexOf(level);

// The active conditions whose tone sounds at `now` (ms). A silence ({until, acknowledged}: ms
// and conditions) mutes, until its end, the conditions it acknowledged; a condition it did not
// acknowledge, or one now of a higher priority than when it was, sounds at once (IEC
// 60601-1-8: acknowledging stops the sound of the conditions present, not of those that follow).
// What the alarm band says of a condition, in the page's words (page_text.py's alarm texts).
export function conditionText(condition, text, rhythmLabels) {
  const [kind, detail] = condition.id.split(".");
  switch (kind) {
    case "general":
      return text.alarm;
    case "rhythm":
      return rhythmLabels[detail] ?? detail;
    case "desaturation":
      return text.desaturation;
    case "apnoea":
      return text.apnoea;
    case "ecg_leads_off":
    case "spo2_probe_off":
    case "spo2_no_pulse":
    case "abp_no_pulse":
    case "nibp_failed":
      return text.technical[kind];
    default:
      return (detail === "high" ? text.high : text.low).replace("%(name)s", text.names[kind]);
  }
}

export function sounding(active, silence, now) {
  if (!silence || now >= silence.until) return active;
  const acknowledged = new Map(silence.acknowledged.map((condition) => [condition.id, condition.level]));
  return active.filter(
    (condition) => !acknowledged.has(condition.id) || rank(condition.level) < rank(acknowledged.get(condition.id)),
  );
}

// The priority whose tone plays: the most urgent of the conditions sounding, or null.
export function tone(soundingConditions) {
  const levels = new Set(soundingConditions.map((condition) => condition.level));
  return PRIORITY.find((level) => levels.has(level)) ?? null;
}

// The silence, keeping only the acknowledgements of conditions still active: a condition that
// ends and comes back is a new alarm condition and sounds at once (IEC 60601-1-8).
export function stillAcknowledged(silence, active) {
  if (!silence) return null;
  const activeIds = new Set(active.map((condition) => condition.id));
  return { ...silence, acknowledged: silence.acknowledged.filter((condition) => activeIds.has(condition.id)) };
}
