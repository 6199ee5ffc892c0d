// The session's runs side by side, like a sweep dashboard: one row a run with its settings and
// results; the colour swatch matches the run's curves. Choosing a run (its button) highlights it
// in the charts and shows its confusion matrix and mistakes.

const OPTIMISERS = { nesterov: "SGD+Nesterov", sgd: "SGD+momentum", adam: "Adam", adamw: "AdamW" };
const COLUMNS = ["Run", "Model", "Optimiser", "LR", "Batch", "Epochs", "Augment", "Images",
                 "Test accuracy", "Time", "Images/s", "On the pad as"];

const HEADER_TITLES = { Time: "time spent training and testing (pauses left out)",
                        "Images/s": "training images a second (testing left out)",
                        Images: "training images (a random subset when fewer than 60,000)" };
const fmtSeconds = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function cells(run) {
  const s = run.settings;
  const model = s.model === "cnn" ? "Small CNN" : `MLP ${String(s.hidden).replace(/\s+/g, "")}`;
  const accuracy = run.testAccuracy == null ? (run.running ? "…" : "—") : `${(100 * run.testAccuracy).toFixed(2)} %`;
  const state = run.running ? " (running)" : run.error ? " (failed)" : run.stopped ? " (stopped)" : "";
  return [model, OPTIMISERS[s.optimizer] ?? s.optimizer, String(s.lr), String(s.batch_size), String(s.epochs),
          s.augment ? "yes" : "no", (s.subset || 60000).toLocaleString("en"), accuracy + state,
          fmtSeconds(run.seconds), Math.round(run.imagesPerS).toLocaleString("en"), run.name ?? "—"];
}

export class RunTable {
  constructor(root, { onSelect }) {
    this.root = root;
    this.onSelect = onSelect;
    root.innerHTML = `<h3 id="train-runs-title">Runs this session</h3>
      <p class="train-note">Choose a run to highlight its curves and see its report.</p>
      <div class="table-scroll"><table aria-labelledby="train-runs-title">
      <thead><tr>${COLUMNS.map((c) => `<th scope="col"${HEADER_TITLES[c] ? ` title="${HEADER_TITLES[c]}"` : ""}>${c}</th>`).join("")}</tr></thead><tbody></tbody></table></div>`;
    this.body = root.querySelector("tbody");
    this.body.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-run]");
      if (button) this.onSelect(Number(button.dataset.run));
    });
  }

  // Rows are made once per run and their text updated in place (cheap at ~4 updates a second).
  show(runs, selectedId) {
    this.root.hidden = runs.length === 0;
    for (const run of runs) {
      let row = this.body.querySelector(`tr[data-run="${run.id}"]`);
      if (!row) {
        row = document.createElement("tr");
        row.dataset.run = String(run.id);
        row.innerHTML = `<th scope="row"><button type="button" class="run-pick" data-run="${run.id}">` +
          `<span class="swatch"></span>${run.id}</button></th>` +
          COLUMNS.slice(1).map((c) => `<td data-col="${c}"></td>`).join("");
        row.querySelector(".swatch").style.background = run.colour;   // CSSOM: the CSP forbids style=""
        this.body.append(row);
      }
      cells(run).forEach((text, i) => {
        const cell = row.cells[i + 1];
        if (cell.textContent !== text) cell.textContent = text;
      });
      const selected = run.id === selectedId;
      row.classList.toggle("is-selected", selected);
      row.querySelector("button").setAttribute("aria-pressed", String(selected));
      row.dataset.accuracy = run.testAccuracy == null ? "" : String(run.testAccuracy);
    }
  }
}
