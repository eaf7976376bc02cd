// Run with: node --test static/sessions_app/tests/
// The rhythm catalogue in the browser agrees with simulator/contract/rhythms.json, which the
// server reads: a rhythm added on one side fails here until both follow.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { MODELS } from "../heart/conduction.js";
import { GROUPS, RHYTHMS, RHYTHM_IDS, catalogue } from "../heart/rhythms.js";

const contract = JSON.parse(readFileSync(new URL("../../../simulator/contract/rhythms.json", import.meta.url)));

test("rhythms.js and rhythms.json list the same rhythms with the same facts", () => {
  assert.deepEqual(catalogue(), contract);
});

test("at least 40 rhythms, each in a known group, the server's seven ids kept", () => {
  assert.ok(RHYTHM_IDS.length >= 40);
  for (const id of RHYTHM_IDS) assert.ok(GROUPS.includes(RHYTHMS[id].group), id);
  for (const id of ["sinus", "sinus_tachycardia", "sinus_bradycardia", "atrial_fibrillation", "ventricular_tachycardia", "ventricular_fibrillation", "asystole"]) {
    assert.ok(RHYTHMS[id], id);
  }
  for (const group of GROUPS) assert.ok(RHYTHM_IDS.some((id) => RHYTHMS[id].group === group), group);
});

test("every rhythm has a conduction model", () => {
  for (const { id } of contract.rhythms) assert.ok(MODELS[id], id);
});

test("the lethal rhythms are the red alarms the server already raises", () => {
  for (const id of ["asystole", "ventricular_fibrillation", "ventricular_tachycardia"]) assert.ok(RHYTHMS[id].lethal);
  for (const id of RHYTHM_IDS.filter((id) => !RHYTHMS[id].pulse)) assert.ok(RHYTHMS[id].lethal, id);
});

test("the docs' rhythm pictures are those the engine draws today", () => {
  const docs = new URL("../../../docs/", import.meta.url).pathname;
  const fresh = join(mkdtempSync(join(tmpdir(), "rhythms-")), "rhythms");
  const draw = new URL("../heart/draw.mjs", import.meta.url).pathname;
  execFileSync(process.execPath, [draw, fresh]);
  const files = readdirSync(fresh).sort();
  assert.deepEqual(readdirSync(join(docs, "rhythms")).sort(), files);
  assert.equal(files.length, RHYTHM_IDS.length + 1);
  for (const file of files) {
    const same = readFileSync(join(fresh, file), "utf8") === readFileSync(join(docs, "rhythms", file), "utf8");
    assert.ok(same, `docs/rhythms/${file} is stale: run node static/sessions_app/heart/draw.mjs docs/rhythms`);
  }
  assert.equal(readFileSync(`${fresh}.md`, "utf8"), readFileSync(join(docs, "rhythms.md"), "utf8"));
});
