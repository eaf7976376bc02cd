// The trainee's bedside monitor. The server sends the values a change aims at, with its trend,
// the cuff's settings and the alarm limits (docs/protocol.md); this page works out, on the
// server's clock, what to show at every moment: numbers along the trend, the cuff's readings,
// alarms, and the waveforms: ECG, pleth and the invasive pressures from one heart per screen
// (heart-driver.js, heart/), capnography from waveforms.js; an acquired 12-lead on request.
//
// Messages reach handleMessage() from a transport: the live socket, or a recorded replay with a
// virtual clock (data-replay-src on #monitor), so the debrief plays a session back unchanged.
import { parseIsoTime, ServerClock, VirtualClock, formatClock, formatDuration, localNow } from "./clock.js";
import {
  conditionText,
  evaluateAlarms,
  shownValues,
  sounding,
  stillAcknowledged,
  tone,
  withoutSignal,
} from "./alarms.js";
import { MonitorAudio, qrsBeepFrequency } from "./audio.js";
import { KeepAwake } from "./keep-awake.js";
import { LiveSocket, socketUrl } from "./live-socket.js";
import { replayMessages } from "./replay-messages.js";
import { Cuff, cuffPressure, inflationPeak, meanArterialPressure, nextAutomaticStart } from "./nibp.js";
import { SweepTrace } from "./sweep.js";
import { valuesAt } from "./trends.js";
import { cancelPlannedBreaths, capnoSample, scheduleBreaths } from "./waveforms.js";
import { leadArtefact, plethWithArtefacts } from "./artefacts.js";
import { HeartDriver, countedHeartRate, heartSettings, seedFrom } from "./heart-driver.js";
import { LEADS, leadAt } from "./heart/leads.js";
import { RHYTHMS } from "./heart/rhythms.js";
import { PLETH_DELAY, arterialAt, cvpAt, plethAt, pulses } from "./heart/pulse.js";
import { acquireTwelveLead, twelveLeadSvg } from "./twelve-lead.js";
import { DevicePanel } from "./device-panel.js";
import { ResultsPanel } from "./results.js";

// Numbers, cuff and alarms also tick on a timer: frames stop in a background tab.
const TICK_MS = 250;
const REPLAY_TICK_MS = 50;
// A longer gap between frames (hidden tab, sleeping phone) restarts the sweep, not replays it.
const FRAME_GAP_RESTART_SECONDS = 0.5;
// mV for ECG, 0–1 for pleth, mmHg for CO2 and the pressures: the visible range of each trace.
const ECG_RANGE = [-0.75, 1.5];
const PLETH_RANGE = [-0.08, 1.15];
// Arterial scales as monitors offer them: the smallest that fits the systolic pressure.
const ABP_SCALES_MMHG = [120, 160, 200, 250];
const CVP_SCALES_MMHG = [20, 30, 40];
// The second ECG trace's lead when the trainer has not picked one.
const DEFAULT_SECOND_LEAD = "V5";
// mmHg an arterial line reads without a pulse (arrest, PEA): the mean circulatory filling
// pressure of a heart that has stopped, about 10 mmHg (Guyton's mean systemic filling pressure).
const NO_PULSE_MMHG = 10;
// Pulsus paradoxus, when the trainer sets it: systolic falls this much in inspiration (over
// 10 mmHg is the clinical definition; tamponade often 15-20).
const PARADOXUS_MMHG = 15;
// Capnograph scales: the smallest that fits the end-tidal value.
const CO2_SCALES_MMHG = [50, 100, 150];
// The alarm band shows one message at a time, most urgent first, each this long.
const ALARM_CYCLE_MS = 2000;
// A message too long for the band shrinks in steps down to this share of its size, never cut.
const ALARM_TEXT_MIN_SCALE = 0.4;
// Sound wanted on this screen: `?sound=on` in the URL (a kiosk TV), or "allow sound" pressed
// once here (remembered by the browser). A browser that still holds the sound back until a tap
// is then named on the screen, not left silent without a word (docs/room.md).
const SOUND_KEY = "shiller.sound";

const root = document.getElementById("monitor");
const byId = (id) => document.getElementById(id);
// The page's settings (data-*), and what it says, in its language (sessions_app/page_text.py).
const config = root.dataset;
const readJson = (id) => JSON.parse(byId(id)?.textContent ?? "null");
const text = readJson("page-text");

