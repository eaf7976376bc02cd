// The trainer's cockpit: sends changes over the control socket (no reload, no jump), shows the
// ack or the field errors inline, keeps the screens, the values, the trend in progress, the cuff,
// the steps and the events live, and mirrors what the monitors show. A change made while the
// link is down waits and goes once it is back; only when the server answers but its socket does
// not is the form posted the classic way (the server is then alive), so nothing is lost.
import { abpConnected, conditionText, evaluateAlarms, shownValues, withoutSignal } from "./alarms.js";
import { ServerClock, formatClock, formatDuration, localNow, parseIsoTime } from "./clock.js";
import { MonitorAudio } from "./audio.js";
import { LiveSocket, socketUrl } from "./live-socket.js";
import { Cuff, meanArterialPressure, nextAutomaticStart } from "./nibp.js";
import { CPR_CYCLE_SECONDS, treatedValues } from "./treatment.js";
import { INTEGER_FIELDS, NUMBER_FIELDS, inProgress, progress, valuesAt } from "./trends.js";

// First: the controls marked js-only (presets, transition choices) show from here on.
document.documentElement.classList.add("js");

const root = document.getElementById("control");
const byId = (id) => document.getElementById(id);
const form = byId("vitals-form");
const socketState = byId("socket-state");
const readJson = (id) => JSON.parse(byId(id).textContent);
// The page's settings (data-*), and what it says, in its language (sessions_app/page_text.py).
const config = root.dataset;
const text = readJson("page-text");
let expiresAt = parseIsoTime(config.expiresAt);
// The trainer is told this long before the end, with the buttons to add time beside it.
const EXPIRY_WARNING_MS = 5 * 60 * 1000;

const OPTIONAL_INPUTS = new Set(["respiratory_rate", "etco2", "abp_systolic", "abp_diastolic", "cvp"]);
// What the trainer sets up once (the second lead, the line's damping, artefacts): a preset
// leaves them as they are.
const SETUP_FLAGS = ["ecg_lead2", "abp_damping"];
const TICK_MS = 250;
const CPR_CYCLE_MS = CPR_CYCLE_SECONDS * 1000;

const initial = readJson("control-state");
const clock = new ServerClock();
clock.addSample(parseIsoTime(initial.now), performance.timeOrigin, localNow());
const alarmRules = readJson("alarm-rules");
const live = {
  limits: initial.alarm_limits,
  target: initial.values,
  trend: initial.trend,
  silencedUntil: parseIsoTime(initial.alarms_silenced_until),
  cuff: new Cuff(initial.nibp, parseIsoTime(initial.now)),
  paused: initial.paused,
  treatment: initial.treatment,
  defibrillator: initial.defibrillator,
};
// The trainee's shocks and analyses are heard here too; sound starts with the first click.
const audio = new MonitorAudio(() => {});
document.addEventListener("pointerdown", () => audio.unlock(), { once: true });
// The two-tone call of a treatment the trainer must answer (a shock, an AED's advice).
const NEWS_TONES_HZ = [660, 880];
const NEWS_KINDS = new Set(["shock", "analysed"]);
// Long enough to be seen from across the room, short enough not to be taken for the present.
const BANNER_MS = 20_000;
let bannerTimer = null;

const { close: CLOSE, recent_events: MAX_EVENT_ROWS } = readJson("protocol");

let openedBefore = false;
let ended = config.open !== "true";
let nextRequestId = 1;
// request_id -> the form that sent it and what to say on success.
const pending = new Map();
// Forms with edits not sent yet: a reconnection must not throw them away.
const edited = new Set();
// What was asked while the link was down, one per form (the newest): sent once it is back.
const queued = new Map();
// The join card folds away once, when the first screen joins; then the trainer decides.
let joinCardFolded = false;
// The owner took this trainer off the team: the socket closes next, for good.
let revoked = false;

const socket = new LiveSocket(socketUrl(config.wsPath), clock, {
  onOpen() {
    socket.healthy();
    setSocketState("open");
    // The control socket sends no snapshot: whatever happened while it was down is missing.
    if (openedBefore) resync();
    openedBefore = true;
    for (const [sender, { message, onAck, submitter }] of queued) send(sender, message, onAck, submitter);
    queued.clear();
  },
  onMessage: handle,
  onClose(code) {
    // The session is over (closed here, elsewhere, or at its end): nothing waits to be sent.
    if (code === CLOSE.ended || ended) {
      pending.clear();
      endSession();
      return "stop";
    }
    // No answer will come on this socket: each unanswered change waits to be sent again (the
    // service's row lock and newest-event rule make a repeat harmless).
    for (const [requestId, request] of pending) {
      queued.set(request.sender, request);
      showStatus(request.sender, text.queued, "warn");
      pending.delete(requestId);
    }
    if (code === CLOSE.forbidden) {
      if (revoked) loseSession();
      else signOut();
      return "stop";
    }
    setSocketState(code === CLOSE.restart ? "restarting" : "closed");
    return code === CLOSE.full ? "wait" : undefined;
  },
});

