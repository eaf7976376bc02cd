// The monitor-defibrillator's strip along the bottom of the trainee's monitor: the manual
// defibrillator (energy, Sync, Charge, Shock, Disarm) and its pacer, or the AED (pads, Analyse,
// its prompts), and CPR with its two-minute cycle, whenever the trainer has made this monitor a
// defibrillator (docs/protocol.md, "treatment").
//
// The server holds the device's whole state and sends it with every "treatment" message and
// in the snapshot; panelView() works out from it, on the server's clock, what the strip shows
// at a moment. The buttons send the screen socket's actions; a refusal comes back as an
// "error" message to this screen only, and is shown here.
import { formatClock, formatDuration, parseIsoTime } from "./clock.js";
import { AED_JOULES, CHARGE_HOLD_SECONDS, CPR_CYCLE_SECONDS, DEFAULT_JOULES, ENERGY_CHOICES, chargeSeconds } from "./treatment.js";

// The pacer's steps and its settings when first switched on. Transcutaneous pacing starts at
// 60-80 /min and the output is raised in 5-10 mA steps until capture (LIFEPAK 15 pacing
// practice); a pacer starts at 0 mA, as real units do, so capture is the trainee's to find.
export const PACER_RATE_STEP = 10;
export const PACER_MA_STEP = 10;
export const PACER_RATES = [30, 180];
export const PACER_MILLIAMPS = [0, 200];
export const PACER_DEFAULTS = { rate: 70, ma: 0, mode: "demand" };
// The screen socket takes about one message a second (a burst of 10): a run of presses on a
// stepper is sent once, this long after the last one.
export const PACER_SEND_DELAY_MS = 700;
// A setting sent and not echoed by then is dropped: the strip shows the server's again.
export const PACER_DRAFT_MS = 5000;
// "Shock delivered" (AED) and the notices after a press, this long.
export const SHOCK_NOTICE_MS = 30_000;
export const NOTICE_MS = 6000;
// "2 minutes: check rhythm" stays up this long after each completed cycle.
export const CHECK_RHYTHM_MS = 15_000;
// The actions this strip sends: the errors it shows are theirs.
export const ACTIONS = new Set(["charge", "shock", "disarm", "analyse", "pads", "set_pacer", "cpr"]);

// What the charge does at `now` (ms): none, charging (with its progress 0-1), charged (the
// seconds left before it disarms itself), or disarmed by itself when the hold ran out.
export function chargeView(charge, now) {
  if (!charge) return { phase: "none" };
  const readyAt = parseIsoTime(charge.ready_at);
  const disarmAt = parseIsoTime(charge.disarm_at);
  const base = { joules: charge.joules, sync: Boolean(charge.sync), readyAt, disarmAt };
  if (now >= disarmAt) return { ...base, phase: "disarmed" };
  if (now >= readyAt) return { ...base, phase: "charged", secondsLeft: Math.ceil((disarmAt - now) / 1000) };
  const total = chargeSeconds(charge.joules) * 1000;
  const progress = Math.min(1, Math.max(0, 1 - (readyAt - now) / total));
  return { ...base, phase: "charging", progress, secondsLeft: Math.ceil((readyAt - now) / 1000) };
}

// CPR at `now`: the time since compressions started, the share of the current two-minute
// cycle, and whether a cycle has just been completed (time to check the rhythm).
export function cprView(cpr, now) {
  if (!cpr) return { on: false };
  const elapsed = Math.max(0, now - parseIsoTime(cpr.since));
  const cycle = CPR_CYCLE_SECONDS * 1000;
  const intoCycle = elapsed % cycle;
  return {
    on: true,
    elapsed,
    cycles: Math.floor(elapsed / cycle),
    cycleProgress: intoCycle / cycle,
    checkRhythm: elapsed >= cycle && intoCycle < CHECK_RHYTHM_MS,
  };
}

// The AED's prompt at `now` (a key of text.device.prompts), or null: what a real AED says in
// turn, from pads to advice, then CPR.
export function aedPrompt(treatment, now) {
  if (!treatment.pads) return "connect_pads";
  const analysis = treatment.analysis;
  const charge = chargeView(treatment.charge, now);
  if (analysis && now < parseIsoTime(analysis.done_at)) return "analysing";
  if (analysis?.advice === "shock") {
    if (charge.phase === "charging") return "shock_advised";
    if (charge.phase === "charged") return "press_shock";
  }
  if (treatment.cpr) return null;
  if (analysis?.advice === "no_shock") return "no_shock";
  const shock = treatment.last_shock;
  if (shock && !analysis && now - parseIsoTime(shock.at) < SHOCK_NOTICE_MS) return "shock_delivered";
  return "press_analyse";
}

