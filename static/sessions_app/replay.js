// The replay's controls: play/pause, a slider to seek and the elapsed time, over the monitor that
// monitor.js plays the recording on. They drive the clock it plays on (clock.js, onVirtualClock).
// A monitor cannot take back what it has shown: going back (or again from the end) reloads the
// page at that moment, paused or playing as it was (?at=seconds&paused=1); going on seeks in place.
import { formatOffset, onVirtualClock } from "./clock.js";

const UPDATE_MS = 250;

const bar = document.getElementById("replay-bar");
const toggle = document.getElementById("replay-toggle");
const seek = document.getElementById("replay-seek");
const shownAt = document.getElementById("replay-at");
const duration = Number(bar.dataset.duration);
// The logged actions the replay has passed: the last few show.
const actions = [...document.querySelectorAll("#replay-actions li")];
const ACTIONS_SHOWN = 3;

function showActions(seconds) {
  const passed = actions.filter((item) => Number(item.dataset.at) <= seconds);
  const shown = new Set(passed.slice(-ACTIONS_SHOWN));
  for (const item of actions) {
    if (item.hidden === shown.has(item)) item.hidden = !shown.has(item);
  }
}

function reloadAt(seconds, paused) {
  const query = new URLSearchParams(location.search);
  query.set("at", String(Math.round(seconds)));
  query.set("paused", paused ? "1" : "0");
  location.replace(`${location.pathname}?${query}`);
}

function start(clock) {
  const elapsed = () => (clock.now() - clock.start) / 1000;
  const atEnd = () => clock.now() >= clock.end;
  let dragging = false;

  function show() {
    const seconds = dragging ? Number(seek.value) : elapsed();
    const text = formatOffset(seconds);
    showActions(seconds);
    if (shownAt.textContent !== text) shownAt.textContent = text;
    if (!dragging) seek.value = String(Math.floor(seconds));
    seek.setAttribute("aria-valuetext", text);
    const playing = !clock.paused && !atEnd();
    toggle.querySelector(".when-playing").hidden = !playing;
    toggle.querySelector(".when-paused").hidden = playing;
    bar.dataset.state = playing ? "playing" : "paused";
  }

  // Where the page was reloaded: before monitor.js feeds its first messages, or just after.
  const at = Number(bar.dataset.at);
  if (at > 0) clock.seek(clock.start + at * 1000);
  if (bar.dataset.paused === "true") clock.pause();

  toggle.addEventListener("click", () => {
    if (atEnd()) reloadAt(0, false);
    else if (clock.paused) clock.play();
    else clock.pause();
    show();
  });
  seek.addEventListener("input", () => {
    dragging = true;
    show();
  });
  seek.addEventListener("change", () => {
    dragging = false;
    const seconds = Number(seek.value);
    if (seconds < elapsed()) reloadAt(seconds, clock.paused);
    else clock.seek(clock.start + seconds * 1000);
    show();
  });
  toggle.disabled = seek.disabled = false;
  show();
  setInterval(show, UPDATE_MS);
}

if (bar && Number.isFinite(duration)) onVirtualClock(start);
