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
// Treatment (setTreatment: the "treatment" message's state and settings) follows the same rule:
// it applies at the first whole second APPLY_DELAY_SECONDS after the server's change. The values
// the heart follows are treatment.js's treatedValues (a captured pacer paces); a pacer that does
// not take over adds its spikes to the trace; CPR and shocks add their artefacts
// (treatmentArtefact, treatmentPleth, cprArterial), all placed from the state's times, so every
// screen draws them at the same moments.
//
// Pure: no DOM, time in server seconds (clock.js's milliseconds / 1000).
import {
  SHOCK_RECOVERY_SECONDS,
  compressionArtefact,
  compressionArterial,
  compressionPleth,
  leadPickup,
  shockArtefact,
} from "./artefacts.js";
import { parseIsoTime } from "./clock.js";
import { createHeart, heartRateAt } from "./heart/conduction.js";
import { RHYTHMS } from "./heart/rhythms.js";
import { pacerTakesOver, treatedValues } from "./treatment.js";
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
// A shock is drawn this long after the server's moment of the press, so that every screen has
// the message before its sweep gets there (a room's network answers in tens of milliseconds).
export const SHOCK_DRAW_DELAY_SECONDS = 0.25;
// A synchronised shock waits for the next R wave for this long (then the device does not fire),
// and discharges this long after the QRS onset: the R peak 40 ms in, the discharge within tens
// of ms of it (about 40 ms after the R trigger: Marquette Hellige CardioServ, technical data).
export const SYNC_WINDOW_SECONDS = 5;
const SYNC_DISCHARGE_SECONDS = 0.08;
// Sync marks sit on the R peak, 40 ms after the QRS onset (vector.js's R wave).
const R_PEAK_SECONDS = 0.04;
// Pacing spikes are computed over this much of the past each frame: what the sweep still samples.
const SPIKE_PAST_SECONDS = 1.5;

const seconds = (iso) => parseIsoTime(iso) / 1000;

// The QRS a synchronised shock pressed at `pressedAt` (s) discharges on: the first at or after
// it within SYNC_WINDOW_SECONDS, or null (the events must be scheduled that far to be sure).
export function syncedShockTime(events, pressedAt) {
  for (const e of events) {
    if (e.kind !== "qrs" || e.t < pressedAt) continue;
    return e.t <= pressedAt + SYNC_WINDOW_SECONDS ? e.t : null;
  }
  return null;
}

