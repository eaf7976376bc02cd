// Run with: node --test static/sessions_app/tests/
// What the monitor-defibrillator's strip shows for the server's state at a moment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { parseIsoTime } from "../clock.js";
import {
  CHECK_RHYTHM_MS,
  PACER_DEFAULTS,
  SHOCK_NOTICE_MS,
  aedPrompt,
  chargeText,
  chargeView,
  cprView,
  panelView,
  stepped,
} from "../device-panel.js";
import { AED_JOULES, CHARGE_HOLD_SECONDS, CPR_CYCLE_SECONDS, chargeSeconds } from "../treatment.js";

const T0 = parseIsoTime("2026-01-01T12:00:00+00:00");
const S = 1000;
const iso = (time) => new Date(time).toISOString();

// A charge started at T0, as the server stores it.
function charge(joules = 200, { sync = false, start = T0 } = {}) {
  const readyAt = start + chargeSeconds(joules) * S;
  return { joules, sync, ready_at: iso(readyAt), disarm_at: iso(readyAt + CHARGE_HOLD_SECONDS * S) };
}
const readyOf = (held) => parseIsoTime(held.ready_at);

const TEXT = {
  charging: "Charging %(joules)s J…",
  charged: "Charged %(joules)s J: shock or disarm (%(seconds)s s)",
  auto_disarmed: "Disarmed: the charge was not used within %(seconds)s s.",
  last_shock: "Last shock %(joules)s J at %(time)s",
};

describe("the charge", () => {
  test("it fills while charging, then holds, then disarms itself", () => {
    const held = charge(200);
    const ready = readyOf(held);
    const half = chargeView(held, T0 + ((ready - T0) / 2));
    assert.equal(half.phase, "charging");
    assert.ok(Math.abs(half.progress - 0.5) < 1e-3);
    assert.deepEqual(
      [chargeView(held, ready).phase, chargeView(held, ready).secondsLeft],
      ["charged", CHARGE_HOLD_SECONDS],
    );
    assert.equal(chargeView(held, ready + CHARGE_HOLD_SECONDS * S).phase, "disarmed");
    assert.equal(chargeView(undefined, T0).phase, "none");
  });

  test("the status line says it in the page's words", () => {
    const held = charge(200);
    assert.equal(chargeText(chargeView(held, T0), null, TEXT), "Charging 200 J…");
    assert.equal(chargeText(chargeView(held, readyOf(held) + 3 * S), null, TEXT), "Charged 200 J: shock or disarm (57 s)");
    const late = readyOf(held) + CHARGE_HOLD_SECONDS * S;
    assert.equal(chargeText(chargeView(held, late), null, TEXT), `Disarmed: the charge was not used within ${CHARGE_HOLD_SECONDS} s.`);
    assert.equal(chargeText(chargeView(null, T0), null, TEXT), "");
  });
});

describe("the manual defibrillator's buttons", () => {
  const manual = { mode: "manual" };

  test("Shock only once charged, Charge again unless charging, Disarm while there is a charge", () => {
    const held = charge(200);
    const idle = panelView({}, manual, T0);
    assert.deepEqual([idle.canCharge, idle.canShock, idle.canDisarm], [true, false, false]);
    const charging = panelView({ charge: held }, manual, T0 + S);
    assert.deepEqual([charging.canCharge, charging.canShock, charging.canDisarm], [false, false, true]);
    const charged = panelView({ charge: held }, manual, readyOf(held));
    assert.deepEqual([charged.canCharge, charged.canShock, charged.canDisarm], [true, true, true]);
    const disarmed = panelView({ charge: held }, manual, readyOf(held) + CHARGE_HOLD_SECONDS * S);
    assert.deepEqual([disarmed.canCharge, disarmed.canShock, disarmed.canDisarm], [true, false, false]);
  });

  test("the strip shows only while the monitor is a defibrillator", () => {
    assert.equal(panelView({}, { mode: "off" }, T0).visible, false);
    assert.equal(panelView({}, undefined, T0).visible, false);
    assert.equal(panelView({}, manual, T0).visible, true);
    assert.equal(panelView({}, { mode: "aed" }, T0).visible, true);
  });

  test("a manual defibrillator speaks no AED prompt", () => {
    assert.equal(panelView({}, manual, T0).prompt, null);
  });
});

