// Results the trainer sends to the bedside (a blood gas, lab results, a glucose, an image): a
// drawer over the right part of the waveforms, opened when one arrives and closable, never over
// the numbers; the top bar's "Results (n)" reopens it with the earlier ones. The server renders
// each card once, in this page's language: the broadcast only names the result, and this module
// fetches its card (through the join code, or the trainer's URL in a replay) and inserts it.
import { formatClock, parseIsoTime } from "./clock.js";

// Every screen of a session fetches a new card at once: spread over this long, 500 screens do
// not all reach the server in the same instant.
const FETCH_SPREAD_MS = 800;

export class ResultsPanel {
  // elements: {panel, card, list, toggle, close}; urlBase: where `${id}/` serves a card.
  constructor(elements, urlBase, text) {
    Object.assign(this, elements);
    this.urlBase = urlBase;
    this.text = text;
    this.results = []; // {result, kind, at, label}, oldest first
    this.cards = new Map(); // id -> the card's HTML, once fetched
    this.shown = null;
    this.close.addEventListener("click", () => this.hide());
    this.toggle.addEventListener("click", () => (this.panel.hidden ? this.open(this.shown ?? this.latest()) : this.hide()));
    this.list.addEventListener("click", (event) => {
      const item = event.target.closest("[data-result]");
      if (item) this.open(item.dataset.result);
    });
  }

  // The snapshot's list: what this screen may reopen (a reconnection brings it again).
  reset(results) {
    this.results = (results ?? []).map((result) => ({ ...result }));
    this.render();
  }

  // A result just sent: listed, and shown at once.
  receive(message) {
    if (!this.results.some((result) => result.result === message.result)) {
      this.results.push({ result: message.result, kind: message.kind, at: message.at, label: message.title });
    }
    this.render();
    this.open(message.result, Math.random() * FETCH_SPREAD_MS);
  }

  latest() {
    return this.results.at(-1)?.result ?? null;
  }

  async open(id, delay = 0) {
    if (id === null) return;
    this.shown = id;
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.render();
    if (!this.cards.has(id)) {
      this.card.replaceChildren(this.text.result_loading);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        const response = await fetch(`${this.urlBase}${id}/`, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.cards.set(id, await response.text());
      } catch {
        if (this.shown === id) this.card.replaceChildren(this.text.result_failed);
        return;
      }
    }
    if (this.shown !== id) return; // Another was opened meanwhile.
    this.card.innerHTML = this.cards.get(id);
    const title = this.card.querySelector("[data-title]")?.dataset.title;
    const entry = this.results.find((result) => result.result === id);
    if (entry && title && entry.label !== title) {
      entry.label = title; // The card's title is in this page's language.
      this.render();
    }
    // Times as this screen's clock shows them.
    for (const time of this.card.querySelectorAll("time[datetime]")) {
      time.textContent = formatClock(parseIsoTime(time.getAttribute("datetime")));
    }
  }

  hide() {
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
  }

  render() {
    const count = this.results.length;
    this.toggle.hidden = count === 0;
    const label = this.text.results_count.replace("%(count)s", String(count));
    if (this.toggle.textContent !== label) this.toggle.textContent = label;
    const items = [...this.results].reverse().map((result) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.result = result.result;
      button.textContent = `${formatClock(parseIsoTime(result.at))} · ${result.label || this.text.result_kinds[result.kind] || ""}`;
      if (result.result === this.shown) button.setAttribute("aria-current", "true");
      const item = document.createElement("li");
      item.append(button);
      return item;
    });
    this.list.replaceChildren(...items);
  }
}
