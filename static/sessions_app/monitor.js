// The trainee's bedside monitor: values from the trainer over a WebSocket, waveforms synthesised
// here from rate and rhythm and drawn by sweep, alarms seen and heard.
import { MonitorAudio, qrsBeepFrequency } from "./audio.js";
import {
  beatsBetween,
  cancelPlannedBeats,
  ecgSample,
  makeRng,
  plethSample,
  scheduleBeats,
} from "./waveforms.js";

const NUMBER_EASE_MS = 800;
const NUMBER_TICK_MS = 50;
const PING_EVERY_MS = 20000;
// Nothing heard, not even a pong, for this long: the link is dead even if the socket says open.
const SILENCE_LIMIT_MS = 45000;
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10000;
const CLOSE_UNKNOWN_CODE = 4404;
const CLOSE_SESSION_ENDED = 4410;
// A longer gap between frames (hidden tab, sleeping phone) restarts the sweep, not replays it.
const FRAME_GAP_RESTART_SECONDS = 0.5;
const ERASE_GAP_CSS_PX = 14;
const TRACE_CSS_PX = 1.6;
// mV for ECG, 0–1 for pleth: the visible range of each trace.
const ECG_RANGE = [-0.75, 1.5];
const PLETH_RANGE = [-0.08, 1.15];

const root = document.getElementById("monitor");
const byId = (id) => document.getElementById(id);
const text = root.dataset;

const limits = {
  heart_rate: [Number(text.hrLow), Number(text.hrHigh)],
  spo2: [Number(text.spo2Low), Number(text.spo2High)],
  systolic: [Number(text.systolicLow), Number(text.systolicHigh)],
};
const rhythmLabels = Object.fromEntries(
  [...byId("rhythm-labels").children].map((item) => [item.dataset.rhythm, item.textContent]),
);

const state = {
  values: null,
  expiresAt: parseIsoTime(text.expiresAt),
  ended: false,
  beepOn: false,
  beats: [],
  lastFrameSeconds: null,
};
const rng = makeRng(Date.now());
const audio = new MonitorAudio(updateSoundButton);

function parseIsoTime(iso) {
  // Django writes microseconds; not every browser parses more than milliseconds.
  return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
}

function setText(element, value) {
  const next = String(value);
  if (element.textContent !== next) element.textContent = next;
}

function meanArterialPressure(systolic, diastolic) {
  return Math.round((systolic + 2 * diastolic) / 3);
}

// A displayed number that glides to its new value, as monitors average, and lands on it exactly.
class EasedNumber {
  constructor(value) {
    this.jump(value);
  }

  jump(value) {
    this.from = value;
    this.to = value;
    this.startedAt = -Infinity;
  }

  set(value, now) {
    this.from = this.at(now);
    this.to = value;
    this.startedAt = now;
  }

  at(now) {
    const progress = (now - this.startedAt) / NUMBER_EASE_MS;
    if (progress >= 1) return this.to;
    const eased = 1 - (1 - progress) ** 3;
    return Math.round(this.from + (this.to - this.from) * eased);
  }

  settled(now) {
    return now - this.startedAt >= NUMBER_EASE_MS;
  }
}

const numbers = {
  heart_rate: new EasedNumber(0),
  spo2: new EasedNumber(0),
  systolic: new EasedNumber(0),
  diastolic: new EasedNumber(0),
};
let numbersTimer = null;

// Returns true once every number shows its final value.
function renderNumbers() {
  const values = state.values;
  if (values === null) {
    setText(byId("hr-value"), "--");
    setText(byId("spo2-value"), "--");
    setText(byId("nibp-value"), "--/--");
    setText(byId("map-value"), "(--)");
    return true;
  }
  const now = performance.now();
  const systolic = numbers.systolic.at(now);
  const diastolic = numbers.diastolic.at(now);
  setText(byId("hr-value"), numbers.heart_rate.at(now));
  setText(byId("spo2-value"), values.flags.spo2_probe_off ? "---" : numbers.spo2.at(now));
  setText(byId("nibp-value"), `${systolic}/${diastolic}`);
  setText(byId("map-value"), `(${meanArterialPressure(systolic, diastolic)})`);
  return Object.values(numbers).every((number) => number.settled(now));
}