describe("the AED's prompts", () => {
  const analysis = (advice, start = T0) => ({ advice, started_at: iso(start), done_at: iso(start + 8 * S) });
  // What the server stores for an analysis that advised a shock: it charges once done.
  function advised() {
    const done = T0 + 8 * S;
    return { pads: true, analysis: analysis("shock"), charge: charge(AED_JOULES, { start: done }) };
  }

  test("pads first, then Analyse", () => {
    assert.equal(aedPrompt({}, T0), "connect_pads");
    assert.equal(aedPrompt({ pads: true }, T0), "press_analyse");
  });

  test("on a shockable rhythm: analysing, shock advised while it charges, then the flashing button", () => {
    const state = advised();
    assert.equal(aedPrompt(state, T0 + S), "analysing");
    assert.equal(aedPrompt(state, T0 + 8 * S), "shock_advised");
    assert.equal(aedPrompt(state, readyOf(state.charge)), "press_shock");
    const view = panelView(state, { mode: "aed" }, readyOf(state.charge));
    assert.equal(view.canShock, true);
    assert.equal(view.canAnalyse, true);
    assert.equal(panelView(state, { mode: "aed" }, T0 + S).canAnalyse, false);
  });

  test("otherwise no shock advised, until compressions start", () => {
    const state = { pads: true, analysis: analysis("no_shock") };
    assert.equal(aedPrompt(state, T0 + S), "analysing");
    assert.equal(aedPrompt(state, T0 + 8 * S), "no_shock");
    assert.equal(panelView(state, { mode: "aed" }, T0 + 8 * S).canShock, false);
    assert.equal(aedPrompt({ ...state, cpr: { since: iso(T0 + 9 * S) } }, T0 + 10 * S), null);
  });

  test("after a shock: start CPR, for a while", () => {
    const state = { pads: true, last_shock: { at: iso(T0), joules: AED_JOULES, sync: false } };
    assert.equal(aedPrompt(state, T0 + S), "shock_delivered");
    assert.equal(aedPrompt(state, T0 + SHOCK_NOTICE_MS), "press_analyse");
  });
});

describe("CPR", () => {
  test("a timer since compressions started, and each two-minute cycle announced", () => {
    const cpr = { since: iso(T0) };
    assert.deepEqual(cprView(null, T0), { on: false });
    const early = cprView(cpr, T0 + 30 * S);
    assert.equal(early.elapsed, 30 * S);
    assert.equal(early.cycleProgress, 30 / CPR_CYCLE_SECONDS);
    assert.equal(early.checkRhythm, false);
    const cycle = T0 + CPR_CYCLE_SECONDS * S;
    assert.equal(cprView(cpr, cycle).checkRhythm, true);
    assert.equal(cprView(cpr, cycle + CHECK_RHYTHM_MS).checkRhythm, false);
    assert.equal(cprView(cpr, cycle * 2 - T0).checkRhythm, true);
    assert.equal(panelView({ cpr }, { mode: "manual" }, cycle).prompt, "check_rhythm");
  });
});

describe("the pacer's steppers", () => {
  test("they step within the pacer's range", () => {
    assert.deepEqual(stepped(PACER_DEFAULTS, "rate", 1), { ...PACER_DEFAULTS, rate: 80 });
    assert.deepEqual(stepped(PACER_DEFAULTS, "ma", -1), PACER_DEFAULTS);
    assert.equal(stepped({ ...PACER_DEFAULTS, rate: 180 }, "rate", 1).rate, 180);
    assert.equal(stepped({ ...PACER_DEFAULTS, ma: 195 }, "ma", 1).ma, 200);
  });
});
