// Shared by the heart-*.test.mjs files: run a heart as the monitor page would.
import { createHeart } from "../heart/conduction.js";
import { makeRng } from "../waveforms.js";

const FRAME_SECONDS = 1 / 60;

// Every event a heart produces over `seconds`, scheduled frame by frame half a second ahead.
export function run(rhythm, seconds, options = {}, seed = 7) {
  const heart = createHeart({ rhythm, rng: makeRng(seed), ...options });
  const all = [];
  for (let now = 0; now < seconds; now += FRAME_SECONDS) all.push(...heart.schedule(now + 0.5));
  return { heart, events: all.filter((e) => e.t < seconds) };
}

export const qrsOf = (events) => events.filter((e) => e.kind === "qrs");
export const atrialOf = (events) => events.filter((e) => e.kind === "p" || e.kind === "flutter");
export const gaps = (events) => events.slice(1).map((e, i) => e.t - events[i].t);
export const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
export const ratePerMinute = (events) => 60 / mean(gaps(events));
