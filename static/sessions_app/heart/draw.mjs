// Draws every rhythm as the docs show it, from the same code the monitor runs, so the pictures
// cannot drift from the model:
//   node static/sessions_app/heart/draw.mjs docs/rhythms
// writes <id>.svg (lead II, 6 s, 25 mm/s, 10 mm/mV on the pink grid), a 12-lead of an inferior
// STEMI, and ../rhythms.md listing them. Node only (it writes files); the modules it uses are not.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

import { makeRng } from "../waveforms.js";
import { createHeart } from "./conduction.js";
import { sampleLead } from "./leads.js";
import { GROUPS, RHYTHMS, RHYTHM_IDS } from "./rhythms.js";

const MM_PER_SECOND = 25;
const MM_PER_MV = 10;
// 500 Hz so a pacemaker spike is not missed; the simplification below drops the excess.
const HZ = 500;
// Points closer than this to the line through their neighbours are dropped (mm).
const TOLERANCE_MM = 0.04;
const SEED = 15;
const WARM_UP_SECONDS = 2;

const GROUP_TITLES = {
  sinus: "Sinus",
  atrial: "Atrial",
  junctional: "Junctional",
  blocks: "AV blocks",
  ventricular: "Ventricular",
  paced: "Paced",
  st_t: "ST/T and conduction",
  arrest: "Arrest",
};

// Ramer-Douglas-Peucker on [x, y] points, iterative (a strip has thousands of points).
function simplify(points) {
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = points[a];
    const [bx, by] = points[b];
    const length = Math.hypot(bx - ax, by - ay) || 1;
    let worst = 0;
    let index = -1;
    for (let i = a + 1; i < b; i += 1) {
      const [px, py] = points[i];
      const distance = Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length;
      if (distance > worst) {
        worst = distance;
        index = i;
      }
    }
    if (worst > TOLERANCE_MM) {
      keep[index] = 1;
      stack.push([a, index], [index, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

// Fixed-point numbers with a dot whatever the locale, trailing zeros dropped.
const n = (value) => String(Math.round(value * 10) / 10);

function polyline(samples, x0, baseline) {
  const points = Array.from(samples, (mv, i) => [x0 + (i / HZ) * MM_PER_SECOND, baseline - mv * MM_PER_MV]);
  const d = simplify(points).map(([x, y]) => `${n(x)},${n(y)}`).join(" ");
  return `<polyline points="${d}"/>`;
}

const label = (x, y, text) =>
  `<text x="${n(x)}" y="${n(y)}" font-size="3.5" font-family="sans-serif" stroke="none">${text}</text>`;

function svg(width, height, body) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}"`,
    ` width="${width * 4}" height="${height * 4}">`,
    "<defs><pattern id=\"g\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">",
    '<path d="M1 0V5M2 0V5M3 0V5M4 0V5M0 1H5M0 2H5M0 3H5M0 4H5" stroke="#f7cdd5" stroke-width=".1"/>',
    '<path d="M0 0V5M0 0H5" stroke="#e8909f" stroke-width=".2"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<rect width="${width}" height="${height}" fill="url(#g)"/>`,
    `<g fill="none" stroke="#111" stroke-width=".3" stroke-linejoin="round">${body}</g>`,
    "</svg>",
    "",
  ].join("\n");
}

function heartFor(rhythm, seconds) {
  const heart = createHeart({ rhythm, rng: makeRng(SEED), memorySeconds: Infinity });
  heart.schedule(WARM_UP_SECONDS + seconds + 0.5);
  return heart;
}

function rhythmStrip(rhythm, seconds = 6) {
  const height = 40;
  const heart = heartFor(rhythm, seconds);
  const samples = sampleLead(heart, "II", WARM_UP_SECONDS, HZ, seconds * HZ);
  return svg(seconds * MM_PER_SECOND, height, polyline(samples, 0, height / 2) + label(2, 5, "II"));
}

// The standard layout: three rows of four 2.5 s columns, then a 10 s lead II rhythm strip.
const LAYOUT = [
  ["I", "aVR", "V1", "V4"],
  ["II", "aVL", "V2", "V5"],
  ["III", "aVF", "V3", "V6"],
];

function twelveLead(rhythm) {
  const rowHeight = 30;
  const width = 10 * MM_PER_SECOND;
  const heart = heartFor(rhythm, 10);
  let body = "";
  LAYOUT.forEach((row, r) => {
    row.forEach((lead, c) => {
      const from = WARM_UP_SECONDS + 2.5 * c;
      const x0 = 2.5 * MM_PER_SECOND * c;
      body += polyline(sampleLead(heart, lead, from, HZ, 2.5 * HZ), x0, rowHeight * (r + 0.5));
      body += label(x0 + 1.5, rowHeight * r + 5, lead);
    });
  });
  body += polyline(sampleLead(heart, "II", WARM_UP_SECONDS, HZ, 10 * HZ), 0, rowHeight * 3.5);
  body += label(1.5, rowHeight * 3 + 5, "II");
  return svg(width, rowHeight * 4, body);
}

function markdown(folder, page) {
  const link = (file) => relative(dirname(page), join(folder, file));
  const lines = [
    "# Rhythms",
    "",
    "Every rhythm of the heart engine (`static/sessions_app/heart/`, see docs/heart.md), drawn by",
    "the engine itself with `node static/sessions_app/heart/draw.mjs docs/rhythms`: lead II, 6 s at",
    `25 mm/s and 10 mm/mV, each at its default rate, seed ${SEED}. Regenerate after changing the engine.`,
    "",
  ];
  for (const group of GROUPS) {
    lines.push(`## ${GROUP_TITLES[group]}`, "");
    for (const id of RHYTHM_IDS.filter((id) => RHYTHMS[id].group === group)) {
      const r = RHYTHMS[id];
      const facts = [`\`${id}\``, r.rate && `${r.rate}/min`, r.lethal && "red alarm", !r.pulse && "no pulse"];
      const picture = `![${r.label}](${link(`${id}.svg`)})`;
      lines.push(`### ${r.label}`, "", facts.filter(Boolean).join(" · "), "", picture, "");
    }
  }
  lines.push(
    "## 12-lead: inferior STEMI",
    "",
    "ST elevation in II, III and aVF with reciprocal depression in I and aVL, from one injury",
    "vector projected on every lead.",
    "",
    `![Inferior STEMI, 12 leads](${link("12-lead-stemi-inferior.svg")})`,
    "",
  );
  return lines.join("\n");
}

function main(folder) {
  mkdirSync(folder, { recursive: true });
  for (const id of RHYTHM_IDS) writeFileSync(join(folder, `${id}.svg`), rhythmStrip(id));
  writeFileSync(join(folder, "12-lead-stemi-inferior.svg"), twelveLead("stemi_inferior"));
  const page = `${folder.replace(/\/$/, "")}.md`;
  writeFileSync(page, markdown(folder, page));
  console.log(`${RHYTHM_IDS.length} strips and a 12-lead in ${folder}, listed in ${page}`);
}

main(process.argv[2] ?? "docs/rhythms");