// A transcutaneous pacer's spikes in [from, to] (s), for `pacer` ({rate, mode}) switched on at
// `start`: fixed mode every 60/rate s from the start; demand mode (VVI) one escape interval
// after the last sensed QRS or spike, so none while the patient's own QRS come sooner.
export function pacerSpikes(events, pacer, start, from, to) {
  const interval = 60 / pacer.rate;
  const first = Math.max(from, start);
  const spikes = [];
  if (pacer.mode === "fixed") {
    for (let k = Math.max(1, Math.ceil((first - start) / interval)); start + k * interval <= to; k += 1) {
      spikes.push(start + k * interval);
    }
    return spikes;
  }
  const qrs = events.filter((e) => e.kind === "qrs" && e.t >= start);
  let i = qrs.findLastIndex((e) => e.t <= first);
  let ref = i < 0 ? start : qrs[i].t;
  // Without a QRS since `ref`, the chain of escape intervals runs on from it.
  let next = ref + Math.max(1, Math.ceil((first - ref) / interval)) * interval;
  for (i += 1; next <= to; ) {
    if (i < qrs.length && qrs[i].t < next) {
      ref = qrs[i].t;
      next = ref + interval;
      i += 1;
      continue;
    }
    if (next >= from) spikes.push(next);
    ref = next;
    next += interval;
  }
  return spikes;
}

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
    // [{from (s), treatment, defibrillator, cprSince, pacerStart}]: the device state from which
    // whole second, with its times parsed once.
    this.treatments = [{ from: -Infinity, treatment: {}, defibrillator: null }];
    // Shocks seen: {pressedAt (s), sync, at: the discharge drawn (s), null for none, undefined
    // while a sync waits for its R wave}.
    this.shocks = [];
    // The screen's own Sync button: marks on the R waves without a sync charge.
    this.syncSelected = false;
  }

  // The device state from the server; `at` (ms) the moment it made the change, or null for the
  // state a screen starts with (the snapshot).
  setTreatment(treatment, defibrillator, at = null) {
    const state = treatment ?? {};
    const entry = {
      from: at === null ? -Infinity : Math.ceil(at / 1000 + APPLY_DELAY_SECONDS),
      treatment: state,
      defibrillator,
      cprSince: state.cpr ? seconds(state.cpr.since) : null,
      // Pacing starts where the change that turned it on applied, on every screen alike.
      pacerStart: state.pacer ? Math.ceil(seconds(state.pacer.since) + APPLY_DELAY_SECONDS) : null,
    };
    if (at === null) this.treatments = [entry];
    else this.treatments.push(entry);
    const shock = state.last_shock;
    if (shock && !this.shocks.some((s) => s.pressedAt === seconds(shock.at))) {
      this.shocks = this.shocks.slice(-2);
      this.shocks.push({ pressedAt: seconds(shock.at), sync: shock.sync, at: shock.sync ? undefined : seconds(shock.at) + SHOCK_DRAW_DELAY_SECONDS });
    }
  }

  treatmentAt(second) {
    return this.treatments.findLast((e) => e.from <= second) ?? this.treatments[0];
  }

  // What the numbers and alarms show at `time` (ms) of `values` along their trend.
  treated(values, time) {
    const { treatment, defibrillator } = this.treatmentAt(time / 1000);
    return treatedValues(values, treatment, defibrillator);
  }

  setSync(on) {
    this.syncSelected = Boolean(on);
  }

  // Sync marks on the R waves: while a synchronised charge is held or the screen's Sync is on.
  syncMarks(from, to) {
    if (!this.trace || !(this.syncSelected || this.treatmentAt(to).treatment.charge?.sync)) return [];
    const marks = [];
    for (const e of this.trace.events) {
      const r = e.t + R_PEAK_SECONDS;
      if (e.kind === "qrs" && r > from && r <= to) marks.push(r);
    }
    return marks;
  }

  // mV the treatment adds to `lead` at t: compressions, and a shock's deflection.
  treatmentArtefact(lead, t) {
    const { cprSince, from } = this.treatmentAt(t);
    let value = 0;
    if (cprSince !== null && cprSince !== undefined && t >= from) {
      value += leadPickup((source) => compressionArtefact(t, cprSince, source), lead);
    }
    for (const shock of this.shocks) {
      if (shock.at != null && t >= shock.at && t < shock.at + SHOCK_RECOVERY_SECONDS) {
        value += leadPickup((source) => shockArtefact(t, shock.at, source), lead);
      }
    }
    return value;
  }

  // The pleth compressions make (0-1 scale), added to the heart's.
  treatmentPleth(t) {
    const { cprSince, defibrillator } = this.treatmentAt(t);
    return cprSince == null ? 0 : compressionPleth(t, cprSince, defibrillator?.cpr_quality);
  }

  // The arterial pressure compressions make in a pulseless patient, or null without CPR.
  cprArterial(t) {
    const { cprSince, defibrillator } = this.treatmentAt(t);
    return cprSince == null ? null : compressionArterial(t, cprSince, defibrillator?.cpr_quality);
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

  // The trainer's values at `second`, before treatment.
  patientValuesFor(second) {
    const entry = this.entries.findLast((e) => e.from <= second) ?? this.entries[0];
    return entry ? valuesAt(entry.target, entry.trend, second * 1000) : null;
  }

  valuesFor(second) {
    const { treatment, defibrillator } = this.treatmentAt(second);
    return treatedValues(this.patientValuesFor(second), treatment, defibrillator);
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
    // Treatment entries stay while a shock or the sweep may still look back at them.
    const kept = this.treatments.findLastIndex((e) => e.from <= now - SHOCK_RECOVERY_SECONDS - SPIKE_PAST_SECONDS);
    if (kept > 0) this.treatments = this.treatments.slice(kept);
    this.heart.schedule(horizon);
    if (this.previous && now > this.previous.until) this.previous = null;
    const old = this.previous;
    let events = old ? old.events.concat(this.heart.events) : this.heart.events;
    const spikes = this.spikes(events, now - SPIKE_PAST_SECONDS, horizon);
    if (spikes.length) events = events.concat(spikes).sort((a, b) => a.t - b.t);
    this.trace =
      events === this.heart.events
        ? this.heart
        : {
            events,
            segments: old ? old.segments.concat(this.heart.segments) : this.heart.segments,
            breaths: this.heart.breaths,
          };
    this.placeShocks(horizon);
    return this.trace;
  }

  // Spikes of a pacer that does not set the rhythm (below threshold, or a demand pacer the
  // patient's own beats inhibit), per stretch of one device state. A pacer that takes over is
  // the heart's own paced rhythm (treatedValues), with its spikes and wide complexes.
  spikes(events, from, to) {
    const found = [];
    this.treatments.forEach((entry, i) => {
      const pacer = entry.treatment.pacer;
      const until = Math.min(to, this.treatments[i + 1]?.from ?? Infinity);
      const since = Math.max(from, entry.from);
      if (!pacer || since > until) return;
      for (const t of pacerSpikes(events, pacer, entry.pacerStart, since, until)) {
        const second = Math.floor(t);
        if (pacerTakesOver(this.patientValuesFor(second), entry.treatment, entry.defibrillator)) continue;
        found.push({ t, kind: "pace_spike", chamber: "v", captured: false });
      }
    });
    return found;
  }

  // A synchronised shock discharges on the next R wave once the heart is planned that far.
  placeShocks(horizon) {
    for (const shock of this.shocks) {
      if (shock.at !== undefined) continue;
      const pressed = shock.pressedAt + SHOCK_DRAW_DELAY_SECONDS;
      const r = syncedShockTime(this.trace.events, pressed);
      if (r !== null) shock.at = r + SYNC_DISCHARGE_SECONDS;
      else if (horizon > pressed + SYNC_WINDOW_SECONDS) shock.at = null;
    }
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