const rules = readJson("alarm-rules");
const rhythmLabels = readJson("rhythm-labels") ?? {};
const CLOSE = readJson("protocol").close;

const state = {
  target: null,
  trend: null,
  limits: {},
  // The silence in force: {until (ms), acknowledged: alarm conditions}, or null.
  silence: null,
  expiresAt: null,
  cuff: null,
  // What the screen shows now, worked out by tick().
  values: null,
  shown: shownValues(null, null),
  noSignal: new Set(),
  ended: false,
  beepOn: false,
  breaths: [],
  // The second ECG trace's lead (values.flags.ecg_lead2).
  secondLead: "V5",
  // Server seconds of the last frame drawn.
  lastFrameSeconds: null,
};
let clock = new ServerClock();
// The transport in use: {send(message)}; send returns false when nothing could be sent.
let transport = { send: () => false };
// One heart per screen, seeded from the session so every screen of it draws the same beats.
const driver = new HeartDriver(seedFrom(root.querySelector(".who .code")?.textContent.trim() ?? ""));
const audio = new MonitorAudio(updateSoundButton);
// The monitor-defibrillator's strip, while the trainer has made this monitor one.
const devicePanel = new DevicePanel(byId("device-panel"), {
  monitor: root,
  text,
  send: (message) => transport.send(message),
  canSend: () => Boolean(transport.canSend) && !state.ended,
  now: () => clock.now(),
  // The screen's Sync button: the ECG marks the R waves (heart-driver.js syncMarks).
  onSync: (on) => driver.setSync(on),
  audio,
  soundOn: () => audio.running,
});
const results = new ResultsPanel(
  {
    panel: byId("results-panel"),
    card: byId("result-card"),
    list: byId("result-list"),
    toggle: byId("results-toggle"),
    close: byId("results-close"),
  },
  config.resultsUrl,
  text,
);

function setText(element, value) {
  const next = String(value);
  if (element.textContent !== next) element.textContent = next;
}