// After a reconnection, or when a step moved: the server's state and the parts of the page it
// renders, from the page as it is now; forms with unsent edits stay as the trainer left them.
async function resync() {
  let page;
  try {
    const response = await fetch(location.href, { cache: "no-store" });
    if (!response.ok) return;
    page = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return;
  }
  const state = JSON.parse(page.getElementById("control-state").textContent);
  live.target = state.values;
  live.trend = state.trend;
  live.limits = state.alarm_limits;
  live.silencedUntil = parseIsoTime(state.alarms_silenced_until);
  live.cuff = new Cuff(state.nibp, parseIsoTime(state.now));
  showPaused(state.paused);
  for (const id of ["current-values", "trend-rows", "event-rows", "scenario-steps", "note-items", "presets", "result-items", "checklist-items"]) {
    const fresh = page.getElementById(id);
    if (fresh && byId(id)) byId(id).replaceWith(document.adoptNode(fresh));
  }
  wireChecklist();
  setupPresets();
  const profile = page.getElementById("profile-form")?.elements.profile.value;
  if (profile && byId("profile-form") && !edited.has(byId("profile-form"))) byId("profile-form").elements.profile.value = profile;
  if (!edited.has(limitsForm)) fillLimits(state.alarm_limits);
  if (!edited.has(intervalForm)) showInterval(state.nibp.interval_minutes);
  if (!edited.has(form)) followPatient(live.target);
  tick();
}

function setSocketState(state) {
  socketState.dataset.state = state;
  const symbol = document.createElement("span");
  symbol.setAttribute("aria-hidden", "true");
  symbol.textContent = state === "open" ? "●" : "○";
  const label = { open: text.link_open, closed: text.link_closed, restarting: text.link_restarting }[state] ?? text.link_off;
  socketState.replaceChildren(symbol, ` ${label}`);
  // Without the link, nobody can say how many screens watch.
  if (state !== "open") showViewers(null);
}

function showViewers(count, html) {
  const element = byId("viewer-count");
  element.textContent = count ?? text.unknown;
  element.dataset.known = String(count !== null && count !== undefined);
  if (html !== undefined) byId("screen-list").innerHTML = html;
  if (count > 0 && !joinCardFolded) {
    joinCardFolded = true;
    byId("join-card").open = false;
  }
}

function handle(message) {
  const now = clock.now();
  switch (message.type) {
    case "viewers":
      // null: the count is unknown for now (the server cannot reach its cache).
      showViewers(message.count, message.html?.screens);
      break;
    case "vitals":
      live.cuff.receive(message, now, currentValuesAt);
      live.target = message.values;
      live.trend = message.trend;
      showFragments(message.html);
      // The form shows what the monitors show (the target of a trend), unless the trainer is
      // writing in it.
      // Otherwise it says the monitors moved on, with the way back to what they show.
      if (!edited.has(form)) followPatient(message.values);
      else byId("form-behind").hidden = false;
      if (message.step !== undefined) resync();
      if (message.kind === "paused" || message.kind === "resumed") showPaused(message.kind === "paused");
      break;
    case "treatment":
      live.treatment = message.treatment;
      live.defibrillator = message.defibrillator;
      showTreatment(message);
      showFragments(message.html);
      followRecognised(message.kind);
      break;
    case "alarm_limits":
      live.limits = message.limits;
      fillLimits(message.limits);
      showFragments(message.html);
      break;
    case "nibp_started":
      live.cuff.receive(message, now, currentValuesAt);
      showFragments(message.html);
      followRecognised(message.type);
      break;
    case "nibp_interval":
      live.cuff.receive(message, now, currentValuesAt);
      showInterval(message.minutes);
      showFragments(message.html);
      break;
    case "profile":
      // The presets and the limits are the new patient's: the server renders them.
      showFragments(message.html);
      resync();
      break;
    case "twelve_lead":
      showFragments(message.html);
      break;
    case "result":
      showFragments(message.html);
      addResultItem(message.html?.result_item);
      break;
    case "alarms_silenced":
      live.silencedUntil = parseIsoTime(message.until);
      showFragments(message.html);
      break;
    case "ack":
      acknowledge(message);
      break;
    case "error":
      refuse(message);
      break;
    case "session_extended":
      expiresAt = parseIsoTime(message.expires_at);
      showFragments(message.html);
      break;
    case "session_ended":
      endSession(message.reason);
      break;
    case "note":
      // A colleague's note; this page's own arrives with its ack too.
      addNote(message.note, message.html?.note_item);
      break;
    case "action_logged":
      // Logged here or on another control page of the session; this page's own comes with its ack too.
      placeLogged(message.expected, message.logged, message.html?.logged_item);
      break;
    case "action_undone":
      removeLogged(message.undoes);
      break;
    case "access_changed":
      // The owner gave this trainer another role: the page comes back with its controls.
      if (message.role !== config.role) location.reload();
      break;
    case "access_revoked":
      revoked = true;
      break;
  }
  tick();
}

