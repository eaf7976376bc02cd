// Run with: node --test static/sessions_app/tests/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ServerClock, VirtualClock, formatDuration, formatOffset, onVirtualClock, parseIsoTime } from "../clock.js";

describe("server clock", () => {
  test("parses the server's microseconds and time zones", () => {
    const base = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(parseIsoTime("2026-01-01T12:00:00+00:00"), base);
    assert.equal(parseIsoTime("2026-01-01T12:00:00.5Z"), base + 500);
    assert.equal(Math.round(parseIsoTime("2026-01-01T12:00:00.123456+00:00") * 1000), base * 1000 + 123456);
    assert.equal(parseIsoTime("2026-01-01T13:00:00+01:00"), base);
    assert.equal(parseIsoTime(null), null);
  });

  test("keeps the offset of the sample with the shortest round trip", () => {
    let local = 1000;
    const clock = new ServerClock(() => local);
    // The server is 5 s ahead; the first sample's slow round trip blurs it by 200 ms.
    clock.addSample(5000 + 1000 + 300, 1000, 1400);
    assert.equal(clock.offset, 5100);
    clock.addSample(5000 + 2010, 2000, 2020);
    assert.equal(clock.offset, 5000);
    clock.addSample(5000 + 3300, 3000, 3500);
    assert.equal(clock.offset, 5000);
    local = 10000;
    assert.equal(clock.now(), 15000);
  });

  test("starts again when the screen's clock jumps", () => {
    const clock = new ServerClock(() => 0);
    clock.addSample(5010, 0, 20);
    // A laptop woke up: its clock is now 60 s behind, and the old sample cannot be right.
    clock.addSample(65000 + 1000 + 50, 1000, 1100);
    assert.equal(clock.offset, 65000);
  });

  test("a replay's clock runs at its speed and stops at the end", () => {
    let local = 0;
    const clock = new VirtualClock(1000, 4, 50000, () => local);
    local = 2000;
    assert.equal(clock.now(), 9000);
    local = 1e9;
    assert.equal(clock.now(), 50000);
  });

  test("a paused replay holds its moment, and plays on from it", () => {
    let local = 0;
    const clock = new VirtualClock(1000, 2, 50000, () => local);
    local = 1000;
    clock.pause();
    local = 5000;
    assert.equal(clock.now(), 3000);
    assert.equal(clock.paused, true);
    clock.play();
    local = 6000;
    assert.equal(clock.now(), 5000);
    assert.equal(clock.paused, false);
  });

  test("seeking moves a replay within its start and end, paused or playing as it was", () => {
    let local = 0;
    const clock = new VirtualClock(1000, 1, 50000, () => local);
    clock.seek(30000);
    local = 500;
    assert.equal(clock.now(), 30500);
    clock.pause();
    clock.seek(1e9);
    assert.equal(clock.now(), 50000);
    clock.seek(-5);
    assert.equal(clock.now(), 1000);
    assert.equal(clock.paused, true);
  });

  test("the replay page's controls get the clock made before or after they ask", () => {
    const early = [];
    onVirtualClock((clock) => early.push(clock));
    const made = new VirtualClock(0, 1, 10, () => 0);
    const late = [];
    onVirtualClock((clock) => late.push(clock));
    assert.deepEqual([early.at(-1), late.at(-1)], [made, made]);
  });

  test("times since the start read as the debrief writes them", () => {
    assert.equal(formatOffset(0), "00:00");
    assert.equal(formatOffset(59.9), "00:59");
    assert.equal(formatOffset(600), "10:00");
    assert.equal(formatOffset(3725), "62:05");
    assert.equal(formatOffset(-3), "00:00");
  });

  test("countdowns round up so that 00:00 means over", () => {
    assert.equal(formatDuration(120000), "02:00");
    assert.equal(formatDuration(119001), "02:00");
    assert.equal(formatDuration(500), "00:01");
    assert.equal(formatDuration(-5), "00:00");
    assert.equal(formatDuration(3723000), "1:02:03");
  });
});