// A person reads the temperature: 36,8 on a French screen, as the cockpit writes it.
const temperatureFormat = new Intl.NumberFormat(document.documentElement.lang, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

function setData(element, key, value) {
  const next = String(value);
  if (element.dataset[key] !== next) element.dataset[key] = next;
}


// The values shown: the trainer's along their trend, as the treatment in force makes them (a
// captured pacer's rhythm, CPR's EtCO2 and ventilation: treatment.js).
const currentValuesAt = (time) => driver.treated(valuesAt(state.target, state.trend, time), time);

// Messages

// One place for every message, whoever brings it (socket, replay, the page's own snapshot).
function handleMessage(message) {
  const now = clock.now();
  switch (message.type) {
    case "snapshot":
      setText(byId("trainee-name"), message.trainee_name);
      state.expiresAt = parseIsoTime(message.expires_at);
      state.limits = message.alarm_limits;
      state.silence = silenceFrom(message.alarms_silenced_until, message.alarms_acknowledged);
      state.cuff = new Cuff(message.nibp, parseIsoTime(message.now));
      setTarget(message.values, message.trend, null);
      driver.setTreatment(message.treatment, message.defibrillator, null);
      showLimits();
      devicePanel.receive(message);
      results.reset(message.results);
      break;
    case "result":
      results.receive(message);
      break;
    case "treatment":
      driver.setTreatment(message.treatment, message.defibrillator, parseIsoTime(message.at) ?? now);
      devicePanel.receive(message);
      break;
    case "vitals":
      state.cuff?.receive(message, now, currentValuesAt);
      setTarget(message.values, message.trend, parseIsoTime(message.at) ?? now);
      break;
    case "twelve_lead":
      showTwelveLead(message);
      break;
    case "alarm_limits":
      state.limits = message.limits;
      showLimits();
      break;
    case "nibp_started":
    case "nibp_interval":
      state.cuff?.receive(message, now, currentValuesAt);
      break;
    case "alarms_silenced":
      state.silence = silenceFrom(message.until, message.acknowledged);
      break;
    case "error":
      devicePanel.showError(message);
      break;
    case "session_extended":
      state.expiresAt = parseIsoTime(message.expires_at);
      break;
    case "session_ended":
      endSession(message.reason);
      return;
  }
  if (message.event_id) root.dataset.eventId = message.event_id;
  tick();
  // The tiles now show the snapshot's values: they may be seen (see monitor.css).
  if (message.type === "snapshot") root.dataset.drawn = "true";
}

function silenceFrom(until, acknowledged) {
  return until ? { until: parseIsoTime(until), acknowledged: acknowledged ?? [] } : null;
}

// `at` (ms): when the server made the change, or null for the values a screen starts with.
function setTarget(values, trend, at) {
  const previous = state.target;
  state.target = values;
  state.trend = trend;
  byId("waiting").hidden = values !== null;
  // The heart replans at the moment the change applies (heart-driver.js).
  driver.setTarget(values, trend, at);
  // A new breathing rate applies from the next breath, not after those already planned.
  if (previous?.respiratory_rate !== values?.respiratory_rate) {
    state.breaths = cancelPlannedBreaths(state.breaths, clock.now() / 1000);
  }
}

function showLimits() {
  for (const element of root.querySelectorAll("[data-limit]")) {
    const [field, end] = element.dataset.limit.split(".");
    setText(element, state.limits[field]?.[end] ?? "");
  }
}

// What the screen shows

function tick() {
  if (state.ended) return;
  const now = clock.now();
  state.cuff?.update(now, currentValuesAt);
  const values = currentValuesAt(now);
  const reading = state.cuff?.reading ?? null;
  const shown = shownValues(values, reading);
  // A block's or a standstill's ventricles beat slower than the set (atrial) rate: the tile
  // shows the rate counted from the QRS complexes, as a monitor does.
  shown.heart_rate = countedHeartRate(values, shown.heart_rate, driver.trace, now / 1000);
  state.values = values;
  state.shown = shown;
  state.noSignal = withoutSignal(values, reading);
  showNumbers(values, shown);
  showCuff(values, now);
  showAlarms(values, shown, now);
  showTimes(now);
  devicePanel.render(now);
}

function showNumbers(values, shown) {
  const hidden = new Set(values?.flags.hidden ?? []);
  // "---": a sensor on the patient without a signal; blank: no such sensor.
  const number = (field, format = String) => {
    if (values === null) return "--";
    if (state.noSignal.has(field)) return "---";
    return shown[field] === null ? "" : format(shown[field]);
  };
  setText(byId("hr-value"), number("heart_rate"));
  setText(byId("spo2-value"), number("spo2"));
  // The tile says why it has no number, as a monitor's INOP message does.
  const spo2Fault = !state.noSignal.has("spo2") ? "" : values.flags.spo2_probe_off ? "spo2_probe_off" : "spo2_no_pulse";
  setText(byId("probe-off"), spo2Fault ? text.technical[spo2Fault] : "");
  byId("probe-off").hidden = !spo2Fault;
  setText(byId("etco2-value"), number("etco2"));
  setText(byId("rr-value"), number("respiratory_rate"));
  setText(byId("temp-value"), number("temperature", (value) => temperatureFormat.format(value)));
  const leadsOff = values?.flags.ecg_leads_off && !hidden.has("heart_rate");
  const rhythm = values && !hidden.has("heart_rate") && !leadsOff ? values.flags.rhythm : "";
  // The server's label in the page's language; the catalogue's English one for a rhythm it
  // does not name yet.
  const label = rhythmLabels[rhythm] ?? RHYTHMS[rhythm]?.label ?? rhythm;
  setText(byId("rhythm-label"), leadsOff ? text.technical.ecg_leads_off : rhythm ? label : "");
  setData(byId("rhythm-label"), "rhythm", leadsOff ? "leads_off" : rhythm);
  const panels = {
    "hr-panel": "heart_rate",
    "spo2-panel": "spo2",
    "etco2-panel": "etco2",
    "rr-panel": "respiratory_rate",
    "temp-panel": "temperature",
    "nibp-panel": "nibp",
  };
  for (const [id, sensor] of Object.entries(panels)) setData(byId(id), "off", hidden.has(sensor));
  showInvasive(values);
}

// The arterial line and the CVP: their tiles only while connected, in a place of their own so
// no other tile moves. Without a pulse the line reads its flat pressure, not the set values.
function showInvasive(values) {
  const lines = invasive(values);
  byId("abp-panel").hidden = !lines.abp;
  byId("cvp-panel").hidden = !lines.cvp;
  if (lines.abp) {
    const [systolic, diastolic] = isPulselessNow(values)
      ? [NO_PULSE_MMHG, NO_PULSE_MMHG]
      : [values.abp_systolic, values.abp_diastolic];
    setText(byId("abp-value"), `${systolic}/${diastolic}`);
    setText(byId("abp-map"), `(${meanArterialPressure(systolic, diastolic)})`);
  }
  if (lines.cvp) setText(byId("cvp-value"), values.cvp);
}

function isPulselessNow(values) {
  return Boolean(values) && !heartSettings(values).pulse;
}

function showCuff(values, now) {
  const cuff = state.cuff;
  const panel = byId("nibp-panel");
  const off = (values?.flags.hidden ?? []).includes("nibp");
  const since = cuff && !off ? cuff.measuringSince(now) : null;
  const reading = cuff?.reading;
  byId("nibp-start").disabled = off || since !== null || !transport.canSend;
  byId("nibp-cuff").hidden = since === null;
  byId("nibp-value").hidden = since !== null;
  byId("map-value").hidden = since !== null;
  if (off) {
    setData(panel, "state", "off");
    for (const id of ["nibp-value", "map-value", "nibp-time", "nibp-status"]) setText(byId(id), "");
  } else if (since !== null) {
    // The cuff pumps above the pressure it expects, then reads while it lets the air out.
    const expected = Math.max(reading?.systolic ?? 0, currentValuesAt(since)?.systolic ?? 0);
    const { phase, pressure } = cuffPressure(now - since, cuff.nibp.measurementSeconds, inflationPeak(expected));
    setData(panel, "state", "measuring");
    setData(panel, "phase", phase);
    setText(byId("nibp-cuff"), pressure);
    setText(byId("nibp-status"), phase === "inflating" ? text.nibp_inflating : text.nibp_deflating);
  } else if (reading?.no_pulse) {
    // The cuff found no pulse: a failed measurement, never a blank that looks broken.
    setData(panel, "state", "failed");
    setText(byId("nibp-value"), "---");
    setText(byId("map-value"), "");
    setText(byId("nibp-time"), formatClock(reading.takenAt));
    setText(byId("nibp-status"), text.technical.nibp_failed);
  } else if (reading) {
    setData(panel, "state", "done");
    setText(byId("nibp-value"), `${reading.systolic}/${reading.diastolic}`);
    setText(byId("map-value"), `(${meanArterialPressure(reading.systolic, reading.diastolic)})`);
    setText(byId("nibp-time"), formatClock(reading.takenAt));
    const next = nextAutomaticStart(cuff.nibp, now);
    setText(byId("nibp-status"), next === null ? "" : text.nibp_next.replace("%(time)s", formatClock(next)));
  } else {
    setData(panel, "state", "idle");
    setText(byId("nibp-value"), "--/--");
    setText(byId("map-value"), "(--)");
    setText(byId("nibp-time"), "");
    setText(byId("nibp-status"), text.nibp_hint);
  }
}

const ALARM_PANELS = {
  heart_rate: "hr-panel",
  spo2: "spo2-panel",
  systolic: "nibp-panel",
  diastolic: "nibp-panel",
  etco2: "etco2-panel",
  respiratory_rate: "rr-panel",
};


function showAlarms(values, shown, now) {
  const alarms = evaluateAlarms(values, shown, state.limits, rules, Boolean(state.cuff?.reading?.no_pulse));
  const panelLevels = {};
  for (const [field, level] of Object.entries(alarms.fields)) {
    const id = ALARM_PANELS[field];
    if (panelLevels[id] !== "red") panelLevels[id] = level;
  }
  for (const id of new Set(Object.values(ALARM_PANELS))) {
    setData(byId(id), "alarm", panelLevels[id] ?? false);
  }
  showAlarmBand(alarms.conditions, now);
  setData(root, "alarm", alarms.level ?? false);

  // A condition that ended is no longer acknowledged: if it comes back, it sounds at once.
  state.silence = stillAcknowledged(state.silence, alarms.conditions);
  const silence = state.silence !== null && now < state.silence.until ? state.silence : null;
  byId("silenced").hidden = silence === null;
  if (silence) setText(byId("silenced-left"), formatDuration(silence.until - now));
  byId("silence-alarms").disabled = !transport.canSend || values === null;
  // Silence mutes the tones of the conditions it acknowledged only: the panels and the band keep
  // showing them, and a new condition (or a higher priority) sounds at once.
  const level = state.ended ? null : tone(sounding(alarms.conditions, silence, now));
  audio.setAlarm(level);
  setData(root, "sounding", level ?? "none");
}

// The band keeps its height whatever it shows (the layout never moves) and shows each active
// message in turn, most urgent first; a long one wraps, then shrinks, and is never cut.
function showAlarmBand(conditions, now) {
  const band = byId("alarm-band");
  const message = byId("alarm-banner");
  const shown = conditions.length ? conditions[Math.floor(now / ALARM_CYCLE_MS) % conditions.length] : null;
  setData(band, "level", shown?.level ?? "");
  setText(byId("alarm-count"), conditions.length > 1 ? `${conditions.indexOf(shown) + 1}/${conditions.length}` : "");
  const next = shown ? conditionText(shown, text, rhythmLabels) : "";
  if (message.textContent === next) return;
  message.textContent = next;
  message.style.fontSize = "";
  const size = parseFloat(getComputedStyle(message).fontSize);
  for (let scale = 1; scale > ALARM_TEXT_MIN_SCALE && message.scrollHeight > message.clientHeight + 1; ) {
    scale *= 0.85;
    message.style.fontSize = `${size * scale}px`;
  }
}

function showTimes(now) {
  setText(byId("clock"), formatClock(now, true));
  if (state.expiresAt !== null) setText(byId("time-left"), formatDuration(state.expiresAt - now));
}

// Waveforms

// Before the trainer's first values the traces are flat.
const FLATLINE = {
  heart_rate: 0,
  spo2: 0,
  respiratory_rate: 0,
  etco2: 0,
  flags: { rhythm: "sinus", alarm: false, hidden: [] },
};
const traceValues = () => state.values ?? FLATLINE;
const flagsNow = () => traceValues().flags;

// An arterial line or a CVP is connected when its values are there and its sensor not hidden.
function invasive(values) {
  const hidden = new Set(values?.flags.hidden ?? []);
  const number = (field) => (values?.[field] ?? null) !== null;
  return {
    abp: number("abp_systolic") && number("abp_diastolic") && !hidden.has("abp"),
    cvp: number("cvp") && !hidden.has("cvp"),
  };
}

function secondLead() {
  const lead = flagsNow().ecg_lead2;
  return LEADS.includes(lead) ? lead : DEFAULT_SECOND_LEAD;
}

// The ECG of one lead at t (server seconds): flat without the heart or with the leads off.
function ecgAt(lead, t) {
  const heart = driver.trace;
  if (!heart || flagsNow().ecg_leads_off) return 0;
  return leadAt(heart, lead, t) + leadArtefact(flagsNow().artefacts, t, lead) + driver.treatmentArtefact(lead, t);
}

const pulseless = () => !driver.settings?.pulse;

const traces = {
  // Sync marks above the R waves the synchroniser detects (heart-driver.js syncMarks).
  ecg: new SweepTrace(byId("ecg-canvas"), (t) => ecgAt("II", t), ECG_RANGE, (from, to) =>
    flagsNow().ecg_leads_off ? [] : driver.syncMarks(from, to),
  ),
  ecg2: new SweepTrace(byId("ecg2-canvas"), (t) => ecgAt(state.secondLead, t), ECG_RANGE),
  // Probe off: flat. No pulse: flat but for the pulsation compressions make.
  pleth: new SweepTrace(
    byId("pleth-canvas"),
    (t) => {
      if (!driver.trace || flagsNow().spo2_probe_off) return 0;
      const pulse = state.noSignal.has("spo2") ? 0 : plethAt(driver.trace, t);
      return plethWithArtefacts(flagsNow().artefacts, t, pulse + driver.treatmentPleth(t));
    },
    PLETH_RANGE,
  ),
  abp: new SweepTrace(
    byId("abp-canvas"),
    (t) => {
      const values = traceValues();
      if (!driver.trace) return 0;
      if (pulseless()) return driver.cprArterial(t) ?? NO_PULSE_MMHG;
      return arterialAt(driver.trace, t, {
        systolic: values.abp_systolic,
        diastolic: values.abp_diastolic,
        damping: values.flags.abp_damping ?? "normal",
        paradoxus: values.flags.pulsus_paradoxus ? PARADOXUS_MMHG : 0,
      });
    },
    () => [0, ABP_SCALES_MMHG.find((top) => (traceValues().abp_systolic ?? 0) <= top * 0.85) ?? 300],
  ),
  cvp: new SweepTrace(
    byId("cvp-canvas"),
    (t) => (driver.trace ? cvpAt(driver.trace, t, { mean: traceValues().cvp ?? 0 }) : 0),
    () => [-2, CVP_SCALES_MMHG.find((top) => (traceValues().cvp ?? 0) + 6 <= top) ?? 60],
  ),
  co2: new SweepTrace(
    byId("co2-canvas"),
    (t) => capnoSample(t, state.breaths, traceValues().etco2 ?? 0),
    () => [-3, CO2_SCALES_MMHG.find((top) => (traceValues().etco2 ?? 0) <= top * 0.9) ?? 150],
  ),
};

function frame() {
  if (state.ended) return;
  tick();
  // The traces run on the server's clock: every screen of the session draws the same beats.
  const seconds = clock.now() / 1000;
  const restart =
    state.lastFrameSeconds === null ||
    seconds - state.lastFrameSeconds > FRAME_GAP_RESTART_SECONDS ||
    seconds < state.lastFrameSeconds;
  const values = traceValues();
  const hidden = new Set(values.flags.hidden);
  const heart = state.values === null ? null : driver.advance(seconds);
  state.breaths = scheduleBreaths(state.breaths, values.respiratory_rate ?? 0, seconds);
  state.secondLead = secondLead();
  showWaveRows();
  const lines = invasive(state.values);
  const drawOrClear = (trace, visible) => (visible ? trace.draw(seconds, restart) : trace.clear());
  const ecgOn = !hidden.has("heart_rate");
  drawOrClear(traces.ecg, ecgOn);
  drawOrClear(traces.ecg2, ecgOn);
  drawOrClear(traces.pleth, !hidden.has("spo2"));
  drawOrClear(traces.abp, lines.abp);
  drawOrClear(traces.cvp, lines.cvp);
  drawOrClear(traces.co2, state.values === null || state.shown.etco2 !== null);
  if (heart && !restart && state.beepOn) beep(heart, state.lastFrameSeconds, seconds, ecgOn && !values.flags.ecg_leads_off);
  state.lastFrameSeconds = seconds;
  requestAnimationFrame(frame);
}

// The beep follows the beats a sensor detects: each QRS on the ECG, else each pulse the
// oximeter finds (a pulse reaches the finger PLETH_DELAY after its QRS). Pitch follows SpO2.
function beep(heart, from, to, ecgHeard) {
  let beat = false;
  if (ecgHeard) beat = heart.events.some((e) => e.kind === "qrs" && e.t > from && e.t <= to);
  else if (state.shown.spo2 !== null) beat = pulses(heart, from - PLETH_DELAY, to - PLETH_DELAY).length > 0;
  if (beat) audio.beep(qrsBeepFrequency(state.shown.spo2));
}

// Waveform rows: the invasive ones only while connected, labelled with their lead or pressure.
function showWaveRows() {
  const lines = invasive(state.values);
  const waves = root.querySelector(".waves");
  setData(waves, "abp", lines.abp);
  setData(waves, "cvp", lines.cvp);
  setText(byId("ecg2-label"), state.secondLead);
  const label = text.ecg_lead.replace("%(lead)s", state.secondLead);
  if (byId("ecg2-canvas").getAttribute("aria-label") !== label) byId("ecg2-canvas").setAttribute("aria-label", label);
}

// The 12-lead

// A 12-lead acquired at `at`: every screen computes the same tracing (twelve-lead.js).
function showTwelveLead(message) {
  const at = parseIsoTime(message.at);
  const values = message.values && Object.keys(message.values).length ? message.values : currentValuesAt(at);
  const recording = acquireTwelveLead(values, at / 1000, driver.seed);
  // The screen's local date as ISO writes it (2026-12-02): one order in every language.
  const date = new Date(at);
  const day = [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, "0"));
  const time = `${day.join("-")} ${formatClock(at, true)}`;
  const svg = twelveLeadSvg(recording, {
    title: text.twelve_lead_title,
    time: text.twelve_lead_acquired.replace("%(time)s", time),
    speed: text.twelve_lead_scale,
  });
  byId("twelve-lead-tracing").innerHTML = svg;
  setText(byId("twelve-lead-time"), time);
  const overlay = byId("twelve-lead");
  overlay.dataset.at = message.at;
  overlay.hidden = false;
  byId("twelve-lead-close").focus();
}

