// Server time in the browser. Trends, cuff cycles and the alarm silence are all placed on the
// server's clock (docs/protocol.md), so every screen must agree on it whatever its own clock says.
//
// Times are milliseconds since the epoch, as floats: a server timestamp keeps its microseconds
// in the fraction, which trends.js needs to round exactly as the server does.

const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/;
// Enough samples to ride out a few slow round trips; few enough to follow a drifting clock.
const KEPT_SAMPLES = 8;

export function parseIsoTime(iso) {
  if (iso === null || iso === undefined) return null;
  const match = ISO_TIME.exec(iso);
  // Not every browser parses more than milliseconds: the fraction is added by hand.
  if (!match) return Date.parse(iso);
  const [, base, fraction = "", zone = "Z"] = match;
  const micros = Number((fraction + "000000").slice(0, 6));
  return Date.parse(base + zone) + micros / 1000;
}

// A monotonic local clock: performance.now() does not jump when the computer's time is set.
export const localNow = () => performance.timeOrigin + performance.now();

// The offset from this screen's clock to the server's, estimated NTP-style from timestamps the
// server sent: the sample with the shortest round trip is the most precise.
export class ServerClock {
  constructor(now = localNow) {
    this.localNow = now;
    this.samples = [];
    this.best = null;
  }

  // `serverTime` was read by the server between local `sentAt` and `receivedAt`.
  addSample(serverTime, sentAt, receivedAt) {
    const sample = {
      offset: serverTime - (sentAt + receivedAt) / 2,
      roundTrip: Math.max(0, receivedAt - sentAt),
    };
    // Each sample places the true offset within ±roundTrip/2 of its own; a sample that cannot
    // agree with the best one means a clock jumped (a laptop woke up): start again from it.
    const best = this.best;
    if (best && Math.abs(sample.offset - best.offset) > (sample.roundTrip + best.roundTrip) / 2 + 1) {
      this.samples = [];
    }
    this.samples = [...this.samples, sample].slice(-KEPT_SAMPLES);
    this.best = this.samples.reduce((a, b) => (b.roundTrip < a.roundTrip ? b : a));
  }

  get offset() {
    return this.best?.offset ?? 0;
  }

  now() {
    return this.localNow() + this.offset;
  }
}

// A replay's clock: starts at `start` and runs `speed` times faster than real time, up to `end`.
// The replay page's controls (replay.js) pause it and move it on; see onVirtualClock.
export class VirtualClock {
  constructor(start, speed = 1, end = Infinity, now = localNow) {
    this.localNow = now;
    this.start = start;
    this.end = end;
    this.speed = speed;
    this.frozenAt = null;
    this.runFrom(start);
    latestVirtualClock = this;
    for (const listener of virtualClockListeners) listener(this);
  }

  runFrom(time) {
    this.origin = time;
    this.startedAt = this.localNow();
  }

  now() {
    if (this.frozenAt !== null) return this.frozenAt;
    return Math.min(this.end, this.origin + (this.localNow() - this.startedAt) * this.speed);
  }

  get paused() {
    return this.frozenAt !== null;
  }

  pause() {
    this.frozenAt ??= this.now();
  }

  play() {
    if (this.frozenAt === null) return;
    this.runFrom(this.frozenAt);
    this.frozenAt = null;
  }

  // Jumps to `time` (within start and end), paused or running as it was.
  seek(time) {
    const target = Math.min(Math.max(time, this.start), this.end);
    if (this.paused) this.frozenAt = target;
    else this.runFrom(target);
  }
}

// The page's monitor.js makes its replay's clock once the recording has loaded; the replay page's
// controls ask for it here, before or after that moment.
let latestVirtualClock = null;
const virtualClockListeners = [];

export function onVirtualClock(listener) {
  virtualClockListeners.push(listener);
  if (latestVirtualClock) listener(latestVirtualClock);
}

function twoDigits(n) {
  return String(n).padStart(2, "0");
}

// "mm:ss" (or "h:mm:ss") for a duration in milliseconds, rounded up so that 0:00 means over.
export function formatDuration(milliseconds) {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const rest = `${twoDigits(Math.floor((total % 3600) / 60))}:${twoDigits(total % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

// "mm:ss" since a session's start, minutes going past 59, as the debrief writes it
// (debrief.format_offset).
export function formatOffset(seconds) {
  const whole = Math.max(Math.floor(seconds), 0);
  return `${twoDigits(Math.floor(whole / 60))}:${twoDigits(whole % 60)}`;
}

// Wall-clock "HH:MM" (or with seconds) of a server time, in the screen's time zone.
export function formatClock(time, withSeconds = false) {
  const date = new Date(time);
  const parts = [date.getHours(), date.getMinutes()];
  if (withSeconds) parts.push(date.getSeconds());
  return parts.map(twoDigits).join(":");
}
