// The predicted digit in large type. Its element carries the machine-readable result:
// text = the digit (empty when there is none), data-strokes = strokes on the pad when it was
// computed, data-p0..data-p9 = the ten probabilities.
// Each reading is said once, politely, by one live region (`announcer`, role=status):
// "7, 94 % sure"; the digit itself is not a live region.

export class Prediction {
  constructor(output, confidence, announcer) {
    this.output = output;
    this.confidence = confidence;
    this.announcer = announcer;
    this.clear();
  }

  // announce: false when the caller says something else for this reading (a number).
  show({ digit, probabilities, strokes }, { announce = true } = {}) {
    const o = this.output;
    o.textContent = digit === null ? "" : String(digit);
    o.dataset.strokes = String(strokes);
    for (let i = 0; i < 10; i++) o.dataset[`p${i}`] = String(probabilities[i] ?? 0);
    this.confidence.textContent = digit === null
      ? "No ink found: draw a little bolder."
      : `${formatPercent(probabilities[digit])} sure`;
    o.setAttribute("aria-label", digit === null ? "No prediction" : `Predicted digit ${digit}`);
    if (announce) this.announce(digit === null ? "No ink found" : `${digit}, ${formatPercent(probabilities[digit])} sure`);
  }

  announce(text) { this.announcer.textContent = text; }

  clear() {
    this.show({ digit: null, probabilities: new Float32Array(10), strokes: 0 }, { announce: false });
    this.confidence.textContent = "";
  }
}

export function formatPercent(p) {
  const pct = 100 * p;
  return `${pct >= 99.95 || pct < 0.05 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}
