// The one reconnecting socket of the monitor and the control page: pings that feed the server's
// clock (clock.js) and keep the link checked, a link given up when nothing is heard for too long
// (a socket can say open over a dead Wi-Fi), reconnection with backoff and jitter, and a try at
// once when the page comes back on screen or online, or after a server restart. The page decides
// what any other close means.
import { localNow, parseIsoTime } from "./clock.js";

// The first pings come quickly, to learn the server's clock; then they keep the link checked.
export const FIRST_PINGS_MS = [0, 1000, 3000];
export const PING_EVERY_MS = 20000;
// Nothing heard, not even a pong, for this long: the link is dead even if the socket says open.
export const SILENCE_LIMIT_MS = 45000;
export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 10000;
// 1012 Service Restart (IANA's WebSocket Close Code Number Registry, RFC 6455 7.4.2): the server
// process is restarting and the others take the connection now (live/restart.py). A whole
// class reconnects at once, spread over this much time, rather than after the backoff.
export const SERVICE_RESTART = 1012;
export const RESTART_JITTER_MS = 1000;

export class LiveSocket {
  // `url`: the socket's address; `clock`: a ServerClock fed by the pongs. Handlers:
  // onOpen(socket), onMessage(message, receivedAt) for everything but pongs, and
  // onClose(code, opened), code null when the link was given up for silence, returning "stop"
  // (no more tries), "wait" (try again after the longest delay) or nothing (back off).
  // `environment` replaces the browser's WebSocket and randomness in the node tests.
  constructor(url, clock, handlers, environment = {}) {
    this.url = url;
    this.clock = clock;
    this.handlers = handlers;
    this.WebSocket = environment.WebSocket ?? globalThis.WebSocket;
    this.random = environment.random ?? Math.random;
    this.socket = null;
    this.delay = RECONNECT_FIRST_MS;
    this.reconnectTimer = null;
    this.pingTimers = [];
    this.pingsSent = [];
    this.lastHeard = 0;
    this.openedAt = 0;
    this.stopped = false;
  }

  get isOpen() {
    return this.socket?.readyState === this.WebSocket.OPEN;
  }

  start() {
    this.connect();
  }

  // The link works (a monitor got its snapshot, a control page opened): back off from scratch.
  healthy() {
    this.delay = RECONNECT_FIRST_MS;
  }

  send(message) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  stop() {
    this.stopped = true;
    this.#stopPings();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close();
    this.socket = null;
  }

  // Back online or back on screen: try now rather than at the end of the backoff.
  reconnectNow() {
    if (!this.stopped && this.reconnectTimer !== null) this.connect();
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = new this.WebSocket(this.url);
    let opened = false;
    this.socket = socket;
    socket.addEventListener("open", () => {
      opened = true;
      this.openedAt = localNow();
      this.lastHeard = Date.now();
      this.pingsSent = [];
      this.pingTimers = FIRST_PINGS_MS.map((delay) => setTimeout(() => this.#ping(), delay));
      this.pingTimers.push(setInterval(() => this.#ping(), PING_EVERY_MS));
      this.handlers.onOpen?.(this);
    });
    socket.addEventListener("message", (event) => {
      const receivedAt = localNow();
      this.lastHeard = Date.now();
      const message = JSON.parse(event.data);
      if (message.type === "pong") {
        // Pongs come back in order on one socket: the oldest ping sent is this one's.
        const sentAt = this.pingsSent.shift();
        if (sentAt !== undefined) this.clock.addSample(parseIsoTime(message.now), sentAt, receivedAt);
        return;
      }
      this.handlers.onMessage(message, receivedAt);
    });
    // A socket given up for silence may still report its close later: ignore it then.
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.#closed(event.code, opened);
    });
  }

  #ping() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      const silent = this.socket;
      this.socket = null;
      silent.close();
      this.#closed(null, true);
      return;
    }
    if (this.send({ type: "ping" })) this.pingsSent.push(localNow());
  }

  #stopPings() {
    // One pool of ids: clearTimeout clears intervals too.
    this.pingTimers.forEach((timer) => clearTimeout(timer));
    this.pingTimers = [];
  }

  #closed(code, opened) {
    this.#stopPings();
    this.socket = null;
    if (this.stopped) return;
    const next = this.handlers.onClose(code, opened);
    if (next === "stop") {
      this.stopped = true;
      return;
    }
    if (next === "wait") this.delay = RECONNECT_MAX_MS;
    let delay;
    if (code === SERVICE_RESTART && next !== "wait") {
      delay = RESTART_JITTER_MS * this.random();
      this.delay = RECONNECT_FIRST_MS;
    } else {
      // Jitter spreads the reconnections of a whole classroom after a server crash.
      delay = Math.min(RECONNECT_MAX_MS, this.delay * (0.5 + this.random()));
      this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
    }
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}

// The socket's address for a path of this site: wss from an https page.
export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}