// Transports

function setStatus(status, message) {
  const banner = byId("status-banner");
  banner.dataset.state = status;
  banner.hidden = status === "open" || status === "ended";
  if (message) setText(banner, message);
}

// This browser's screen id, kept across reloads and reconnects: the audit trail names the same
// screen for every press it makes. Without storage (a private window), one per page.
function screenId() {
  const fresh = () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  try {
    let id = localStorage.getItem("shiller.screen");
    if (!/^[0-9a-f]{16}$/.test(id || "")) {
      id = fresh();
      localStorage.setItem("shiller.screen", id);
    }
    return id;
  } catch {
    return fresh();
  }
}

function withScreenId(path) {
  return `${path}${path.includes("?") ? "&" : "?"}sid=${screenId()}`;
}

// The live socket: snapshot then changes; pings measure the clock and keep the link checked.
function socketTransport() {
  const socket = new LiveSocket(socketUrl(withScreenId(config.wsPath)), clock, {
    onMessage(message, receivedAt) {
      if (message.type === "snapshot") {
        // The server read its clock between the handshake and this message.
        clock.addSample(parseIsoTime(message.now), socket.openedAt, receivedAt);
        socket.healthy();
        setStatus("open");
        document.body.dataset.ready = "true";
      }
      handleMessage(message);
    },
    onClose(code, opened) {
      if (state.ended) return "stop";
      if (code === CLOSE.unknown_code || code === CLOSE.ended) {
        endSession(code === CLOSE.ended ? null : "unknown_code");
        return "stop";
      }
      const full = code === CLOSE.full;
      const restart = code === CLOSE.restart;
      setStatus("reconnecting", full ? text.full : restart ? text.restarting : text.reconnecting);
      if (!opened) checkSessionGone();
      return full ? "wait" : undefined;
    },
  });

  // A refused handshake carries no close code (browsers report 1006): the page's own status
  // tells whether the session has ended (410) or no longer exists (404).
  async function checkSessionGone() {
    try {
      const response = await fetch(location.href, { method: "HEAD", cache: "no-store" });
      if (response.status === 410) endSession(null);
      if (response.status === 404) endSession("unknown_code");
    } catch {
      // Offline: the reconnection already scheduled will try again.
    }
  }

  const reconnectNow = () => document.visibilityState === "visible" && socket.reconnectNow();
  document.addEventListener("visibilitychange", reconnectNow);
  window.addEventListener("online", reconnectNow);
  setStatus("connecting", text.connecting);
  socket.start();
  return {
    get canSend() {
      return socket.isOpen;
    },
    send: (message) => socket.send(message),
    stop: () => socket.stop(),
  };
}