function addNote(id, html) {
  const list = byId("note-items");
  if (!html || list.querySelector(`[data-note="${CSS.escape(id)}"]`)) return;
  list.insertAdjacentHTML("beforeend", html);
}

// The checklist (includes/control_checklist.html): each logged action is the server's fragment,
// placed once (keyed by its id) beside its expected action or in the list of unexpected ones.
function placeLogged(expected, id, html) {
  const checklist = byId("checklist");
  if (!html || !checklist || checklist.querySelector(`[data-logged="${CSS.escape(id)}"]`)) return;
  if (!expected) byId("logged-actions").insertAdjacentHTML("beforeend", html);
  else {
    const row = checklist.querySelector(`li.expected[data-expected="${CSS.escape(expected)}"]`);
    // An action this page does not list (a step not reached yet): nothing to mark.
    if (!row) return;
    row.classList.add("done");
    row.querySelector(".log-expected")?.setAttribute("disabled", "");
    row.querySelector(".done-slot").innerHTML = html;
  }
  wireChecklist();
}

function removeLogged(id) {
  const mark = byId("checklist")?.querySelector(`[data-logged="${CSS.escape(id)}"]`);
  if (!mark) return;
  const row = mark.closest("li.expected");
  mark.remove();
  if (!row) return;
  row.classList.remove("done");
  row.querySelector(".log-expected")?.removeAttribute("disabled");
  // Shiller may have seen it done meanwhile (a shock): the server says.
  if (row.dataset.recognise) resync();
}

// What a trainee's treatment can tick without a tap (assessment/expected.py RECOGNISED): the
// server decides whether this event does it, so the page asks for its checklist again.
const RECOGNISING = { shock: "first_shock", nibp_started: "first_nibp", pacer: "pacing_started", cpr: "cpr_started" };
function followRecognised(kind) {
  const name = RECOGNISING[kind];
  if (name && byId("checklist")?.querySelector(`li.expected[data-recognise="${name}"]:not(.done)`)) resync();
}

// The fragments the socket brings have no CSRF token (no request renders them): the page's own
// goes in, for a form posted the classic way.
function wireChecklist() {
  const token = root.querySelector("[name=csrfmiddlewaretoken]")?.value;
  for (const undo of byId("checklist")?.querySelectorAll("form.undo-form") ?? []) {
    if (token && !undo.elements.csrfmiddlewaretoken) {
      undo.prepend(Object.assign(document.createElement("input"), { type: "hidden", name: "csrfmiddlewaretoken", value: token }));
    }
  }
  setupStepForms();
}

// Undo is offered for a few seconds after the logging (server time): then the log is the record.
function hideLateUndos(now) {
  const sending = new Set([...pending.values()].map((request) => request.sender));
  for (const undo of byId("checklist")?.querySelectorAll("form.undo-form[data-until]") ?? []) {
    // One on its way stays until answered: a refusal is said beside it.
    if (now >= parseIsoTime(undo.dataset.until) && !sending.has(undo)) undo.remove();
  }
}

function loseSession() {
  setSocketState("off");
  byId("revoked-banner").hidden = false;
  for (const fieldset of root.querySelectorAll("fieldset.drive")) fieldset.disabled = true;
  for (const sender of root.querySelectorAll("form")) sender.inert = true;
}

// Sending, acks and errors

// Sends over the socket, or keeps the change until the link is back.
function send(sender, message, onAck, submitter) {
  if (!socket.isOpen) {
    queued.set(sender, { sender, message, onAck, submitter });
    showStatus(sender, text.queued, "warn");
    postIfServerAnswers(sender);
    return;
  }
  const requestId = String(nextRequestId++);
  pending.set(requestId, { sender, message, onAck, submitter });
  if (sender === form) byId("send-warnings").hidden = true;
  clearErrors(sender);
  showStatus(sender, "…", "");
  socket.send({ ...message, request_id: requestId });
}

// The page answers but its socket does not (a proxy without websockets): post the form the
// classic way. A server that does not answer gets nothing: the change waits for the link.
async function postIfServerAnswers(sender) {
  try {
    const response = await fetch(location.href, { method: "HEAD", cache: "no-store" });
    if (!response.ok) return;
  } catch {
    return;
  }
  if (socket.isOpen || !queued.has(sender)) return;
  const { submitter } = queued.get(sender);
  queued.delete(sender);
  showStatus(sender, text.offline, "warn");
  // submit() posts without the pressed button: +30 min says its minutes in a field instead.
  if (submitter?.name) {
    const pressed = Object.assign(document.createElement("input"), { type: "hidden" });
    Object.assign(pressed, { name: submitter.name, value: submitter.value });
    sender.append(pressed);
  }
  sender.submit();
}

