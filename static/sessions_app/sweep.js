// A canvas trace drawn like a monitor's: a cursor sweeps left to right, writing new samples over
// the previous sweep, with a short blank gap ahead of it.

const ERASE_GAP_CSS_PX = 14;
const TRACE_CSS_PX = 1.6;
// A mark (a defibrillator's sync marker): a small downward triangle near the top.
const MARK_CSS_PX = 5;

export class SweepTrace {
  // `range` is [low, high] in the sample's unit, or a function giving it (a scale that follows
  // the value, as a capnograph's does). `marks(from, to)`, if given, lists the times in
  // (from, to] (seconds) to mark above the trace.
  constructor(canvas, sample, range, marks = null) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.sample = sample;
    this.marks = marks;
    this.range = typeof range === "function" ? range : () => range;
    this.blank = false;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  resize() {
    const box = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    this.width = Math.round(box.width * ratio);
    this.height = Math.round(box.height * ratio);
    this.canvas.width = this.width;
    this.canvas.height = this.height;
    // 4 to 6 s across: near 25 mm/s on a large screen, complexes still readable on a phone.
    const sweepSeconds = Math.min(6, Math.max(4, box.width / 160));
    this.pixelsPerSecond = this.width / sweepSeconds;
    this.gap = ERASE_GAP_CSS_PX * ratio;
    this.context.lineWidth = TRACE_CSS_PX * ratio;
    this.context.lineJoin = "round";
    this.context.strokeStyle = getComputedStyle(this.canvas).color;
    this.lastColumn = null;
  }

  y(value, [low, high]) {
    const margin = this.height * 0.06;
    const clamped = Math.min(high, Math.max(low, value));
    const fraction = (clamped - low) / (high - low);
    return this.height - margin - fraction * (this.height - 2 * margin);
  }

  // Columns are counted without wrapping; the canvas shows them modulo its width.
  erase(fromColumn, toColumn) {
    let start = ((fromColumn % this.width) + this.width) % this.width;
    let remaining = Math.min(toColumn - fromColumn, this.width);
    while (remaining > 0) {
      const run = Math.min(remaining, this.width - start);
      this.context.clearRect(start, 0, run, this.height);
      remaining -= run;
      start = 0;
    }
  }

  // A disconnected sensor draws nothing at all, not a flat line.
  clear() {
    if (!this.blank) this.context.clearRect(0, 0, this.width, this.height);
    this.blank = true;
    this.lastColumn = null;
  }

  draw(seconds, restart) {
    if (this.width === 0 || this.height === 0) return;
    this.blank = false;
    const column = seconds * this.pixelsPerSecond;
    if (restart || this.lastColumn === null) {
      this.context.clearRect(0, 0, this.width, this.height);
      this.lastColumn = column;
    }
    const from = this.lastColumn;
    const range = this.range();
    this.erase(from + this.context.lineWidth, column + this.gap);
    const step = 0.5;
    let previousX = null;
    this.context.beginPath();
    for (let c = from; ; c = Math.min(c + step, column)) {
      const x = c % this.width;
      const y = this.y(this.sample(c / this.pixelsPerSecond), range);
      if (previousX === null || x < previousX) this.context.moveTo(x, y);
      else this.context.lineTo(x, y);
      previousX = x;
      if (c >= column) break;
    }
    this.context.stroke();
    if (this.marks) this.drawMarks(from / this.pixelsPerSecond, seconds);
    this.lastColumn = column;
  }

  drawMarks(from, to) {
    const times = this.marks(from, to);
    if (times.length === 0) return;
    const size = MARK_CSS_PX * (window.devicePixelRatio || 1);
    this.context.beginPath();
    for (const t of times) {
      const x = (t * this.pixelsPerSecond) % this.width;
      this.context.moveTo(x - size, size);
      this.context.lineTo(x + size, size);
      this.context.lineTo(x, 2.2 * size);
      this.context.closePath();
    }
    this.context.fillStyle = this.context.strokeStyle;
    this.context.fill();
  }
}