// A recorded session played back: {started_at, ended_at, messages} written compactly
// (replay-messages.js reads them back), the first message a snapshot, each later one with its
// "at". A virtual server clock runs from started_at at data-replay-speed times real time, and
// each message is handled when the clock reaches it.
function replayTransport(src) {
  const api = { canSend: false, send: () => false, stop: () => clearInterval(timer) };
  let timer = null;
  setStatus("replay", text.replay);
  fetch(src, { cache: "no-store" })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((replay) => {
      clock = new VirtualClock(
        parseIsoTime(replay.started_at),
        Number(config.replaySpeed) || 1,
        parseIsoTime(replay.ended_at) ?? Infinity,
      );
      const queue = replayMessages(replay).map((message) => ({
        message,
        at: parseIsoTime(message.at ?? message.now ?? replay.started_at),
      }));
      const feed = () => {
        while (queue.length && queue[0].at <= clock.now()) handleMessage(queue.shift().message);
      };
      feed();
      document.body.dataset.ready = "true";
      timer = setInterval(feed, REPLAY_TICK_MS);
    })
    .catch(() => setStatus("reconnecting", text.replay_failed));
  return api;
}

function endSession(reason) {
  if (state.ended) return;
  state.ended = true;
  transport.stop();
  setStatus("ended");
  if (reason === "unknown_code") setText(byId("ended-title"), text.unknown_code);
  setText(byId("ended-reason"), { closed: text.closed, expired: text.expired }[reason] ?? "");
  byId("ended").hidden = false;
  devicePanel.stop();
  audio.stop();
  updateSoundButton();
  keepAwake.stop();
}