function acknowledge(message) {
  const request = pending.get(message.request_id);
  if (!request) return;
  pending.delete(message.request_id);
  edited.delete(request.sender);
  if (request.sender === form) byId("form-behind").hidden = true;
  const [status, kind] = request.onAck(message);
  showStatus(request.sender, status, kind);
}

function refuse(message) {
  const request = pending.get(message.request_id);
  pending.delete(message.request_id);
  showErrors(request?.sender ?? form, message.errors);
}

function statusElement(sender) {
  return root.querySelector(`[data-status-for="${sender?.id}"]`);
}

function showStatus(sender, message, kind) {
  const element = statusElement(sender);
  if (!element) return;
  element.textContent = message;
  element.className = `send-status ${kind}`;
}

function clearErrors(sender) {
  sender?.querySelectorAll("p.error.live").forEach((element) => element.remove());
  sender?.querySelectorAll(".has-error").forEach((element) => element.classList.remove("has-error"));
}

// Each error goes next to its field: the wrapper named after it (field-<name>), else the input's.
function showErrors(sender, errors) {
  clearErrors(sender);
  // A refusal about the session (paused, ended) has no field: the status says it, in sight.
  const unplaced = [];
  for (const [field, message] of Object.entries(errors)) {
    const error = document.createElement("p");
    error.className = "error live";
    error.dataset.field = field;
    error.textContent = message;
    const input = sender.elements?.[field];
    const wrapper =
      sender.querySelector(`[class~="field-${CSS.escape(field)}"]`) ??
      (input instanceof Element ? input.closest(".field") : null);
    if (wrapper) {
      wrapper.classList.add("has-error");
      // A limits row: the message goes in its last cell.
      (wrapper.tagName === "TR" ? wrapper.lastElementChild : wrapper).append(error);
    } else {
      unplaced.push(message);
    }
  }
  showStatus(sender, unplaced.length ? unplaced.join(" ") : text.error, "error");
}

// The values form

// A number as typed when it is one, else the raw text: the server names what is wrong with it.
function typed(raw, pattern) {
  const value = String(raw ?? "").trim();
  return pattern.test(value) ? Number(value) : value;
}

function formValues() {
  const data = new FormData(form);
  const values = {};
  for (const field of INTEGER_FIELDS) {
    const raw = String(data.get(field) ?? "").trim();
    // An optional sensor left empty is absent: its tile stays empty.
    values[field] = OPTIONAL_INPUTS.has(field) && raw === "" ? null : typed(raw, /^-?\d+$/);
  }
  // 37,5 as French writes it is 37.5 (the server reads it so too, forms.DecimalCommaField).
  const temperature = String(data.get("temperature") ?? "").trim().replace(",", ".");
  values.temperature = temperature === "" ? null : typed(temperature, /^-?\d+(\.\d+)?$/);
  values.flags = {
    rhythm: data.get("rhythm"),
    alarm: data.get("alarm") === "on",
    spo2_probe_off: data.get("spo2_probe_off") === "on",
    ecg_leads_off: data.get("ecg_leads_off") === "on",
    no_pulse: data.get("no_pulse") === "on",
    pulsus_paradoxus: data.get("pulsus_paradoxus") === "on",
    hidden: data.getAll("hidden"),
    ectopy_every: String(data.get("ectopy_every") ?? "").trim() === "" ? null : typed(data.get("ectopy_every"), /^-?\d+$/),
    ecg_lead2: data.get("ecg_lead2"),
    abp_damping: data.get("abp_damping"),
    artefacts: data.getAll("artefacts"),
  };
  return values;
}

// A preset sets the patient; which sensors are connected stays as the trainer left it.
function fillForm(values) {
  for (const field of NUMBER_FIELDS) {
    // A preset without a line leaves the line as it is (views._presets).
    if (!(field in values)) continue;
    form.elements[field].value = field === "temperature" && values[field] != null
      ? temperatureFormat.format(values[field])
      : values[field] ?? "";
  }
  form.elements.rhythm.value = values.flags.rhythm;
  form.elements.alarm.checked = values.flags.alarm;
  for (const flag of ["spo2_probe_off", "ecg_leads_off", "no_pulse", "pulsus_paradoxus"]) {
    form.elements[flag].checked = Boolean(values.flags[flag]);
  }
  form.elements.ectopy_every.value = values.flags.ectopy_every ?? "";
}

// The patient as every screen now has it, sensors included; the next change starts from here.
function followPatient(values) {
  if (!form || !values) return;
  byId("form-behind").hidden = true;
  fillForm(values);
  const hidden = new Set(values.flags.hidden ?? []);
  for (const checkbox of form.querySelectorAll("input[name=hidden]")) checkbox.checked = hidden.has(checkbox.value);
  for (const flag of SETUP_FLAGS) if (values.flags[flag]) form.elements[flag].value = values.flags[flag];
  const artefacts = new Set(values.flags.artefacts ?? []);
  for (const checkbox of form.querySelectorAll("input[name=artefacts]")) checkbox.checked = artefacts.has(checkbox.value);
}

