// The "Why" section: the saliency overlay on the model's 28x28 view ([data-testid=saliency]),
// the top three readings, each layer's activations (activations-view.js), and the "unsure"
// badge beside the prediction ([data-testid=unsure]: in the page, and visible, only when the
// model is unsure; its text says why). Thresholds live in py/inkling/reading/explain.py.
//
// Saliency: red where more ink would raise the chosen digit's score, blue where it would lower
// it, over the input in grey; strength = |gradient| / the largest |gradient|.
// A Lab script's model has no gradient to give: its map is by occlusion (py/inkling/reading/
// occlusion.py: red where blanking the ink lowered the digit's probability, blue where it raised
// it), drawn the same way.
// Machine-readable: the section's data-strokes / data-source say what it was computed for,
// data-method how ("gradient" | "occlusion").

import { ActivationsView } from "./activations-view.js";
import { formatPercent } from "./prediction.js";

export class Explanation {
  constructor(root, { answer }) {
    this.root = root;
    this.canvas = root.querySelector("[data-testid=saliency]");
    this.ctx = this.canvas.getContext("2d");
    this.image = this.ctx.createImageData(28, 28);
    this.digitLabel = root.querySelector(".why-digit");
    this.top = root.querySelector(".top3");
    this.body = root.querySelector(".why-body");
    this.empty = root.querySelector(".why-empty");
    this.layers = new ActivationsView(root.querySelector(".layers"));
    this.answer = answer;                      // where the unsure badge goes
    this.badge = document.createElement("p");
    this.badge.className = "unsure";
    this.badge.dataset.testid = "unsure";
    this.badge.setAttribute("role", "status");
    this.badge.innerHTML = '<b>Unsure</b><span class="unsure-reason"></span>';
    this.whyUnsure = root.querySelector(".why-unsure");   // the reason again, in full, in "Why"
    this.clear();
  }

  // r: an explain/readImage result; input: Float32Array(784) the model read; digit: its reading.
  show(r, { input, digit, strokes = 0, source = "pad" }) {
    this.root.dataset.strokes = String(strokes);
    this.root.dataset.source = source;
    this.root.dataset.method = r.method ?? "gradient";
    this.canvas.title = r.method === "occlusion"
      ? "By occlusion: each 4×4 square of ink blanked in turn; red where that made the digit less likely"
      : "";
    this.root.classList.remove("stale");
    this.setUnsure(r.unsure ? r.reason || "Not sure." : "");
    const has = digit !== null && digit !== undefined && r.top?.length > 0;
    this.body.hidden = !has;
    this.empty.hidden = has;
    if (!has) return this.drawSaliency(null, null);
    this.digitLabel.textContent = String(digit);
    this.drawSaliency(r.saliency, input);
    this.top.replaceChildren(...Array.from(r.top, (d, i) => {
      const li = document.createElement("li");
      li.innerHTML = "<b></b> <span></span>";
      li.firstChild.textContent = String(d);
      li.lastChild.textContent = formatPercent(r.top_p[i]);
      return li;
    }));
    this.layers.show(r.activations ?? []);
  }

  drawSaliency(saliency, input) {
    const px = this.image.data;
    let max = 0;
    if (saliency) for (const g of saliency) max = Math.max(max, Math.abs(g));
    for (let i = 0; i < 784; i++) {
      const base = 40 + 90 * Math.min(1, Math.max(0, input?.[i] ?? 0));   // the input, dimmed
      const s = max > 0 ? saliency[i] / max : 0;
      const a = Math.min(1, Math.abs(s) * 1.6);                           // boost faint evidence
      const [r, g, b] = s >= 0 ? [255, 70, 50] : [60, 120, 255];
      px[4 * i] = base + (r - base) * a;
      px[4 * i + 1] = base + (g - base) * a;
      px[4 * i + 2] = base + (b - base) * a;
      px[4 * i + 3] = 255;
    }
    this.ctx.putImageData(this.image, 0, 0);
  }

  // The badge is in the page only while unsure: absent, it can be neither seen nor read aloud.
  setUnsure(reason) {
    this.whyUnsure.textContent = reason;
    this.whyUnsure.hidden = !reason;
    if (!reason) return this.badge.remove();
    this.badge.lastChild.textContent = ` · ${reason}`;
    if (!this.badge.isConnected) this.answer.append(this.badge);
  }

  // A new reading is coming: keep showing the old one, dimmed, but never a stale "unsure".
  stale() {
    this.root.classList.add("stale");
    this.setUnsure("");
  }

  clear() {
    this.show({ top: [] }, { input: null, digit: null });
    this.layers.clear();
  }
}
