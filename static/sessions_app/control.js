// The trainer's control page: sends changes over the control socket (no reload), shows the
// ack or the field errors inline, keeps the viewer count, the values and the events live.
// When the socket is down the form is submitted the classic way (POST), so nothing is lost.

const root = document.getElementById("control");
const form = document.getElementById("vitals-form");
const sendStatus = document.getElementById("send-status");
const socketState = document.getElementById("socket-state");
const viewerCount = document.getElementById("viewer-count");
const timeLeft = document.getElementById("time-left");
const currentValues = document.getElementById("current-values");
const eventsBody = document.querySelector("#events tbody");
const rhythmLabels = JSON.parse(document.getElementById("rhythm-labels").textContent);
const text = root.dataset;
const expiresAt = new Date(text.expiresAt);

const NUMBER_FIELDS = ["systolic", "diastolic", "heart_rate", "spo2"];
const MAX_EVENT_ROWS = 20;

let socket = null;
let socketOpen = false;
let retryDelay = 500;
let ended = text.open !== "true";
let nextRequestId = 1;

function connect() {
  if (ended) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}${text.wsPath}`);
  socket.addEventListener("open", () => {
    socketOpen = true;
    retryDelay = 500;
    setSocketState("open");
  });
  socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    socketOpen = false;
    if (event.code === 4410 || event.code === 4403 || ended) {
      endSession();
      return;
    }
    setSocketState("closed");
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  });
}

function setSocketState(state) {
  socketState.dataset.state = state;
  socketState.textContent = state === "open" ? "●" : "○";
}

function handle(message) {
  switch (message.type) {
    case "viewers":
      viewerCount.textContent = message.count;
      break;
    case "vitals":
      showValues(message.values);
      addEventRow(message.values, message.at);
      break;
    case "ack":
      showStatus(message.broadcast ? text.msgSent : text.msgNotReached, message.broadcast ? "ok" : "warn");
      break;
    case "error":
      showErrors(message.errors);
      break;
    case "session_ended":
      endSession();
      break;
  }
}

function formValues() {
  const data = new FormData(form);
  const values = {};
  for (const field of NUMBER_FIELDS) {
    const raw = String(data.get(field) ?? "").trim();
    // Send what was typed; the server names any field that is not a whole number in range.
    values[field] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  values.flags = {
    rhythm: data.get("rhythm"),
    alarm: data.get("alarm") === "on",
    spo2_probe_off: data.get("spo2_probe_off") === "on",
  };
  return values;
}

function fillForm(values) {
  for (const field of NUMBER_FIELDS) form.elements[field].value = values[field];
  form.elements.rhythm.value = values.flags.rhythm;
  form.elements.alarm.checked = values.flags.alarm;
  form.elements.spo2_probe_off.checked = values.flags.spo2_probe_off;
}

function clearErrors() {
  form.querySelectorAll("p.error.live").forEach((element) => element.remove());
  form.querySelectorAll(".field.has-error").forEach((element) => element.classList.remove("has-error"));
}

function showErrors(errors) {
  clearErrors();
  for (const [field, message] of Object.entries(errors)) {
    const input = form.elements[field];
    const error = document.createElement("p");
    error.className = "error live";
    error.dataset.field = field;
    error.textContent = message;
    if (input && input.closest) {
      const wrapper = input.closest(".field");
      wrapper.classList.add("has-error");
      wrapper.append(error);
    } else {
      form.prepend(error);
    }
  }
  showStatus(text.msgError, "error");
}

function showStatus(message, kind) {
  sendStatus.textContent = message;
  sendStatus.className = `send-status ${kind}`;
}

function showValues(values) {
  const flags = [rhythmLabels[values.flags.rhythm] ?? values.flags.rhythm];
  if (values.flags.alarm) flags.push(text.labelAlarm);
  if (values.flags.spo2_probe_off) flags.push(text.labelProbeOff);
  currentValues.textContent =
    `BP ${values.systolic}/${values.diastolic} · HR ${values.heart_rate} · SpO2 ${values.spo2} · ${flags.join(" · ")}`;
}

function addEventRow(values, at) {
  eventsBody.querySelector("tr.empty")?.remove();
  const row = document.createElement("tr");
  const cells = [
    new Date(at).toLocaleTimeString([], { hour12: false }),
    `${values.systolic}/${values.diastolic}`,
    values.heart_rate,
    values.spo2,
    rhythmLabels[values.flags.rhythm] ?? values.flags.rhythm,
    values.flags.alarm ? "✓" : "",
  ];
  for (const value of cells) {
    const cell = document.createElement("td");
    cell.textContent = value;
    row.append(cell);
  }
  eventsBody.prepend(row);
  while (eventsBody.rows.length > MAX_EVENT_ROWS) eventsBody.lastElementChild.remove();
}

function endSession() {
  ended = true;
  setSocketState("closed");
  showStatus(text.msgEnded, "error");
  form?.querySelectorAll("input, select, button").forEach((element) => (element.disabled = true));
  root.querySelectorAll(".preset, #close-session").forEach((element) => (element.disabled = true));
}

function tick() {
  const seconds = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  timeLeft.textContent = `${hours}:${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

if (form) {
  form.addEventListener("submit", (event) => {
    if (!socketOpen) {
      showStatus(text.msgOffline, "warn");
      return; // the browser posts the form
    }
    event.preventDefault();
    clearErrors();
    showStatus("…", "");
    socket.send(JSON.stringify({ type: "set_vitals", values: formValues(), request_id: String(nextRequestId++) }));
  });
  root.querySelectorAll(".preset").forEach((button) =>
    button.addEventListener("click", () => fillForm(JSON.parse(button.dataset.preset))),
  );
}

tick();
setInterval(tick, 1000);
connect();