// The transition picker: presets and "custom" write the seconds field the form posts.
function setupTransitionPicker() {
  const seconds = form.elements.transition_seconds;
  const choices = [...form.querySelectorAll("input[name=transition_choice]")];
  const matchChoice = () => {
    const match = choices.find((choice) => choice.value === String(Number(seconds.value)));
    (match ?? choices.find((choice) => choice.value === "custom")).checked = true;
    seconds.closest(".transition").dataset.custom = String(!match);
  };
  for (const choice of choices) {
    choice.addEventListener("change", () => {
      if (choice.value !== "custom") seconds.value = choice.value;
      else seconds.focus();
      seconds.closest(".transition").dataset.custom = String(choice.value === "custom");
    });
  }
  seconds.addEventListener("input", matchChoice);
  matchChoice();
}

// What the page shows

// The server renders what a message changes on this page, in its language (fragments.py): the
// current values, the rows of the trend in progress, the event's row.
function showFragments(html) {
  if (!html) return;
  if (html.current_values !== undefined) byId("current-values").innerHTML = html.current_values;
  if (html.trend_rows !== undefined) byId("trend-rows").innerHTML = html.trend_rows;
  const eventsBody = byId("event-rows");
  eventsBody.querySelector("tr.empty")?.remove();
  eventsBody.insertAdjacentHTML("afterbegin", html.event_row);
  while (eventsBody.rows.length > MAX_EVENT_ROWS) eventsBody.lastElementChild.remove();
}

// The trainee's treatment: the server's sentence on top of the card, the device's state, the
// compressions button; a shock or an AED's advice flashes the card and sounds.
const MAX_TREATMENT_NEWS = 6;
function showTreatment(message) {
  const news = byId("treatment-news");
  if (news && message.html) {
    byId("treatment-empty")?.remove();
    news.insertAdjacentHTML("afterbegin", message.html.treatment);
    while (news.children.length > MAX_TREATMENT_NEWS) news.lastElementChild.remove();
    byId("device-summary").innerHTML = message.html.device;
  }
  showCprButton();
  if (NEWS_KINDS.has(message.kind) && message.html) {
    const banner = byId("treatment-banner");
    banner.innerHTML = message.html.treatment;
    banner.hidden = false;
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(() => (banner.hidden = true), BANNER_MS);
    const card = byId("treatment-card");
    card.classList.remove("news-flash");
    void card.offsetWidth; // Restart the animation for a second shock in a row.
    card.classList.add("news-flash");
    NEWS_TONES_HZ.forEach((frequency, index) => setTimeout(() => audio.beep(frequency), index * 180));
  }
}

function showCprButton() {
  const cprForm = byId("cpr-form");
  if (!cprForm) return;
  const on = Boolean(live.treatment?.cpr);
  cprForm.elements.on.value = on ? "false" : "true";
  byId("cpr-toggle").textContent = on ? text.cpr_stop : text.cpr_start;
}

// "CPR 01:23 · cycle 2": the two-minute cycles since compressions started.
function showCprCycle(now) {
  const element = byId("cpr-cycle");
  if (!element) return;
  const since = parseIsoTime(live.treatment?.cpr?.since);
  if (since === null) {
    element.textContent = "";
    return;
  }
  const elapsed = Math.max(0, now - since);
  const cycle = Math.floor(elapsed / CPR_CYCLE_MS);
  element.textContent = text.cpr_cycle
    .replace("%(time)s", formatDuration(elapsed - cycle * CPR_CYCLE_MS))
    .replace("%(cycle)s", String(cycle + 1));
}

const currentValuesAt = (time) => valuesAt(live.target, live.trend, time);