// Everything the strip shows at `now` (ms, server clock), from the server's state.
export function panelView(treatment, defibrillator, now) {
  const mode = defibrillator?.mode ?? "off";
  const state = treatment ?? {};
  const charge = chargeView(state.charge, now);
  const cpr = cprView(state.cpr, now);
  const analysing = Boolean(state.analysis) && now < parseIsoTime(state.analysis.done_at);
  const prompt = cpr.checkRhythm ? "check_rhythm" : mode === "aed" ? aedPrompt(state, now) : null;
  return {
    mode,
    visible: mode !== "off",
    charge,
    cpr,
    prompt,
    pads: Boolean(state.pads),
    pacer: state.pacer ?? null,
    lastShock: state.last_shock ?? null,
    canCharge: mode === "manual" && charge.phase !== "charging",
    canShock: mode !== "off" && charge.phase === "charged",
    canDisarm: charge.phase === "charging" || charge.phase === "charged",
    canAnalyse: mode === "aed" && Boolean(state.pads) && !analysing,
  };
}

// The status line's sentence (manual, or the AED's charge), in the page's language.
export function chargeText(charge, lastShock, device) {
  const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  switch (charge.phase) {
    case "charging":
      return fill(device.charging, { joules: charge.joules });
    case "charged":
      return fill(device.charged, { joules: charge.joules, seconds: charge.secondsLeft });
    case "disarmed":
      return fill(device.auto_disarmed, { seconds: CHARGE_HOLD_SECONDS });
  }
  if (lastShock) {
    return fill(device.last_shock, { joules: lastShock.joules, time: formatClock(parseIsoTime(lastShock.at), true) });
  }
  return "";
}

// A pacer setting one step up or down, within its range.
export function stepped(settings, field, direction) {
  const [step, [low, high]] = field === "rate" ? [PACER_RATE_STEP, PACER_RATES] : [PACER_MA_STEP, PACER_MILLIAMPS];
  return { ...settings, [field]: Math.min(high, Math.max(low, settings[field] + direction * step)) };
}

const samePacer = (a, b) => a.rate === b.rate && a.ma === b.ma && a.mode === b.mode;

// The strip itself. `send(message)` returns false when nothing could be sent; `canSend()` says
// whether the link is up; `now()` is the server's time (ms); `onSync(on)` hears the Sync
// button (the ECG's marks); `audio` plays the device's tones; `soundOn()` whether sound plays.
export class DevicePanel {
  constructor(element, { monitor, text, send, canSend, now, onSync, audio, soundOn }) {
    this.element = element;
    this.clockNow = now;
    this.onSync = onSync;
    this.monitor = monitor;
    this.text = text.device;
    this.send = send;
    this.canSend = canSend;
    this.audio = audio;
    this.soundOn = soundOn;
    this.treatment = {};
    this.defibrillator = { mode: "off" };
    this.joules = DEFAULT_JOULES;
    this.sync = false;
    // The pacer settings pressed and not yet echoed: {settings, until (local ms)}.
    this.pacerDraft = null;
    this.pacerTimer = null;
    // The last settings pacing used, or chosen while it was off: what "Start pacing" starts with.
    this.lastPacer = null;
    this.notice = null;
    this.error = null;
    this.tone = undefined;
    // Prompts are spoken when they change live, not those a screen finds as it joins.
    this.spoken = undefined;
    this.byId = (id) => element.querySelector(`#${id}`);
    this.build();
  }

  build() {
    const select = this.byId("device-energy");
    for (const joules of ENERGY_CHOICES) select.add(new Option(`${joules} J`, String(joules)));
    select.value = String(this.joules);
    select.addEventListener("change", () => {
      this.joules = Number(select.value);
    });
    const on = (id, handler) => this.byId(id).addEventListener("click", handler);
    on("device-sync", () => this.setSync(!this.sync));
    on("device-charge-button", () => this.press({ type: "charge", joules: this.joules, sync: this.sync }));
    on("device-shock", () => this.press({ type: "shock" }));
    on("device-disarm", () => this.press({ type: "disarm" }));
    on("device-pads", () => this.press({ type: "pads", connected: !this.treatment.pads }));
    on("device-analyse", () => this.press({ type: "analyse" }));
    on("cpr-toggle", () => this.press({ type: "cpr", on: !this.treatment.cpr }));
    on("pacer-toggle", () => {
      const settings = this.pacerSettings();
      this.press(this.treatment.pacer ? { type: "set_pacer", on: false } : { type: "set_pacer", on: true, ...settings });
    });
    for (const button of this.element.querySelectorAll("[data-pacer-step]")) {
      const [field, direction] = button.dataset.pacerStep.split(" ");
      button.addEventListener("click", () => this.changePacer(stepped(this.pacerSettings(), field, Number(direction))));
    }
    for (const button of this.element.querySelectorAll("[data-pacer-mode]")) {
      button.addEventListener("click", () => this.changePacer({ ...this.pacerSettings(), mode: button.dataset.pacerMode }));
    }
  }