// Sound, full screen, wake lock

// data-sound: "on" (playing), "blocked" (wanted, but the browser waits for a tap) or "off".
function updateSoundButton() {
  byId("sound-enable").hidden = !audio.supported || audio.running || state.ended;
  const blocked = audio.supported && !audio.running && !state.ended && soundWanted();
  setData(root, "sound", audio.running ? "on" : blocked ? "blocked" : "off");
  byId("sound-note").hidden = !blocked;
}

function soundWanted() {
  if (new URLSearchParams(location.search).get("sound") === "on") return true;
  try {
    return localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false; // Storage refused (private mode): only the URL can ask.
  }
}

// The trainee's tap on "allow sound": sound now, and on this browser's next visits.
function allowSound() {
  try {
    localStorage.setItem(SOUND_KEY, "on");
  } catch {
    // Not remembered; sound still starts now.
  }
  audio.unlock();
}

function toggleBeep() {
  state.beepOn = !state.beepOn;
  byId("beep-toggle").setAttribute("aria-pressed", String(state.beepOn));
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen();
  else root.requestFullscreen().catch(() => {});
}

// A note only when the screen may dim: the trainee can then tap, or change the tablet's settings.
const keepAwake = new KeepAwake(root, (mode) => {
  root.dataset.keepAwake = mode;
  const note = { "needs-tap": text.awake_tap, none: text.awake_none }[mode];
  setText(byId("awake-note"), note ?? "");
  byId("awake-note").hidden = !note;
});