// In the page's locale, as the server writes the rows (fragments.number_text): 36,8 in French.
const temperatureFormat = new Intl.NumberFormat(document.documentElement.lang, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const formatNumber = (field, value) => (field === "temperature" ? temperatureFormat.format(value) : String(value));

function showTrend(now) {
  const trend = live.trend;
  const running = inProgress(trend, now) && byId("trend-rows").rows.length > 0;
  byId("trend").hidden = !running;
  byId("current-is-target").hidden = !running;
  if (!running) return;
  const values = currentValuesAt(now);
  const end = parseIsoTime(trend.started_at) + trend.seconds * 1000;
  byId("trend-left").textContent = formatDuration(end - now);
  byId("trend-progress").value = progress(trend, now);
  for (const row of byId("trend-rows").rows) {
    row.querySelector(".trend-now").textContent = formatNumber(row.dataset.field, values[row.dataset.field]);
  }
}

function showCuff(now) {
  const element = byId("nibp-state");
  if (!element) return;
  live.cuff.update(now, currentValuesAt);
  const reading = live.cuff.reading;
  let message;
  if (live.cuff.measuringSince(now) !== null) message = text.nibp_measuring;
  else if (reading) {
    message = text.nibp_reading
      .replace("%(bp)s", `${reading.systolic}/${reading.diastolic}`)
      .replace("%(time)s", formatClock(reading.takenAt));
  } else message = text.nibp_none;
  const next = nextAutomaticStart(live.cuff.nibp, now);
  if (next !== null) message += ` · ${text.nibp_next.replace("%(time)s", formatClock(next))}`;
  if (element.textContent !== message) element.textContent = message;
  element.dataset.measuring = String(live.cuff.measuringSince(now) !== null);
}

function showSilenced(now) {
  const silenced = live.silencedUntil !== null && now < live.silencedUntil;
  byId("silenced-banner").hidden = !silenced;
  if (silenced) byId("silenced-left").textContent = formatDuration(live.silencedUntil - now);
}

function fillLimits(limits) {
  const limitsForm = byId("limits-form");
  if (!limitsForm) return;
  for (const [field, [low, high]] of Object.entries(limits)) {
    if (limitsForm.elements[`${field}_low`]) limitsForm.elements[`${field}_low`].value = low;
    if (limitsForm.elements[`${field}_high`]) limitsForm.elements[`${field}_high`].value = high;
  }
}

function showInterval(minutes) {
  const select = byId("nibp-interval-form")?.elements.minutes;
  if (select) select.value = String(minutes);
}

function showPaused(paused) {
  live.paused = paused;
  byId("paused-banner").hidden = !paused;
  const pauseForm = byId("pause-form");
  if (!pauseForm) return;
  pauseForm.hidden = paused;
  byId("resume-form").hidden = !paused;
}

// Closed here or elsewhere, or at its end: the page says so where the trainer looks, and only
// what still makes sense stays (notes, the debrief).
function endSession(reason) {
  if (ended && byId("ended-banner").hidden === false) return;
  ended = true;
  queued.clear();
  setSocketState("off");
  byId("viewer-count").textContent = "—";
  const status = byId("session-status");
  const label = text.status[reason] ?? text.status.closed;
  status.textContent = label;
  status.className = `badge ${reason === "expired" ? "expired" : "closed"}`;
  const banner = byId("ended-banner");
  banner.textContent = reason === "expired" ? text.ended_expired : text.ended_closed;
  banner.hidden = false;
  for (const id of ["pause-form", "resume-form", "extend-form", "close-confirm", "expiry-warning", "paused-banner"]) {
    if (byId(id)) byId(id).hidden = true;
  }
  showStatus(form, text.ended, "error");
  // Notes still work after the end: the debrief takes them.
  root
    .querySelectorAll(
      "form:not(.note-form) input, form:not(.note-form) select, form:not(.note-form) button, .preset",
    )
    .forEach((element) => (element.disabled = true));
}

// The forms keep posting: the server sends them to the login page.
function signOut() {
  setSocketState("off");
  showStatus(form, text.signed_out, "error");
}

function tick() {
  const now = clock.now();
  byId("time-left").textContent = formatDuration(expiresAt - now);
  const warning = byId("expiry-warning");
  if (warning) warning.hidden = !(expiresAt - now > 0 && expiresAt - now < EXPIRY_WARNING_MS);
  showTrend(now);
  showCuff(now);
  showSilenced(now);
  showMirror(now);
  showCprCycle(now);
  hideLateUndos(now);
}

// "120/70 (87)": systolic/diastolic (mean), the mean as vitals.mean_arterial_pressure has it.
// "118/64 (82)": a pressure with its mean, as the monitors show the cuff's and the line's.
const pressureText = (systolic, diastolic) => `${systolic}/${diastolic} (${meanArterialPressure(systolic, diastolic)})`;

// The mirror: the numbers and the alarm the screens show now, by the screens' own rules.
const rhythmNames = Object.fromEntries(
  [...(form?.elements.rhythm.options ?? [])].map((option) => [option.value, option.textContent]),
);
function showMirror(now) {
  const mirror = byId("mirror");
  if (!mirror) return;
  // What the screens show: the pacer and CPR change the trainer's values (treatment.js).
  const values = live.target ? treatedValues(currentValuesAt(now), live.treatment, live.defibrillator) : null;
  const reading = live.cuff.reading;
  const shown = shownValues(values, reading);
  const noSignal = withoutSignal(values, reading);
  const alarms = evaluateAlarms(values, shown, live.limits, alarmRules, Boolean(reading?.no_pulse));
  const silenced = live.silencedUntil !== null && now < live.silencedUntil;
  const top = alarms.conditions[0];
  mirror.dataset.alarm = top?.level ?? "";
  // Without the link, what it shows may be old: it says so.
  mirror.dataset.stale = String(!socket.isOpen && !ended);
  for (const tile of mirror.querySelectorAll(".mirror-tile")) {
    const field = tile.dataset.field;
    // The invasive lines' tiles show only while connected.
    if (field === "abp") tile.hidden = !abpConnected(values);
    if (field === "cvp") tile.hidden = !(values && values.cvp != null && !(values.flags.hidden ?? []).includes("cvp"));
    if (tile.hidden) continue;
    let value = null;
    if (noSignal.has(field)) value = null;
    else if (field === "nibp") value = shown.systolic === null ? null : pressureText(shown.systolic, shown.diastolic);
    else if (field === "abp") value = shown.abp_systolic === null ? null : pressureText(shown.abp_systolic, shown.abp_diastolic);
    else if (shown[field] !== null) value = formatNumber(field, shown[field]);
    const level = {
      nibp: alarms.fields.systolic ?? alarms.fields.diastolic,
      abp: alarms.fields.abp_systolic ?? alarms.fields.abp_diastolic,
    }[field] ?? alarms.fields[field];
    tile.dataset.alarm = level ?? "";
    const output = tile.querySelector(".mirror-value");
    const display = value ?? "---";
    if (output.textContent !== display) output.textContent = display;
  }
  // The most urgent condition, as the screens' alarm band says it, and how many more there are.
  let alarmLine = top ? conditionText(top, text, rhythmNames) : "";
  if (alarms.conditions.length > 1) alarmLine += ` (+${alarms.conditions.length - 1})`;
  if (top && silenced) alarmLine += ` · ${text.mirror_silenced}`;
  if (byId("mirror-alarm").textContent !== alarmLine) byId("mirror-alarm").textContent = alarmLine;
  const rhythm = values ? rhythmNames[values.flags.rhythm] ?? "" : text.mirror_waiting;
  const states = [];
  if (live.paused) states.push(text.mirror_paused);
  if (inProgress(live.trend, now)) states.push(text.mirror_trend);
  if (live.cuff.measuringSince(now) !== null) states.push(text.nibp_measuring);
  byId("mirror-rhythm").textContent = rhythm;
  byId("mirror-state").textContent = states.join(" · ");
}

// Forms: each names its action (data-action, see sessions_app/actions.py) and sends it over the
// socket when it is open, else posts the classic way to the same action. The ack's `message`
// says, in the page's language, that it was done.

function limitsFromForm(limitsForm) {
  const limits = {};
  for (const row of limitsForm.querySelectorAll("[data-parameter]")) {
    const field = row.dataset.parameter;
    limits[field] = [
      typed(limitsForm.elements[`${field}_low`].value, /^-?\d+$/),
      typed(limitsForm.elements[`${field}_high`].value, /^-?\d+$/),
    ];
  }
  return limits;
}

// What an action's form sends besides its type (none: nothing more).
const payloads = {
  set_vitals: () => ({
    values: formValues(),
    transition_seconds: typed(form.elements.transition_seconds.value || "0", /^\d+$/),
  }),
  set_alarm_limits: (sender) => ({ limits: limitsFromForm(sender) }),
  set_nibp_interval: (sender) => ({ minutes: Number(sender.elements.minutes.value) }),
  // The button pressed says how much: +15, +30 or +60 minutes.
  extend_session: (sender, submitter) => ({ minutes: Number(submitter?.value) }),
  // A jump names its step; Next step names none.
  apply_step: (sender) => (sender.elements.index ? { index: Number(sender.elements.index.value) } : {}),
  add_note: (sender) => ({ text: sender.elements.text.value }),
  // An expected action's key, a common action's button, or the name typed.
  log_action: (sender, submitter) => {
    if (sender.elements.expected) return { expected: sender.elements.expected.value };
    if (submitter?.name === "name") return { name: submitter.value };
    return { name: sender.elements.name.value };
  },
  undo_action: (sender) => ({ logged: sender.elements.logged.value }),
  set_profile: (sender) => ({ profile: sender.elements.profile.value }),
  set_defibrillator: (sender) => ({
    mode: sender.elements.mode.value,
    capture_threshold_ma: typed(sender.elements.capture_threshold_ma.value, /^\d+$/),
    cpr_quality: sender.elements.cpr_quality.value,
  }),
  cpr: (sender) => ({ on: sender.elements.on.value === "true" }),
  // Results: the numbers as typed (7,21 too); the server reads and flags them (results.py).
  send_blood_gas: (sender) => ({
    ...resultTexts(sender, "gas"),
    values: Object.fromEntries(
      [...sender.querySelectorAll(".result-grid input")]
        .filter((input) => input.value.trim() !== "")
        .map((input) => [input.name.replace(/^gas-/, ""), input.value]),
    ),
  }),
  send_lab_panel: (sender) => ({
    ...resultTexts(sender, "lab"),
    rows: [...sender.querySelectorAll(".lab-rows tbody tr")].map((row) =>
      Object.fromEntries(
        [...row.querySelectorAll("input")].map((input) => [input.name.replace(/^lab-row_\d+_/, ""), input.value]),
      ),
    ),
  }),
  send_glucose: (sender) => ({ ...resultTexts(sender, "glucose"), value: sender.elements["glucose-value"].value }),
};
const resultSent = (ack, sender) => sender.reset();
const afterAck = {
  set_alarm_limits: (ack) => fillLimits(ack.limits),
  set_profile: (ack) => fillLimits(ack.limits),
  add_note: (ack, sender) => {
    addNote(ack.note, ack.note_html);
    sender.reset();
  },
  log_action: (ack, sender) => {
    placeLogged(ack.expected, ack.logged, ack.logged_html);
    if (sender.id === "free-action-form") sender.reset();
  },
  undo_action: (ack) => removeLogged(ack.undoes),
  close_session: () => (byId("close-confirm").open = false),
  send_blood_gas: resultSent,
  send_lab_panel: resultSent,
  send_glucose: resultSent,
  // Sent all the same: contradictory values (vitals.warnings) are the trainer's call.
  set_vitals: (ack) => {
    const warnings = byId("send-warnings");
    warnings.textContent = ack.warnings.join(" ");
    warnings.hidden = ack.warnings.length === 0;
  },
};

function setupActionForm(sender) {
  if (sender.dataset.wired) return;
  sender.dataset.wired = "true";
  sender.addEventListener("submit", (event) => {
    event.preventDefault();
    const action = sender.dataset.action;
    const message = { type: action, ...(payloads[action]?.(sender, event.submitter) ?? {}) };
    const onAck = (ack) => {
      afterAck[action]?.(ack, sender);
      return ack.broadcast === false ? [text.not_reached, "warn"] : [ack.message, "ok"];
    };
    send(sender, message, onAck, event.submitter);
  });
}
function resultTexts(sender, prefix) {
  return { title: sender.elements[`${prefix}-title`].value, comment: sender.elements[`${prefix}-comment`].value };
}

// Results

// A result sent (from this page or another of the session's): listed once, newest last.
function addResultItem(html) {
  const list = byId("result-items");
  if (!html || !list) return;
  const item = document.createRange().createContextualFragment(html).firstElementChild;
  if (list.querySelector(`[data-result="${CSS.escape(item.dataset.result)}"]`)) return;
  list.querySelector("li.empty")?.remove();
  list.append(item);
}

// A result sent since the page loaded has no card yet: fetched, in the page's language, when opened.
byId("result-items")?.parentElement.addEventListener(
  "toggle",
  async (event) => {
    const details = event.target;
    if (!details.open || !details.matches?.(".result-item") || details.querySelector(".result-card")) return;
    const id = details.closest("[data-result]").dataset.result;
    try {
      const response = await fetch(`${byId("results-card").dataset.resultsUrl}${id}/`);
      if (response.ok) details.insertAdjacentHTML("beforeend", await response.text());
    } catch {
      // Offline: opening it again tries again.
    }
  },
  true,
);

// An image goes by POST, never the socket: in JSON with the script, the classic way without it.
function setupUploadForm(sender) {
  sender.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(sender);
    showStatus(sender, "…", "");
    let response;
    try {
      response = await fetch(sender.action, {
        method: "POST",
        body: new FormData(sender),
        headers: { Accept: "application/json" },
      });
    } catch {
      showStatus(sender, text.offline, "warn");
      sender.submit();
      return;
    }
    // Over the body limit the server answers 413 in plain text, in the page's language.
    const answer = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
    if (!answer) showStatus(sender, await response.text(), "error");
    else if (answer.errors) showErrors(sender, answer.errors);
    else {
      addResultItem(answer.result_html);
      sender.reset();
      showStatus(sender, answer.broadcast === false ? text.not_reached : answer.message, answer.broadcast === false ? "warn" : "ok");
    }
  });
}
root.querySelectorAll("form[data-upload]").forEach(setupUploadForm);