  // The pacer's settings as the strip shows them: pressed, else the server's, else defaults.
  pacerSettings() {
    if (this.pacerDraft && performance.now() < this.pacerDraft.until) return this.pacerDraft.settings;
    const pacer = this.treatment.pacer ?? this.lastPacer ?? PACER_DEFAULTS;
    return { rate: pacer.rate, ma: pacer.ma, mode: pacer.mode };
  }

  // A stepper press: shown at once; sent, once the presses stop, when the pacer is on (off,
  // it is what "Pacer" starts with).
  changePacer(settings) {
    this.pacerDraft = { settings, until: performance.now() + PACER_SEND_DELAY_MS + PACER_DRAFT_MS };
    clearTimeout(this.pacerTimer);
    if (this.treatment.pacer) {
      this.pacerTimer = setTimeout(() => this.press({ type: "set_pacer", on: true, ...settings }), PACER_SEND_DELAY_MS);
    } else {
      this.lastPacer = settings;
      this.pacerDraft = null;
    }
    this.render();
  }

  press(message) {
    this.error = null;
    if (!this.send(message)) this.error = this.text.not_sent;
    this.render();
  }

  // A snapshot, or a "treatment" message: the device's whole state.
  receive(message) {
    const mode = this.defibrillator.mode;
    this.defibrillator = message.defibrillator ?? this.defibrillator;
    if (this.defibrillator.mode !== mode) this.onSync(this.sync && this.defibrillator.mode === "manual");
    this.treatment = message.treatment ?? {};
    if (this.treatment.pacer) {
      this.lastPacer = this.treatment.pacer;
      if (this.pacerDraft && samePacer(this.pacerDraft.settings, this.treatment.pacer)) this.pacerDraft = null;
    }
    if (message.type === "snapshot") this.spoken = undefined;
    // A charge (pressed here, on another screen, or held when this one joined) sets the energy
    // and Sync its screens show: what a shock would deliver.
    const held = this.treatment.charge;
    if (held && (message.type === "snapshot" || message.kind === "charged") && this.defibrillator.mode === "manual") {
      this.joules = held.joules;
      this.setSync(Boolean(held.sync));
      const select = this.byId("device-energy");
      if (![...select.options].some((option) => option.value === String(held.joules))) {
        select.add(new Option(`${held.joules} J`, String(held.joules)));
      }
      select.value = String(held.joules);
    }
    const notices = { disarmed: this.text.disarmed, shock: this.text.shock_delivered_notice };
    if (message.kind in notices) this.notice = { text: notices[message.kind], until: performance.now() + NOTICE_MS };
    if (message.kind === "shock") this.flash();
    this.render();
  }

  // {"type": "error", "action", "errors"}: the server refused this screen's press.
  showError(message) {
    if (!ACTIONS.has(message.action)) return;
    if (message.action === "set_pacer") this.pacerDraft = null;
    this.error = Object.values(message.errors ?? {}).join(" ");
    this.render();
  }

  flash() {
    this.element.dataset.flash = "shock";
    setTimeout(() => delete this.element.dataset.flash, 1200);
  }

  stop() {
    this.setTone(null);
    clearTimeout(this.pacerTimer);
  }

  // Sync, on a manual defibrillator only: the next charge's, and the ECG's marks.
  setSync(on) {
    this.sync = on;
    this.onSync(on && this.defibrillator.mode === "manual");
    this.render();
  }

