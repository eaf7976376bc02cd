// The monitor's and the control page's one socket client: backoff with jitter, silence, pongs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import {
  FIRST_PINGS_MS,
  LiveSocket,
  PING_EVERY_MS,
  RECONNECT_FIRST_MS,
  RECONNECT_MAX_MS,
  RESTART_JITTER_MS,
  SERVICE_RESTART,
  SILENCE_LIMIT_MS,
} from "../live-socket.js";

// A browser WebSocket as far as LiveSocket uses it; `opened` lists every one made.
class FakeSocket extends EventTarget {
  static OPEN = 1;
  static opened = [];
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.opened.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  // What the server does:
  accept() {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  receive(message) {
    this.dispatchEvent(Object.assign(new Event("message"), { data: JSON.stringify(message) }));
  }
  drop(code) {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }
}

const latest = () => FakeSocket.opened.at(-1);

function liveSocket({ onClose = () => undefined, random = () => 0.5 } = {}) {
  const received = [];
  const closes = [];
  const samples = [];
  const clock = { addSample: (...sample) => samples.push(sample) };
  const handlers = {
    onMessage: (message) => received.push(message),
    onClose: (code, opened) => {
      closes.push({ code, opened });
      return onClose(code);
    },
  };
  const socket = new LiveSocket("ws://screen/ws/monitor/ABC234/", clock, handlers, {
    WebSocket: FakeSocket,
    random,
  });
  socket.start();
  return { socket, received, closes, samples };
}

beforeEach(() => {
  FakeSocket.opened = [];
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
});
afterEach(() => mock.timers.reset());

describe("reconnecting", () => {
  test("backs off from 500 ms, doubling to 10 s, with jitter between half and one and a half", () => {
    const jitters = [0, 0.999, 0.5, 0.5, 0.5, 0.5, 0.5];
    const { closes } = liveSocket({ random: () => jitters.shift() });
    const waits = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const before = FakeSocket.opened.length;
      latest().drop(1006);
      let waited = 0;
      while (FakeSocket.opened.length === before) {
        mock.timers.tick(1);
        waited++;
      }
      waits.push(waited);
    }
    assert.deepEqual(waits, [250, 1499, 2000, 4000, 8000, 10000, 10000]);
    assert.equal(closes.length, 7);
  });

  test("a working link starts the backoff again from the first delay", () => {
    const { socket } = liveSocket();
    for (const _ of [1, 2, 3]) {
      latest().drop(1006);
      mock.timers.tick(RECONNECT_MAX_MS);
    }
    latest().accept();
    socket.healthy();
    const before = FakeSocket.opened.length;
    latest().drop(1006);
    mock.timers.tick(RECONNECT_FIRST_MS - 1);
    assert.equal(FakeSocket.opened.length, before);
    mock.timers.tick(1);
    assert.equal(FakeSocket.opened.length, before + 1);
  });

  test("'wait' waits the longest delay, 'stop' never tries again", () => {
    let answer = "wait";
    liveSocket({ onClose: () => answer });
    latest().drop(4503);
    mock.timers.tick(RECONNECT_MAX_MS - 1);
    assert.equal(FakeSocket.opened.length, 1);
    mock.timers.tick(1);
    assert.equal(FakeSocket.opened.length, 2);
    answer = "stop";
    latest().drop(4410);
    mock.timers.tick(10 * RECONNECT_MAX_MS);
    assert.equal(FakeSocket.opened.length, 2);
  });

  test("a server restart (1012) reconnects within the small jitter, not after the backoff", () => {
    const jitters = [];
    liveSocket({ random: () => jitters.shift() ?? 0.5 });
    // Deep in the backoff after failed tries...
    for (const _ of [1, 2, 3, 4]) {
      latest().drop(1006);
      mock.timers.tick(RECONNECT_MAX_MS);
    }
    jitters.push(0.999, 0.5, 0.25);
    const waits = [];
    for (const _ of [1, 2, 3]) {
      latest().accept();
      const before = FakeSocket.opened.length;
      latest().drop(SERVICE_RESTART);
      let waited = 0;
      while (FakeSocket.opened.length === before) {
        mock.timers.tick(1);
        waited++;
      }
      waits.push(waited);
    }
    assert.deepEqual(waits, [Math.ceil(0.999 * RESTART_JITTER_MS), RESTART_JITTER_MS / 2, RESTART_JITTER_MS / 4]);
    assert.ok(RESTART_JITTER_MS < RECONNECT_MAX_MS);
  });

  test("after a restart, a process that is down too backs off from the first delay", () => {
    liveSocket({ random: () => 0.5 });
    latest().drop(SERVICE_RESTART);
    mock.timers.tick(RESTART_JITTER_MS);
    const before = FakeSocket.opened.length;
    latest().drop(1006);
    mock.timers.tick(RECONNECT_FIRST_MS - 1);
    assert.equal(FakeSocket.opened.length, before);
    mock.timers.tick(1);
    assert.equal(FakeSocket.opened.length, before + 1);
  });

  test("1012 is the server's restart code (simulator/protocol.py)", () => {
    const constants = JSON.parse(
      readFileSync(new URL("../../../simulator/contract/protocol.json", import.meta.url)),
    );
    assert.equal(SERVICE_RESTART, constants.close.restart);
  });

  test("back on screen, it tries at once instead of waiting out the backoff", () => {
    const { socket } = liveSocket({ onClose: () => "wait" });
    latest().drop(1006);
    socket.reconnectNow();
    assert.equal(FakeSocket.opened.length, 2);
  });

  test("stopped by the page, it neither reconnects nor reports the close", () => {
    const { socket, closes } = liveSocket();
    latest().accept();
    socket.stop();
    latest().drop(1000);
    mock.timers.tick(10 * RECONNECT_MAX_MS);
    assert.equal(FakeSocket.opened.length, 1);
    assert.deepEqual(closes, []);
  });
});

describe("pings and silence", () => {
  test("pings at 0, 1 and 3 s, then every 20 s; pongs feed the clock, not the page", () => {
    const { received, samples } = liveSocket();
    latest().accept();
    mock.timers.tick(FIRST_PINGS_MS.at(-1) + PING_EVERY_MS);
    assert.equal(latest().sent.length, FIRST_PINGS_MS.length + 1);
    assert.ok(latest().sent.every((message) => message.type === "ping"));
    latest().receive({ type: "pong", now: "2026-12-01T09:00:00.250000+00:00" });
    latest().receive({ type: "vitals", values: {} });
    assert.deepEqual(received, [{ type: "vitals", values: {} }]);
    assert.equal(samples.length, 1);
    assert.equal(samples[0][0], Date.parse("2026-12-01T09:00:00.250Z"));
  });

  test("nothing heard for 45 s: the link is given up and tried again", () => {
    const { closes } = liveSocket();
    const silent = latest();
    silent.accept();
    mock.timers.tick(SILENCE_LIMIT_MS + PING_EVERY_MS);
    assert.deepEqual(closes, [{ code: null, opened: true }]);
    assert.equal(silent.readyState, 3);
    // Its close, reported late, is not a second one.
    silent.drop(1006);
    assert.equal(closes.length, 1);
    mock.timers.tick(RECONNECT_MAX_MS);
    assert.equal(FakeSocket.opened.length, 2);
  });

  test("a link that keeps talking is never given up", () => {
    const { closes } = liveSocket();
    latest().accept();
    for (let second = 0; second < 120; second += 10) {
      mock.timers.tick(10_000);
      latest().receive({ type: "pong", now: new Date().toISOString() });
    }
    assert.deepEqual(closes, []);
  });
});
