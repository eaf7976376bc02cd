// The acquired 12-lead: the standard 3x4 layout (I, aVR, V1, V4 / II, aVL, V2, V5 / III, aVF,
// V3, V6, 2.5 s each) over a 10 s lead II rhythm strip, on a 25 mm/s, 10 mm/mV grid.
//
// Pure: acquireTwelveLead() computes the 10 s ending at the acquisition time from a heart of its
// own, seeded from the session and that time, so every screen shows the same tracing whenever
// it received the message; twelveLeadSvg() draws it in millimetres for the screen and for A4.
import { createHeart } from "./heart/conduction.js";
import { LEADS, leadsAt } from "./heart/leads.js";
import { leadArtefact } from "./artefacts.js";
import { heartSettings } from "./heart-driver.js";
import { makeRng } from "./waveforms.js";

export const HZ = 250;
export const SECONDS = 10;
export const SEGMENT_SECONDS = 2.5;
// Paper: 25 mm/s, 10 mm/mV (the standard calibration).
export const MM_PER_SECOND = 25;
export const MM_PER_MV = 10;
export const ROWS = [
  ["I", "aVR", "V1", "V4"],
  ["II", "aVL", "V2", "V5"],
  ["III", "aVF", "V3", "V6"],
];
export const STRIP_LEAD = "II";
// The heart runs this long before the 10 s it records, so they start mid-rhythm.
const WARM_UP_SECONDS = 5;
const ROW_MM = 37;
const TOP_MM = 20;
const LEFT_MM = 8;
// The 1 mV calibration pulse at the start of each row: 0.2 s wide.
const CALIBRATION_MM = 5;

// Which part of the 10 s each lead shows: rows of [lead, from, to] (seconds from the start),
// then the rhythm strip.
export function twelveLeadLayout() {
  const segments = [];
  ROWS.forEach((row, r) => {
    row.forEach((lead, c) => {
      segments.push({ lead, row: r, column: c, from: c * SEGMENT_SECONDS, to: (c + 1) * SEGMENT_SECONDS });
    });
  });
  return { segments, strip: { lead: STRIP_LEAD, row: ROWS.length, from: 0, to: SECONDS } };
}

// {at (s), hz, leads: {I: Float64Array(2500), ...}} for the 10 s ending at `at` (server
// seconds). `values` as shown then; flat leads without a connected ECG.
export function acquireTwelveLead(values, at, seed) {
  const count = SECONDS * HZ;
  const leads = Object.fromEntries(LEADS.map((lead) => [lead, new Float64Array(count)]));
  const flags = values?.flags ?? {};
  const connected = values && !flags.ecg_leads_off && !(flags.hidden ?? []).includes("heart_rate");
  if (connected) {
    const from = at - SECONDS;
    const heart = createHeart({
      ...heartSettings(values),
      rng: makeRng((seed ^ Math.round(at * 1000)) >>> 0),
      start: from - WARM_UP_SECONDS,
      memorySeconds: SECONDS + WARM_UP_SECONDS + 5,
    });
    heart.schedule(at + 1);
    const out = new Float64Array(12);
    const artefacts = flags.artefacts ?? [];
    for (let i = 0; i < count; i += 1) {
      const t = from + i / HZ;
      leadsAt(heart, t, out);
      for (let k = 0; k < 12; k += 1) leads[LEADS[k]][i] = out[k] + leadArtefact(artefacts, t, LEADS[k]);
    }
  }
  return { at, hz: HZ, leads };
}

// "x,y" pairs of one lead's samples in [from, to) s, placed at (x0, baseline) in mm.
// Fixed decimals: an SVG's numbers are never localised.
function points(samples, hz, from, to, x0, baseline) {
  const first = Math.round(from * hz);
  const end = Math.min(samples.length, Math.round(to * hz));
  const out = [];
  for (let i = first; i < end; i += 1) {
    const x = x0 + ((i - first) / hz) * MM_PER_SECOND;
    const y = baseline - samples[i] * MM_PER_MV;
    out.push(`${x.toFixed(2)},${y.toFixed(2)}`);
  }
  return out.join(" ");
}

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export const WIDTH_MM = LEFT_MM + CALIBRATION_MM + SECONDS * MM_PER_SECOND + 4;
export const HEIGHT_MM = TOP_MM + (ROWS.length + 1) * ROW_MM;