// Start

byId("sound-enable").addEventListener("click", allowSound);
// Any tap or key is a user gesture that lets the audio start (pointerdown is not, for touch).
// Both also start the keep-awake video where autoplay waits for a gesture.
for (const type of ["pointerup", "keydown"]) {
  document.addEventListener(type, () => {
    audio.unlock();
    keepAwake.start();
  });
}
byId("beep-toggle").addEventListener("click", toggleBeep);
const closeTwelveLead = () => {
  byId("twelve-lead").hidden = true;
};
byId("twelve-lead-close").addEventListener("click", closeTwelveLead);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !byId("twelve-lead").hidden) closeTwelveLead();
});
byId("twelve-lead-print").addEventListener("click", () => window.print());
byId("nibp-start").addEventListener("click", () => transport.send({ type: "start_nibp" }));
byId("silence-alarms").addEventListener("click", () => transport.send({ type: "silence_alarms" }));
byId("fullscreen-toggle").hidden = !document.fullscreenEnabled;
byId("fullscreen-toggle").addEventListener("click", toggleFullscreen);
document.addEventListener("fullscreenchange", () => {
  const fullscreen = document.fullscreenElement !== null;
  byId("fullscreen-toggle").setAttribute("aria-pressed", String(fullscreen));
});
document.addEventListener("visibilitychange", () => keepAwake.start());

if (config.replaySrc) {
  transport = replayTransport(config.replaySrc);
} else {
  // The page came with a snapshot: draw it now, on a first estimate of the server's clock
  // (read while the page was served, between navigation start and now).
  const snapshot = readJson("monitor-state");
  if (snapshot) {
    clock.addSample(parseIsoTime(snapshot.now), performance.timeOrigin, localNow());
    handleMessage(snapshot);
  }
  transport = socketTransport();
}
// Autoplay-permitted screens (a kiosk TV) get sound without a tap; others show the button.
audio.unlock();
updateSoundButton();
keepAwake.start();
setInterval(tick, TICK_MS);
requestAnimationFrame(frame);
