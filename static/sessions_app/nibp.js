// The blood-pressure cuff on the screen: when it measures, what it shows meanwhile, and the
// reading it takes. The same cycle maths as sessions_app/nibp.py: every screen works the
// automatic cycle out from the session's settings, so no server timer is needed.
//
// `nibp` is the snapshot's record with its times parsed (ms, see clock.js):
// {measurementSeconds, intervalMinutes, cycleStartedAt, startedAt}.
import { meanArterial } from "./heart/pulse.js";
import { isPulseless } from "./alarms.js";
import { parseIsoTime } from "./clock.js";

// The cuff spends this share of a measurement inflating, the rest deflating while it reads.
const INFLATE_SHARE = 0.25;
const DEFLATED_MMHG = 20;
// Inflation goes this far above the expected systolic, within what a cuff will do.
const INFLATE_ABOVE_MMHG = 30;
const INFLATE_RANGE_MMHG = [140, 280];
// Server times are whole microseconds, parsed to within a quarter of one (clock.js): half of one
// before a time is after every earlier server time.
const HALF_MICROSECOND = 0.0005;

// The mean shown beside a reading, rounded as the server's vitals.mean_arterial_pressure.
export function meanArterialPressure(systolic, diastolic) {
  return Math.round(meanArterial(systolic, diastolic));
}

export function parseNibp(record) {
  return {
    measurementSeconds: record.measurement_seconds,
    intervalMinutes: record.interval_minutes,
    cycleStartedAt: parseIsoTime(record.cycle_started_at),
    startedAt: parseIsoTime(record.started_at),
  };
}

// The latest manual start and the latest automatic start at or before `now`.
export function latestStarts(nibp, now) {
  const starts = [];
  if (nibp.startedAt !== null && nibp.startedAt <= now) starts.push(nibp.startedAt);
  if (nibp.intervalMinutes && nibp.cycleStartedAt !== null && nibp.cycleStartedAt <= now) {
    const interval = nibp.intervalMinutes * 60000;
    starts.push(nibp.cycleStartedAt + Math.floor((now - nibp.cycleStartedAt) / interval) * interval);
  }
  return starts;
}

const duration = (nibp) => nibp.measurementSeconds * 1000;

// The start of the measurement under way at `now`, or null.
export function measuringSince(nibp, now) {
  const underWay = latestStarts(nibp, now).filter((start) => now < start + duration(nibp));
  return underWay.length ? Math.max(...underWay) : null;
}

// When the last measurement completed by `now` ended, or null.
export function lastCompletedEnd(nibp, now) {
  const ends = [];
  for (let start of latestStarts(nibp, now)) {
    if (start + duration(nibp) > now) {
      // Under way: the one before it on the cycle has completed (a manual one has none).
      start = start === nibp.startedAt ? null : previousCycleStart(nibp, start);
    }
    if (start !== null) ends.push(start + duration(nibp));
  }
  return ends.length ? Math.max(...ends) : null;
}

function previousCycleStart(nibp, start) {
  if (!nibp.intervalMinutes) return null;
  const previous = start - nibp.intervalMinutes * 60000;
  return previous >= nibp.cycleStartedAt ? previous : null;
}

// The next automatic start after `now`, or null when the cycle is off.
export function nextAutomaticStart(nibp, now) {
  if (!nibp.intervalMinutes || nibp.cycleStartedAt === null) return null;
  if (now < nibp.cycleStartedAt) return nibp.cycleStartedAt;
  const interval = nibp.intervalMinutes * 60000;
  return nibp.cycleStartedAt + (Math.floor((now - nibp.cycleStartedAt) / interval) + 1) * interval;
}

export function inflationPeak(expectedSystolic) {
  const [low, high] = INFLATE_RANGE_MMHG;
  return Math.min(high, Math.max(low, (expectedSystolic ?? 0) + INFLATE_ABOVE_MMHG));
}

// What the cuff shows `elapsed` ms into a measurement: inflating up to `peak`, then deflating.
export function cuffPressure(elapsed, measurementSeconds, peak) {
  const total = measurementSeconds * 1000;
  const inflating = total * INFLATE_SHARE;
  if (elapsed < inflating) {
    return { phase: "inflating", pressure: Math.round((peak * Math.max(0, elapsed)) / inflating) };
  }
  const share = Math.min(1, (elapsed - inflating) / (total - inflating));
  return { phase: "deflating", pressure: Math.round(peak - (peak - DEFLATED_MMHG) * share) };
}

// The cuff of one screen: the last reading, and new ones as measurements end.
export class Cuff {
  constructor(record, now) {
    this.reset(record, now);
  }

  // A snapshot taken at server time `now`: settings, and the last reading the server worked
  // out. Measurements that ended by then are the server's business, even without a reading.
  reset(record, now) {
    this.nibp = parseNibp(record);
    this.reading = record.reading
      ? { ...record.reading, takenAt: parseIsoTime(record.reading.taken_at) }
      : null;
    this.lastEnd = lastCompletedEnd(this.nibp, now);
  }

  setStarted(startedAt) {
    this.nibp = { ...this.nibp, startedAt: parseIsoTime(startedAt) };
  }

  setInterval(minutes, cycleStartedAt) {
    this.nibp = { ...this.nibp, intervalMinutes: minutes, cycleStartedAt: parseIsoTime(cycleStartedAt) };
  }

  measuringSince(now) {
    return measuringSince(this.nibp, now);
  }

  // A live message at server time `now`, before the page applies its new values: a
  // measurement that ended first reads the values it ended on, then the cuff's settings change.
  receive(message, now, valuesAt) {
    switch (message.type) {
      case "vitals":
        // A measurement that ended before this change (the message may arrive late) read the
        // values before it; one ending at the very moment of the change reads the change, as
        // the server does (the change is in force from its time on).
        const before = message.at ? parseIsoTime(message.at) - HALF_MICROSECOND : now;
        this.update(Math.min(now, before), valuesAt);
        break;
      case "nibp_started":
        this.update(now, valuesAt);
        this.setStarted(message.started_at);
        break;
      case "nibp_interval":
        this.update(now, valuesAt);
        this.setInterval(message.minutes, message.cycle_started_at);
        break;
    }
  }

  // Take the reading of a measurement that ended by `now`; `valuesAt(time)` gives the values
  // then. Returns true when a new reading was taken. Called often, and before values change.
  update(now, valuesAt) {
    const end = lastCompletedEnd(this.nibp, now);
    // Half a millisecond of slack: the same server time parsed twice may differ in its last bit.
    if (end === null || (this.lastEnd !== null && end <= this.lastEnd + 0.5)) return false;
    this.lastEnd = end;
    const values = valuesAt(end);
    // No values yet when it ended: nothing to read, as on the server.
    if (!values) return false;
    // Without a pulse the cuff finds no oscillations: the measurement fails (simulator/cuff.py).
    this.reading = isPulseless(values)
      ? { takenAt: end, systolic: null, diastolic: null, no_pulse: true }
      : { takenAt: end, systolic: values.systolic, diastolic: values.diastolic };
    return true;
  }
}
