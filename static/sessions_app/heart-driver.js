// What the monitor's heart does with the trainer's values: one heart (heart/conduction.js) per
// screen, driven by the values along their trends, so a screen draws beats, counts them and beeps.
//
// Screens of one session must draw the same beats, so nothing here depends on when a frame came:
// - the rng is seeded from the session code and the minute the heart starts at (server time);
// - settings are read at whole server seconds, and a change applies at the first whole second
//   at least APPLY_DELAY_SECONDS after the server made it: every screen that received it by then
//   (latency under half a second or so) replans the heart at the same moment;
// - a new rhythm starts a new heart there, seeded from the session and that second, whatever the
//   screen drew before: the old one's last beats finish, the new one's follow.
// Two screens that opened within the same minute draw the same strip from the start; screens
// that opened at other times draw the same from the trainer's next change of rhythm (the
// snapshot does not say when the values last changed, which would let them agree at once).
//
// Pure: no DOM, time in server seconds (clock.js's milliseconds / 1000).
import { createHeart, heartRateAt } from "./heart/conduction.js";
import { RHYTHMS } from "./heart/rhythms.js";
import { valuesAt } from "./trends.js";
import { makeRng } from "./waveforms.js";

// The heart is scheduled this far ahead of the sweep (a P wave is drawn from its start).
export const LOOKAHEAD_SECONDS = 0.5;
// A change made at server time `at` applies at the first whole second after at + this.
export const APPLY_DELAY_SECONDS = 1;
// Hearts start on this grid of server time, and replay from it to the present.
const ANCHOR_SECONDS = 60;
// The old heart's beats still shape the traces this long after a change of rhythm (a T wave,
// the pulse's run-off: vector.js and pulse.js look back 1.2 and 2.5 s).
const OLD_HEART_SECONDS = 3;
// After a longer gap (a sleeping tablet) the heart starts again rather than replays the gap.
const LONGEST_REPLAY_SECONDS = 300;
// Breathing when no respiratory rate is monitored: the patient still breathes.
const DEFAULT_RESPIRATORY_RATE = 12;

// FNV-1a over the code's characters: a 32-bit seed per session.
export function seedFrom(text) {
  let hash = 0x811c9dc5;
  for (const char of String(text)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export const rhythmOf = (values) => (RHYTHMS[values?.flags?.rhythm] ? values.flags.rhythm : "sinus");

// The heart's settings for the values shown: unknown rhythms draw sinus, a rate the rhythm
// ignores (VF, asystole) its default, ectopy only where the rhythm has it, PEA from no_pulse.
export function heartSettings(values) {
  const rhythm = rhythmOf(values);
  const info = RHYTHMS[rhythm];
  const flags = values.flags ?? {};
  return {
    rhythm,
    rate: info.rateIs === null ? info.rate : (values.heart_rate ?? info.rate),
    ectopyEvery: info.ectopyEvery === null ? null : (flags.ectopy_every ?? info.ectopyEvery),
    pulse: info.pulse && !flags.no_pulse,
    respiratoryRate: values.respiratory_rate ?? DEFAULT_RESPIRATORY_RATE,
  };
}

// What the HR tile shows, given what alarms.js's shownValues() made of it: for rhythms whose set
// rate is atrial (Mobitz I and II, standstill) or that ignore it, the rate a monitor counts from
// the QRS complexes; otherwise the set rate.
export function countedHeartRate(values, shownRate, heart, now) {
  if (shownRate === null || !heart) return shownRate;
  const rateIs = RHYTHMS[rhythmOf(values)].rateIs;
  return rateIs === "ventricular" ? shownRate : heartRateAt(heart, now);
}

export class HeartDriver {
  constructor(seed) {
    this.seed = seed >>> 0;
    this.heart = null;
    // What the traces sample: the heart, or for a few seconds after a change of rhythm the old
    // heart's last events followed by the new heart's (same shape: events, segments, breaths).
    this.trace = null;
    this.previous = null;
    // [{from (s), target, trend}]: which values hold from which whole second.
    this.entries = [];
    this.settings = null;
    this.stepped = null;
  }

  // New values (and trend) from the server; `at` (ms) the moment it made the change, or null
  // for the values a screen starts with.
  setTarget(target, trend, at = null) {
    if (at === null || this.heart === null) {
      this.entries = [{ from: -Infinity, target, trend }];
      if (target === null) this.heart = this.trace = this.previous = null;
      return;
    }
    this.entries.push({ from: Math.ceil(at / 1000 + APPLY_DELAY_SECONDS), target, trend });
  }

  valuesFor(second) {
    const entry = this.entries.findLast((e) => e.from <= second) ?? this.entries[0];
    return entry ? valuesAt(entry.target, entry.trend, second * 1000) : null;
  }

  // Plans the heart through now + LOOKAHEAD_SECONDS; `now` in server seconds. Returns the heart
  // (null before the trainer's first values).
  advance(now) {
    if (this.heart !== null && now - this.stepped > LONGEST_REPLAY_SECONDS) this.heart = null;
    if (this.heart === null && !this.start(now)) return null;
    const horizon = now + LOOKAHEAD_SECONDS;
    for (let second = this.stepped + 1; second <= horizon; second += 1) {
      this.heart.schedule(second);
      const values = this.valuesFor(second);
      if (values) this.apply(heartSettings(values), second);
      this.stepped = second;
    }
    const current = this.entries.findLastIndex((e) => e.from <= this.stepped);
    if (current > 0) this.entries = this.entries.slice(current);
    this.heart.schedule(horizon);
    if (this.previous && now > this.previous.until) this.previous = null;
    const old = this.previous;
    this.trace = old
      ? {
          events: old.events.concat(this.heart.events),
          segments: old.segments.concat(this.heart.segments),
          breaths: this.heart.breaths,
        }
      : this.heart;
    return this.trace;
  }

  start(now) {
    const anchor = Math.floor(now / ANCHOR_SECONDS) * ANCHOR_SECONDS;
    const values = this.valuesFor(anchor);
    if (!values) return false;
    this.settings = heartSettings(values);
    this.heart = this.newHeart(this.settings, anchor);
    this.previous = null;
    this.stepped = anchor;
    return true;
  }

  newHeart(settings, start) {
    return createHeart({ ...settings, rng: makeRng((this.seed ^ Math.imul(start, 0x9e3779b1)) >>> 0), start });
  }

  // A new rhythm at `at`: the old heart stops there (a QRS whose P wave has begun still comes),
  // a new one, the same on every screen, starts.
  rebase(next, at, pulse) {
    const old = this.heart;
    old.setRhythm("asystole", at, { pulse });
    old.schedule(at + 1);
    this.previous = { events: old.events, segments: old.segments, until: at + OLD_HEART_SECONDS };
    this.heart = this.newHeart(next, at);
  }

  apply(next, at) {
    const heart = this.heart;
    const last = this.settings;
    this.settings = next;
    if (next.rhythm !== last.rhythm) {
      this.rebase(next, at, last.pulse);
      return;
    }
    if (next.rate !== last.rate) heart.setRate(next.rate, at);
    if (next.ectopyEvery !== last.ectopyEvery) heart.setEctopy(next.ectopyEvery, at);
    if (next.pulse !== last.pulse) heart.setPulse(next.pulse, at);
    if (next.respiratoryRate !== last.respiratoryRate) heart.setRespiratoryRate(next.respiratoryRate, at);
  }
}