  render(now = this.clockNow()) {
    this.now = now;
    const view = panelView(this.treatment, this.defibrillator, now);
    const el = this.element;
    el.hidden = !view.visible;
    this.monitor.dataset.device = view.mode;
    el.dataset.mode = view.mode;
    if (!view.visible) {
      this.setTone(null);
      return;
    }
    const link = this.canSend();
    const set = (id, value) => {
      const node = this.byId(id);
      if (node.textContent !== String(value)) node.textContent = String(value);
    };
    const press = (id, pressed) => this.byId(id).setAttribute("aria-pressed", String(pressed));
    const enable = (id, enabled) => {
      this.byId(id).disabled = !(link && enabled);
    };

    // The charge: progress until ready, then the seconds it is held, the tones with them.
    const charge = view.charge;
    el.dataset.charge = charge.phase;
    this.byId("device-charge-bar").style.setProperty("--progress", charge.phase === "charging" ? charge.progress : charge.phase === "charged" ? 1 : 0);
    set("device-joules", view.mode === "aed" ? `${AED_JOULES} J` : charge.phase === "none" ? "" : `${charge.joules} J`);
    el.dataset.sync = String(charge.phase === "none" ? this.sync : charge.sync);
    press("device-sync", this.sync);
    enable("device-sync", view.mode === "manual");
    enable("device-energy", view.mode === "manual");
    enable("device-charge-button", view.canCharge);
    enable("device-shock", view.canShock);
    enable("device-disarm", view.canDisarm);
    this.setTone(charge.phase === "charging" ? "charging" : charge.phase === "charged" ? "charged" : null, charge);

    // AED
    press("device-pads", view.pads);
    enable("device-pads", view.mode === "aed");
    enable("device-analyse", view.canAnalyse);

    // Pacer
    const pacer = this.pacerSettings();
    el.dataset.pacing = String(view.pacer !== null);
    // Settings pressed and not yet echoed by the server: shown, not yet the device's.
    el.dataset.pacerPending = String(this.pacerDraft !== null && performance.now() < this.pacerDraft.until);
    press("pacer-toggle", view.pacer !== null);
    set("pacer-toggle-label", view.pacer ? this.text.pacer_stop : this.text.pacer_start);
    set("pacer-rate", pacer.rate);
    set("pacer-ma", pacer.ma);
    for (const button of el.querySelectorAll("[data-pacer-mode]")) {
      button.setAttribute("aria-pressed", String(button.dataset.pacerMode === pacer.mode));
      button.disabled = !link || view.mode !== "manual";
    }
    for (const button of el.querySelectorAll("[data-pacer-step]")) button.disabled = !link || view.mode !== "manual";
    enable("pacer-toggle", view.mode === "manual");

    // CPR and its cycle
    press("cpr-toggle", view.cpr.on);
    enable("cpr-toggle", true);
    set("cpr-toggle-label", view.cpr.on ? this.text.cpr_stop : this.text.cpr_start);
    set("cpr-time", view.cpr.on ? formatDuration(view.cpr.elapsed) : "--:--");
    this.byId("cpr-cycle").style.setProperty("--progress", view.cpr.on ? view.cpr.cycleProgress : 0);
    el.dataset.cpr = String(view.cpr.on);

    // The status line: a refusal, else the prompt, else the charge, else a notice.
    const prompt = view.prompt ? this.text.prompts[view.prompt] : "";
    set("device-prompt", prompt);
    el.dataset.prompt = view.prompt ?? "";
    const notice = this.notice && performance.now() < this.notice.until ? this.notice.text : "";
    // The AED says what to do in its prompt; its charge is its own, never "shock or disarm".
    const status = view.mode === "aed" && charge.phase !== "disarmed" ? "" : chargeText(charge, view.lastShock, this.text);
    set("device-status", status || notice);
    set("device-error", this.error ?? "");
    this.byId("device-error").hidden = !this.error;
    this.speak(view.prompt, prompt);
  }

  // Prompts spoken, as an AED speaks them, in the page's language, when sound is on.
  speak(key, sentence) {
    const previous = this.spoken;
    this.spoken = key;
    if (previous === undefined || key === previous || !key) return;
    if (!this.soundOn() || !("speechSynthesis" in globalThis)) return;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(sentence);
    utterance.lang = document.documentElement.lang;
    speechSynthesis.speak(utterance);
  }

  setTone(tone, charge) {
    // Keyed on the sound too: a tone held back until a tap starts once the sound does.
    const key = tone === null || !this.audio.running ? null : `${tone} ${charge.readyAt}`;
    if (key === this.tone) return;
    this.tone = key;
    if (tone === "charging") this.audio.charging((charge.readyAt - this.now) / 1000);
    else if (tone === "charged") this.audio.charged();
    else this.audio.deviceQuiet();
    this.element.dataset.tone = key === null ? "" : tone;
  }
}
