// Ten bars, one per digit, heights = probabilities; the most likely digit is highlighted.
import { formatPercent } from "./prediction.js";

export class ProbabilityBars {
  constructor(root) {
    this.items = Array.from({ length: 10 }, (_, digit) => {
      const item = document.createElement("div");
      item.className = "bar";
      item.setAttribute("role", "listitem");
      item.innerHTML = `<span class="track"><span class="fill"></span></span><span class="label">${digit}</span>`;
      root.append(item);
      return { item, fill: item.querySelector(".fill") };
    });
    this.clear();
  }

  show(probabilities, digit) {
    this.items.forEach(({ item, fill }, i) => {
      const p = Math.min(1, Math.max(0, probabilities[i] || 0));
      fill.style.transform = `scaleY(${p})`;
      item.classList.toggle("is-top", i === digit);
      item.setAttribute("aria-label", `${i}: ${formatPercent(p)}`);
      item.title = `${i}: ${formatPercent(p)}`;
    });
  }

  clear() { this.show(new Float32Array(10), null); }
}