// The steps card is rendered again by the server when a step moves: its forms are new ones.
const setupStepForms = () => root.querySelectorAll("form[data-action]").forEach(setupActionForm);
setupStepForms();

// The presets are rendered again when the patient changes (resync): new buttons to wire.
function setupPresets() {
  if (!form) return;
  root.querySelectorAll(".preset").forEach((button) => {
    if (button.dataset.wired) return;
    button.dataset.wired = "true";
    button.addEventListener("click", () => {
      fillForm(JSON.parse(button.dataset.preset));
      edited.add(form);
    });
  });
}

if (form) {
  setupTransitionPicker();
  setupPresets();
}
root.addEventListener("input", (event) => event.target.form && edited.add(event.target.form));
byId("form-follow")?.addEventListener("click", () => {
  edited.delete(form);
  followPatient(live.target);
});

const limitsForm = byId("limits-form");
const intervalForm = byId("nibp-interval-form");
// Choosing an interval is the action: no extra button while the socket is up.
intervalForm?.elements.minutes.addEventListener("change", () => intervalForm.requestSubmit());

tick();
setInterval(tick, TICK_MS);
const reconnectNow = () => document.visibilityState === "visible" && socket.reconnectNow();
document.addEventListener("visibilitychange", reconnectNow);
window.addEventListener("online", reconnectNow);
if (!ended) socket.start();