// A timer rather than animation frames: numbers must land even where frames are throttled.
function animateNumbers() {
  clearInterval(numbersTimer);
  if (renderNumbers()) return;
  numbersTimer = setInterval(() => {
    if (renderNumbers()) clearInterval(numbersTimer);
  }, NUMBER_TICK_MS);
}

function alarmStates(values) {
  if (values === null) return { general: false, hr: false, spo2: false, nibp: false };
  const general = values.flags.alarm;
  const outside = (field) => values[field] < limits[field][0] || values[field] > limits[field][1];
  return {
    general,
    hr: general || outside("heart_rate"),
    // Without a probe there is no reading to judge.
    spo2: general || (!values.flags.spo2_probe_off && outside("spo2")),
    nibp: general || outside("systolic"),
  };
}

function showAlarms(values) {
  const alarms = alarmStates(values);
  byId("hr-panel").dataset.alarm = String(alarms.hr);
  byId("spo2-panel").dataset.alarm = String(alarms.spo2);
  byId("nibp-panel").dataset.alarm = String(alarms.nibp);
  byId("alarm-banner").hidden = !alarms.general;
  audio.setAlarm(!state.ended && (alarms.hr || alarms.spo2 || alarms.nibp));
}

function applyValues(values) {
  const previous = state.values;
  const now = performance.now();
  state.values = values;
  byId("waiting").hidden = values !== null;
  if (values !== null) {
    for (const [field, number] of Object.entries(numbers)) {
      if (previous === null) number.jump(values[field]);
      else number.set(values[field], now);
    }
    const rhythm = values.flags.rhythm;
    setText(byId("rhythm-label"), rhythmLabels[rhythm] ?? rhythm);
    byId("rhythm-label").dataset.rhythm = rhythm;
    const beatsChanged =
      previous?.heart_rate !== values.heart_rate || previous?.flags.rhythm !== rhythm;
    if (beatsChanged) state.beats = cancelPlannedBeats(state.beats, now / 1000);
  } else {
    setText(byId("rhythm-label"), "");
    state.beats = cancelPlannedBeats(state.beats, now / 1000);
  }
  byId("probe-off").hidden = !values?.flags.spo2_probe_off;
  showAlarms(values);
  animateNumbers();
}

function readServerRenderedValues() {
  if (text.heartRate === undefined) return null;
  return {
    systolic: Number(text.systolic),
    diastolic: Number(text.diastolic),
    heart_rate: Number(text.heartRate),
    spo2: Number(text.spo2),
    flags: {
      rhythm: text.rhythm,
      alarm: text.generalAlarm === "true",
      spo2_probe_off: text.probeOff === "true",
    },
  };
}

// A canvas trace drawn like a monitor's: a cursor sweeps left to right, writing new samples over
// the previous sweep, with a short blank gap ahead of it.
class SweepTrace {
  constructor(canvas, sample, [low, high]) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.sample = sample;
    this.low = low;
    this.high = high;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  resize() {
    const box = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    this.width = Math.round(box.width * ratio);
    this.height = Math.round(box.height * ratio);
    this.canvas.width = this.width;
    this.canvas.height = this.height;
    // 4 to 6 s across: near 25 mm/s on a large screen, complexes still readable on a phone.
    const sweepSeconds = Math.min(6, Math.max(4, box.width / 160));
    this.pixelsPerSecond = this.width / sweepSeconds;
    this.gap = ERASE_GAP_CSS_PX * ratio;
    this.context.lineWidth = TRACE_CSS_PX * ratio;
    this.context.lineJoin = "round";
    this.context.strokeStyle = getComputedStyle(this.canvas).color;
    this.lastColumn = null;
  }

  y(value) {
    const margin = this.height * 0.06;
    const clamped = Math.min(this.high, Math.max(this.low, value));
    const fraction = (clamped - this.low) / (this.high - this.low);
    return this.height - margin - fraction * (this.height - 2 * margin);
  }

  // Columns are counted without wrapping; the canvas shows them modulo its width.
  erase(fromColumn, toColumn) {
    let start = ((fromColumn % this.width) + this.width) % this.width;
    let remaining = Math.min(toColumn - fromColumn, this.width);
    while (remaining > 0) {
      const run = Math.min(remaining, this.width - start);
      this.context.clearRect(start, 0, run, this.height);
      remaining -= run;
      start = 0;
    }
  }

