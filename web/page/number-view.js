// The number read from a pad or picture holding several digits: `[data-testid=number]` has the
// digits as its text ("" when nothing is read), and each digit's confidence is listed beside it.
// The row shows only for two digits or more (one digit is the prediction itself).
// Machine-readable: data-source ("pad" | "image"), data-seq (bumped on every update),
// data-confidence (comma-separated probabilities, left to right).
// Each digit is a button: onPick(k) asks for the "Why" of digit k; pick(k) marks the one explained
// (aria-pressed).

import { formatPercent } from "./prediction.js";

export class NumberView {
  constructor(root) {
    this.root = root;
    this.output = root.querySelector("[data-testid=number]");
    this.list = root.querySelector(".number-digits");
    this.seq = 0;
    this.onPick = null;
    this.list.addEventListener("click", (e) => {
      const button = e.target.closest("button");
      if (button) this.onPick?.(Number(button.dataset.index));
    });
    this.clear();
  }

  show({ number = "", digits = [], confidence = [] }, source = "pad") {
    const o = this.output;
    o.textContent = number;
    o.dataset.source = source;
    o.dataset.confidence = Array.from(confidence, (p) => p.toFixed(4)).join(",");
    o.dataset.seq = String(++this.seq);
    o.setAttribute("aria-label", number ? `Number ${number}` : "No number");
    this.list.replaceChildren(...Array.from(digits, (d, i) => {
      const li = document.createElement("li");
      const p = confidence[i] ?? 0;
      li.className = p < 0.6 ? "low" : "";
      li.innerHTML = `<button type="button" class="number-digit"><b></b><span></span></button>`;
      const button = li.firstChild;
      button.dataset.index = String(i);
      button.firstChild.textContent = String(d);
      button.lastChild.textContent = formatPercent(p);
      button.title = `${d}: ${formatPercent(p)} sure. Why?`;
      button.setAttribute("aria-pressed", "false");
      return li;
    }));
    this.root.hidden = number.length < 2;
  }

  clear(source = "pad") { this.show({}, source); }

  // Digit k's reading is the one explained (-1: none).
  pick(k) {
    this.list.querySelectorAll("button").forEach((b, i) => b.setAttribute("aria-pressed", String(i === k)));
  }
}
