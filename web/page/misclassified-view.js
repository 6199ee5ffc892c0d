// A gallery of test digits a run read wrong, the surest mistakes first: each 28x28 digit scaled
// up (dark ink on white), "true → read", and its ten probabilities as a tiny bar strip (the true
// digit's bar green, the digit read red); the exact figures are in its title and aria-label.

import { nextTask } from "./next-task.js";

const SIZE = 28;

function digitCanvas(pixels) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = 255 - pixels[i];                 // MNIST ink = 255: drawn dark on white
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

// Ten bars in ONE element (a background layer a bar; 48 spans, not 480, for the page to lay out).
// A layer 10 % wide placed at x = d/9 of the free room sits exactly at slot d.
function strip(probabilities, label, predicted) {
  const bars = document.createElement("span");
  bars.className = "proba-strip";
  bars.setAttribute("aria-hidden", "true");
  const colour = (d) => (d === label ? "var(--ok)" : d === predicted ? "var(--bad)" : "#aab2c0");
  bars.style.backgroundImage = probabilities.map((p, d) => `linear-gradient(${colour(d)}, ${colour(d)})`).join(",");
  bars.style.backgroundSize = probabilities.map((p) => `8% ${(100 * Math.max(0.04, p)).toFixed(1)}%`).join(",");
  bars.style.backgroundPosition = probabilities.map((p, d) => `${((100 * d) / 9).toFixed(2)}% 100%`).join(",");
  return bars;
}

// Digits added to the gallery a task: all 48 in one task, plus the style and layout they cause,
// made a long task at a run's end on a slow phone; a quarter of them keeps each task short.
const ITEMS_A_TASK = 12;

function mistakeItem(gallery, k) {
  const label = gallery.label[k];
  const predicted = gallery.predicted[k];
  const probabilities = Array.from(gallery.proba.subarray(k * 10, k * 10 + 10));
  const figures = probabilities.map((p, d) => `${d}: ${(100 * p).toFixed(1)} %`).join(", ");
  const item = document.createElement("li");
  item.className = "mistake";
  item.dataset.label = String(label);
  item.dataset.predicted = String(predicted);
  item.dataset.index = String(gallery.index[k]);
  item.tabIndex = 0;
  item.title = `Test digit #${gallery.index[k]}: true ${label}, read ${predicted}\n${figures}`;
  item.setAttribute("aria-label", `true ${label}, read ${predicted} (${(100 * probabilities[predicted]).toFixed(0)} %); ${figures}`);
  const caption = document.createElement("span");
  caption.className = "mistake-label";
  caption.innerHTML = `<b>${label}</b> → <b class="read">${predicted}</b>`;
  item.append(digitCanvas(gallery.images.subarray(k * SIZE * SIZE, (k + 1) * SIZE * SIZE)), caption,
              strip(probabilities, label, predicted));
  return item;
}

export class MisclassifiedView {
  constructor(root) {
    this.root = root;
  }

  // gallery: run_report.misclassified's fields (typed arrays) or null to show `note` instead.
  // Fills the gallery ITEMS_A_TASK digits a task; resolves true once all are in, false if a
  // later show() replaced it first (its list is then out of the page).
  async show(gallery, title, note = "") {
    this.root.hidden = false;
    this.root.replaceChildren();
    const heading = document.createElement("h3");
    heading.textContent = "Misclassified test digits";
    const intro = document.createElement("p");
    intro.className = "train-note";
    this.root.append(heading, intro);
    if (!gallery) { intro.textContent = note; return true; }
    const n = gallery.index.length;
    intro.textContent = n === 0 ? `${title} read every test digit right.`
      : `${title}: the ${n} surest of ${gallery.total.toLocaleString("en")} mistakes. ` +
        "Under each digit: true → read, and its ten probabilities (0 to 9; green: true, red: read).";
    const list = document.createElement("ol");
    list.className = "mistakes";
    this.root.append(list);
    for (let k = 0; k < n; k++) {
      if (k > 0 && k % ITEMS_A_TASK === 0) {
        await nextTask();
        if (!list.isConnected) return false;
      }
      list.append(mistakeItem(gallery, k));
    }
    return true;
  }

  hide() { this.root.hidden = true; }
}