  draw(seconds, restart) {
    if (this.width === 0 || this.height === 0) return;
    const column = seconds * this.pixelsPerSecond;
    if (restart || this.lastColumn === null) {
      this.context.clearRect(0, 0, this.width, this.height);
      this.lastColumn = column;
    }
    const from = this.lastColumn;
    this.erase(from + this.context.lineWidth, column + this.gap);
    const step = 0.5;
    let previousX = null;
    this.context.beginPath();
    for (let c = from; ; c = Math.min(c + step, column)) {
      const x = c % this.width;
      const y = this.y(this.sample(c / this.pixelsPerSecond));
      if (previousX === null || x < previousX) this.context.moveTo(x, y);
      else this.context.lineTo(x, y);
      previousX = x;
      if (c >= column) break;
    }
    this.context.stroke();
    this.lastColumn = column;
  }
}

// Before the trainer's first values the traces are flat.
const FLATLINE = {
  heart_rate: 0,
  spo2: 0,
  flags: { rhythm: "sinus", alarm: false, spo2_probe_off: false },
};
const shownValues = () => state.values ?? FLATLINE;

const ecgTrace = new SweepTrace(
  byId("ecg-canvas"),
  (t) => ecgSample(t, shownValues().flags.rhythm, shownValues().heart_rate, state.beats),
  ECG_RANGE,
);
const plethTrace = new SweepTrace(
  byId("pleth-canvas"),
  (t) => plethSample(t, state.beats, shownValues().flags.spo2_probe_off),
  PLETH_RANGE,
);

function frame(milliseconds) {
  if (state.ended) return;
  const seconds = milliseconds / 1000;
  const restart =
    state.lastFrameSeconds === null || seconds - state.lastFrameSeconds > FRAME_GAP_RESTART_SECONDS;
  const { flags, heart_rate: heartRate, spo2 } = shownValues();
  state.beats = scheduleBeats(state.beats, flags.rhythm, heartRate, seconds, rng);
  ecgTrace.draw(seconds, restart);
  plethTrace.draw(seconds, restart);
  const beatNow = !restart && beatsBetween(state.beats, state.lastFrameSeconds, seconds).length > 0;
  if (state.beepOn && beatNow) {
    audio.beep(qrsBeepFrequency(flags.spo2_probe_off ? null : spo2));
  }
  state.lastFrameSeconds = seconds;
  requestAnimationFrame(frame);
}

// Connection

const link = {
  socket: null,
  reconnectDelay: RECONNECT_FIRST_MS,
  reconnectTimer: null,
  pingTimer: null,
  lastHeard: 0,
};

function setStatus(status) {
  const banner = byId("status-banner");
  banner.dataset.state = status;
  banner.hidden = status === "open" || status === "ended";
  if (status === "connecting") setText(banner, text.msgConnecting);
  if (status === "reconnecting") setText(banner, text.msgReconnecting);
}

