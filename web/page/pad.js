// The drawing pad: Pointer Events (mouse, touch, pen), strokes kept as point lists so that
// Undo can drop the last one and redraw. Points are stored in pad units (0..1) so a resize
// redraws the same drawing at the new size. The reading draws each digit again from its strokes
// (strokeData), so the screen's pen only has to show what was written: thin enough that a
// number written small on a phone stays legible.

import { packStrokes } from "./stroke-data.js";

const MAX_BACKING = 560;   // longer side of the backing store, in pixels (prediction cost)
const PEN = 0.035;         // pen width as a fraction of the pad's shorter side (what the screen shows)
const INK = "#14161b";

export class Pad {
  constructor(canvas, { onStroke, onStart } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.strokes = [];          // [[{x, y}, ...], ...] in pad units
    this.current = null;        // the stroke being drawn, also the last entry of this.strokes
    this.pointerId = null;
    this.onStroke = onStroke;   // called after a stroke ends, Undo or Clear
    this.onStart = onStart;     // called when a stroke begins
    for (const type of ["pointerdown", "pointermove", "pointerup", "pointercancel", "lostpointercapture"]) {
      canvas.addEventListener(type, this);
    }
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isEmpty() { return this.strokes.length === 0; }

  get drawing() { return this.pointerId !== null; }   // a stroke has begun and not ended

  resize() {
    const { width, height } = this.canvas.getBoundingClientRect();
    if (!width || !height) return;
    const scale = Math.min(window.devicePixelRatio || 1, MAX_BACKING / Math.max(width, height));
    const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
    if (w === this.canvas.width && h === this.canvas.height) return;
    this.canvas.width = w;
    this.canvas.height = h;
    this.redraw();
  }

  handleEvent(e) {
    if (e.type === "pointerdown") return this.start(e);
    if (e.pointerId !== this.pointerId) return;
    if (e.type === "pointermove") return this.move(e);
    this.end();   // pointerup, pointercancel, lostpointercapture: keep what was drawn
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height };
  }

  start(e) {
    if (this.pointerId !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.pointerId = e.pointerId;
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.canvas.parentElement.classList.add("inked");
    this.style();
    this.dot(this.current[0]);
    this.onStart?.();
  }

  move(e) {
    e.preventDefault();
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) {
      const p = this.point(ev), pts = this.current, last = pts[pts.length - 1];
      if (Math.hypot((p.x - last.x) * this.canvas.width, (p.y - last.y) * this.canvas.height) < 1) continue;
      pts.push(p);
      this.segment(pts, pts.length - 2);
    }
  }

  end() {
    const id = this.pointerId;
    if (id === null) return;
    this.pointerId = null;
    try { this.canvas.releasePointerCapture?.(id); } catch { /* already released */ }
    this.current = null;
    this.redraw();   // the exact, complete path (the live one was drawn piecewise)
    this.onStroke?.("stroke");
  }

  undo() {
    if (this.pointerId !== null || this.isEmpty) return false;
    this.strokes.pop();
    this.redraw();
    this.onStroke?.("undo");
    return true;
  }

  clear() {
    if (this.pointerId !== null) this.end();
    this.strokes = [];
    this.redraw();
    this.onStroke?.("clear");
  }

  // Drawing: quadratic curves through the midpoints of successive points, round caps and joins.
  style() {
    const { ctx, canvas } = this;
    ctx.lineWidth = PEN * Math.min(canvas.width, canvas.height);
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = INK;
  }

  px(p) { return [p.x * this.canvas.width, p.y * this.canvas.height]; }

  mid(a, b) { return [(a.x + b.x) / 2 * this.canvas.width, (a.y + b.y) / 2 * this.canvas.height]; }

  dot(p) {
    this.ctx.beginPath();
    this.ctx.arc(...this.px(p), this.ctx.lineWidth / 2, 0, 2 * Math.PI);
    this.ctx.fill();
  }

  // The piece of the live stroke that point i+1 settles: from mid(i-1, i) (or point 0) through
  // point i to mid(i, i+1). Drawn as the pointer moves, it matches what redraw() draws.
  segment(pts, i) {
    if (i < 1) return;
    const { ctx } = this;
    ctx.beginPath();
    ctx.moveTo(...(i === 1 ? this.px(pts[0]) : this.mid(pts[i - 1], pts[i])));
    ctx.quadraticCurveTo(...this.px(pts[i]), ...this.mid(pts[i], pts[i + 1]));
    ctx.stroke();
  }

  redraw() {
    const { ctx, canvas } = this;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    this.style();
    for (const pts of this.strokes) {
      if (pts.length < 3) {
        this.dot(pts[0]);
        if (pts.length === 2) { ctx.beginPath(); ctx.moveTo(...this.px(pts[0])); ctx.lineTo(...this.px(pts[1])); ctx.stroke(); }
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(...this.px(pts[0]));
      for (let i = 1; i < pts.length - 1; i++) ctx.quadraticCurveTo(...this.px(pts[i]), ...this.mid(pts[i], pts[i + 1]));
      ctx.lineTo(...this.px(pts[pts.length - 1]));
      ctx.stroke();
    }
    canvas.parentElement.classList.toggle("inked", !this.isEmpty);
  }

  // The strokes as the worker reads them: {width, height (the backing store's: they give the
  // aspect), points, counts (stroke-data.js), strokes: how many}.
  strokeData() {
    return { width: this.canvas.width, height: this.canvas.height, ...packStrokes(this.strokes), strokes: this.strokes.length };
  }

  // The alpha channel of the backing store (ink = 255): what the model reads of a pad drawing
  // when no strokes are sent (the soak benchmark's raster requests).
  snapshot() {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const alpha = new Uint8Array(width * height);
    for (let i = 0, j = 3; i < alpha.length; i++, j += 4) alpha[i] = rgba[j];
    return { width, height, alpha, strokes: this.strokes.length };
  }
}