// The tracing as an SVG document in mm. `text`: {title, time, speed} already in the page's
// language (the caller formats the time).
export function twelveLeadSvg(recording, text = {}) {
  const { segments, strip } = twelveLeadLayout();
  const x0 = LEFT_MM + CALIBRATION_MM;
  const baseline = (row) => TOP_MM + row * ROW_MM + ROW_MM * 0.6;
  const calibration = (row) => {
    const y = baseline(row);
    const c = (v) => v.toFixed(2);
    return `M${c(LEFT_MM)},${c(y)} h1 v-${MM_PER_MV} h3 v${MM_PER_MV} h1`;
  };
  const traces = [];
  const labels = [];
  for (const s of [...segments, { ...strip, column: 0 }]) {
    const x = x0 + s.from * MM_PER_SECOND;
    const y = baseline(s.row);
    traces.push(`<polyline data-lead="${s.lead}" data-row="${s.row}" points="${points(recording.leads[s.lead], recording.hz, s.from, s.to, x, y)}"/>`);
    labels.push(`<text x="${(x + 1).toFixed(2)}" y="${(y - 12).toFixed(2)}">${escape(s.lead)}</text>`);
    // Where one lead gives way to the next, a short mark as electrocardiographs print.
    if (s.column > 0 && s.row < ROWS.length) {
      labels.push(`<path class="divider" stroke="#000" stroke-width="0.28" d="M${x.toFixed(2)},${(y - 4).toFixed(2)} v8"/>`);
    }
  }
  const rows = [...Array(ROWS.length + 1).keys()].map(calibration).join(" ");
  const w = WIDTH_MM.toFixed(0);
  const h = HEIGHT_MM.toFixed(0);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="twelve-lead-svg" viewBox="0 0 ${w} ${h}" ` +
    `width="${w}mm" height="${h}mm" role="img" aria-label="${escape(text.title ?? "12-lead ECG")}">` +
    `<defs><pattern id="ecg-small" width="1" height="1" patternUnits="userSpaceOnUse">` +
    `<path d="M1,0 V1 H0" fill="none" stroke="#f6c3c8" stroke-width="0.08"/></pattern>` +
    `<pattern id="ecg-large" width="5" height="5" patternUnits="userSpaceOnUse">` +
    `<rect width="5" height="5" fill="url(#ecg-small)"/>` +
    `<path d="M5,0 V5 H0" fill="none" stroke="#e58a95" stroke-width="0.2"/></pattern></defs>` +
    `<rect width="${w}" height="${h}" fill="#fff"/>` +
    `<rect x="0" y="${TOP_MM - 8}" width="${w}" height="${(h - TOP_MM + 8).toFixed(0)}" fill="url(#ecg-large)"/>` +
    `<g class="header" font-family="sans-serif" font-size="4" fill="#000">` +
    `<text x="${LEFT_MM}" y="6">${escape(text.title ?? "")}</text>` +
    `<text x="${LEFT_MM}" y="10.5" font-size="3">${escape(text.time ?? "")}</text>` +
    `<text x="${(WIDTH_MM - 4).toFixed(0)}" y="10.5" font-size="3" text-anchor="end">${escape(text.speed ?? "")}</text></g>` +
    `<g class="labels" font-family="sans-serif" font-size="3.2" fill="#000">${labels.join("")}</g>` +
    `<g class="traces" fill="none" stroke="#000" stroke-width="0.28" stroke-linejoin="round">` +
    `<path d="${rows}"/>${traces.join("")}</g></svg>`
  );
}