function connect() {
  clearTimeout(link.reconnectTimer);
  link.reconnectTimer = null;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${text.wsPath}`);
  let opened = false;
  link.socket = socket;
  socket.addEventListener("open", () => {
    opened = true;
    link.lastHeard = Date.now();
    link.pingTimer = setInterval(ping, PING_EVERY_MS);
  });
  socket.addEventListener("message", (event) => {
    link.lastHeard = Date.now();
    handleMessage(JSON.parse(event.data));
  });
  // A socket given up for silence may still report its close later: ignore it then.
  socket.addEventListener("close", (event) => {
    if (link.socket !== socket) return;
    handleClose(event.code);
    if (!opened) checkSessionGone();
  });
}

function ping() {
  if (Date.now() - link.lastHeard > SILENCE_LIMIT_MS) {
    const silent = link.socket;
    link.socket = null;
    silent.close();
    handleClose(null);
    return;
  }
  link.socket.send(JSON.stringify({ type: "ping" }));
}

function handleMessage(message) {
  if (message.type === "snapshot") {
    setText(byId("trainee-name"), message.trainee_name);
    state.expiresAt = parseIsoTime(message.expires_at);
    applyValues(message.values);
    link.reconnectDelay = RECONNECT_FIRST_MS;
    setStatus("open");
    document.body.dataset.ready = "true";
  } else if (message.type === "vitals") {
    applyValues(message.values);
  } else if (message.type === "session_ended") {
    endSession(message.reason);
    return;
  }
  if (message.event_id) root.dataset.eventId = message.event_id;
}

function handleClose(code) {
  clearInterval(link.pingTimer);
  if (state.ended) return;
  if (code === CLOSE_UNKNOWN_CODE) return endSession("unknown_code");
  if (code === CLOSE_SESSION_ENDED) return endSession(null);
  link.socket = null;
  setStatus("reconnecting");
  // Jitter spreads the reconnections of a whole classroom after a server restart.
  const delay = Math.min(RECONNECT_MAX_MS, link.reconnectDelay * (0.5 + Math.random()));
  link.reconnectDelay = Math.min(link.reconnectDelay * 2, RECONNECT_MAX_MS);
  link.reconnectTimer = setTimeout(connect, delay);
}

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

// Back online or back on screen: try now rather than at the end of the backoff.
function reconnectNow() {
  if (link.reconnectTimer !== null && document.visibilityState === "visible") connect();
}

function endSession(reason) {
  if (state.ended) return;
  state.ended = true;
  clearInterval(link.pingTimer);
  clearTimeout(link.reconnectTimer);
  link.socket?.close();
  link.socket = null;
  setStatus("ended");
  if (reason === "unknown_code") setText(byId("ended-title"), text.msgUnknownCode);
  setText(byId("ended-reason"), { closed: text.msgClosed, expired: text.msgExpired }[reason] ?? "");
  byId("ended").hidden = false;
  audio.stop();
  updateSoundButton();
  releaseWakeLock();
}

// Clock and countdown

function twoDigits(n) {
  return String(n).padStart(2, "0");
}

function formatTimeLeft(milliseconds) {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = `${twoDigits(minutes)}:${twoDigits(total % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

function tickClock() {
  const now = new Date();
  const clock = [now.getHours(), now.getMinutes(), now.getSeconds()].map(twoDigits).join(":");
  setText(byId("clock"), clock);
  setText(byId("time-left"), formatTimeLeft(state.expiresAt - now.getTime()));
  // Aligned to the second so the clock does not skip or stutter.
  setTimeout(tickClock, 1000 - (now.getTime() % 1000) + 5);
}

// Sound, full screen, wake lock

function updateSoundButton() {
  byId("sound-enable").hidden = !audio.supported || audio.running || state.ended;
}

function toggleBeep() {
  state.beepOn = !state.beepOn;
  byId("beep-toggle").setAttribute("aria-pressed", String(state.beepOn));
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen();
  else root.requestFullscreen().catch(() => {});
}

let wakeLock = null;

async function keepScreenOn() {
  if (!("wakeLock" in navigator) || state.ended || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
  } catch {
    // Refused (battery saver, policy): the screen may dim, the monitor still works.
  }
}

function releaseWakeLock() {
  wakeLock?.release();
  wakeLock = null;
}

// Start

byId("sound-enable").addEventListener("click", () => audio.unlock());
// Any tap or key is a user gesture that lets the audio start (pointerdown is not, for touch).
for (const type of ["pointerup", "keydown"]) document.addEventListener(type, () => audio.unlock());
byId("beep-toggle").addEventListener("click", toggleBeep);
byId("fullscreen-toggle").hidden = !document.fullscreenEnabled;
byId("fullscreen-toggle").addEventListener("click", toggleFullscreen);
document.addEventListener("fullscreenchange", () => {
  const fullscreen = document.fullscreenElement !== null;
  byId("fullscreen-toggle").setAttribute("aria-pressed", String(fullscreen));
});
document.addEventListener("visibilitychange", () => {
  keepScreenOn();
  reconnectNow();
});
window.addEventListener("online", reconnectNow);

applyValues(readServerRenderedValues());
// Autoplay-permitted screens (a kiosk TV) get sound without a tap; others show the button.
audio.unlock();
tickClock();
keepScreenOn();
connect();
requestAnimationFrame(frame);
