// The Train panel (issue 4): fetches MNIST only when opened, runs training in the worker and
// shows its progress; the finished (or stopped) model is handed to onTrained for the pad.
// The worker does the work in ~100 ms chunks and reports {event: "train", state} after each.
// Every run of the session is kept (train-runs.js) and shown side by side: live charts of all
// runs, a runs table, and the chosen run's confusion matrix and misclassified digits.
// The panel is a disclosure: its open button says aria-expanded; opening moves the focus to the
// form's first control; Close or Escape (focus inside) hides it and gives the focus back to the
// open button. A button that an action disables hands the focus on (Start -> Pause, the end of a
// run -> Start), so that it never falls to <body>.

import { TrainRuns } from "./train-runs.js";
import { TrainCharts } from "./train-charts.js";
import { RunTable } from "./run-table.js";
import { ConfusionView } from "./confusion-view.js";
import { MisclassifiedView } from "./misclassified-view.js";
import { nextTask } from "./next-task.js";

const $in = (root, sel) => root.querySelector(sel);
// Form values set when the model select changes: each model's settings for one epoch that meets
// issue 4's targets (MLP: index.html's defaults; small CNN: see SMALL_CNN in py/inkling/worker/studio.py).
const MODEL_DEFAULTS = { mlp: { lr: "1.0", batch_size: "128", epochs: "1" },
                         cnn: { lr: "0.3", batch_size: "128", epochs: "1" } };
const fmtTime = (s) => (s == null ? "…" : s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

export class TrainPanel {
  constructor(root, openButton, { worker, onTrained }) {
    this.root = root;
    this.worker = worker;          // () => the WorkerMessenger once Python is ready, else null
    this.onTrained = onTrained;
    this.form = $in(root, ".train-form");
    this.data = $in(root, "[data-testid=train-data]");
    this.start = $in(root, "[data-testid=train-start]");
    this.pause = $in(root, "[data-testid=train-pause]");
    this.stop = $in(root, "[data-testid=train-stop]");
    this.progress = $in(root, "[data-testid=train-progress]");
    this.status = $in(root, "[data-testid=train-status]");
    this.accuracy = $in(root, "[data-testid=test-accuracy]");
    this.loaded = false;
    this.paused = false;
    this.runs = new TrainRuns();   // every run of this page session (plain data)
    this.chartsBox = $in(root, ".train-charts");
    this.charts = new TrainCharts($in(root, "[data-testid=train-chart-loss]"),
                                  $in(root, "[data-testid=train-chart-accuracy]"));
    this.table = new RunTable($in(root, "[data-testid=train-runs]"),
                              { onSelect: (id) => { this.runs.select(id); this.refresh(true); } });
    this.confusion = new ConfusionView($in(root, "[data-testid=confusion-matrix]"));
    this.mistakes = new MisclassifiedView($in(root, "[data-testid=misclassified]"));
    this.form.elements.model.addEventListener("change", () => this.modelDefaults());
    this.openButton = openButton;
    openButton.addEventListener("click", () => (this.root.hidden ? this.open() : this.close()));
    $in(root, "[data-testid=train-close]").addEventListener("click", () => this.close());
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !e.defaultPrevented) {
        e.preventDefault();
        this.close();
      }
    });
    this.start.addEventListener("click", () => this.train());
    this.pause.addEventListener("click", () => this.togglePause());
    this.stop.addEventListener("click", () => {
      this.pause.focus();   // the run ends soon after; setRunning(false) then moves it to Start
      this.stop.disabled = true;
      this.worker()?.request({ type: "trainStop" });
    });
  }

  close() {
    this.root.hidden = true;
    this.openButton.setAttribute("aria-expanded", "false");
    this.openButton.focus();
  }

  async open({ focus = true } = {}) {
    this.root.hidden = false;
    this.openButton.setAttribute("aria-expanded", "true");
    if (focus) this.form.elements.model.focus({ preventScroll: true });
    this.root.scrollIntoView({ block: "nearest" });
    if (this.loaded || this.loading) return;
    this.charts.preload();
    const messenger = this.worker();
    if (!messenger) { this.data.textContent = "Python is still loading; open this panel again in a moment."; return; }
    this.loading = true;
    this.data.textContent = "Downloading MNIST…";
    const t0 = performance.now();
    try {
      const r = await messenger.request({ type: "trainData" });
      this.loaded = true;
      this.start.disabled = false;
      this.chartsBox.hidden = false;
      this.charts.prepare();
      const n = r.files["train-images"][0] + r.files["test-images"][0];
      this.data.textContent = `MNIST ready: ${n.toLocaleString("en")} images, ${(r.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s, checked.`;
      this.root.dataset.mnistMs = String(Math.round(performance.now() - t0));
    } catch (error) {
      if (error.workerDied) return;   // workerReady() loads it again into the new worker
      this.data.textContent = `Couldn't load MNIST: ${error.message}. Close and open the panel to try again.`;
    } finally {
      this.loading = false;
    }
  }

  // Worker news: download progress and training state after every chunk.
  onEvent(message) {
    if (message.event === "train-data") {
      // The four files download side by side: once one has failed, the others' progress must not
      // write over the message that says so.
      if (!this.loading) return;
      this.progress.max = message.total;
      this.progress.value = message.loaded;
      this.data.textContent = `Downloading MNIST… ${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB`;
    } else if (message.event === "train") {
      this.show(message.state);
      this.runs.update(message.state);
      this.refresh();
    }
  }

  show(s) {
    this.progress.max = s.total_steps;
    this.progress.value = s.step;
    this.root.dataset.trainS = s.train_s.toFixed(3);       // for bench/train_browser.py
    this.root.dataset.imagesPerS = Math.round(s.images_per_s);
    this.root.dataset.matmul = s.matmul;   // "wasm": the WebAssembly kernel does the products (tests, bench)
    if (s.test_accuracy != null) this.root.dataset.testAccuracy = String(s.test_accuracy);
    const loss = s.loss == null ? "…" : s.loss.toFixed(3);
    const speed = Math.round(s.images_per_s).toLocaleString("en");
    const words = s.done ? "Done" : this.paused ? "Paused"
      : s.phase === "test" ? `Testing ${s.tested.toLocaleString("en")} of ${s.test_size.toLocaleString("en")}` : "Training";
    this.status.textContent = `${words} · epoch ${Math.max(s.epoch, 1)} of ${s.epochs} · loss ${loss} · ` +
      `${speed} images/s · ETA ${s.done ? "0 s" : fmtTime(s.eta_s)}`;
    if (s.test_accuracy != null) this.accuracy.textContent = (100 * s.test_accuracy).toFixed(1);
  }

  modelDefaults() {
    const f = this.form.elements;
    for (const [name, value] of Object.entries(MODEL_DEFAULTS[f.model.value] ?? {})) f[name].value = value;
  }

  options() {
    const f = this.form.elements;
    return { model: f.model.value, hidden: f.hidden.value, optimizer: f.optimizer.value,
             lr: Number(f.lr.value), batch_size: Number(f.batch_size.value),
             epochs: Number(f.epochs.value), augment: f.augment.checked,
             subset: f.subset.value ? Number(f.subset.value) : null };
  }

  async train() {
    const messenger = this.worker();
    if (!messenger || !this.loaded) return;
    this.setRunning(true);
    this.accuracy.textContent = "";
    this.status.textContent = "Starting…";
    this.root.dataset.interrupted = "false";
    const options = this.options();
    const run = this.runs.begin(options);
    this.chartsBox.hidden = false;
    this.refresh(true);
    try {
      const r = await messenger.request({ type: "trainStart", ...options });
      this.runs.end(r);
      const acc = r.test_accuracy == null ? "not measured (stopped before an epoch ended)" : `${(100 * r.test_accuracy).toFixed(1)} %`;
      this.status.textContent = `${r.stopped ? "Stopped" : "Done"} · ${r.name} is on the pad · test accuracy ${acc}`;
      this.onTrained?.(r);
      this.runs.setReport(run.id, await messenger.request({ type: "trainReport" })
        .catch((error) => ({ tested: 0, error: error.message })));
    } catch (error) {
      if (run.running) this.runs.end(null, error.message);
      this.status.textContent = error.workerDied
        ? `Interrupted: ${error.message}. Start it again once Python has restarted.`
        : `Training failed: ${error.message}`;
      this.root.dataset.interrupted = String(!!error.workerDied);
    } finally {
      this.setRunning(false);
      this.refresh(true);
    }
  }

  // Charts (batched by TrainCharts) and the runs table; the report views only when asked
  // (a run ended or another was chosen), since rebuilding them is the costliest part.
  refresh(withReport = false) {
    const { runs, selectedId, selected } = this.runs;
    this.charts.update(runs, selectedId);
    const now = performance.now();
    if (withReport || !this.tableDrawn || now - this.tableDrawn > 250) {
      this.table.show(runs, selectedId);
      this.tableDrawn = now;
    }
    if (withReport && selected) this.showReport(selected);
  }

  // The chosen run's confusion matrix, then its misclassified digits, each in later tasks than
  // the one that ended the run (the gallery fills a part a task); data-report names the run once
  // all of its report is shown, and is absent until then. A later call takes over from one still
  // under way.
  async showReport(selected) {
    const shown = (this.reportShown = (this.reportShown ?? 0) + 1);
    delete this.root.dataset.report;
    const title = `Run ${selected.id}`;
    const report = selected.report;
    const note = report?.tested > 0 ? ""
      : selected.running ? `${title} is training: its report comes when it ends.`
      : selected.error ? `${title} failed: ${selected.error}`
      : report?.error ? `${title}'s report could not be made: ${report.error}`
      : `${title} stopped before its first test evaluation: no report.`;
    await nextTask();
    if (shown !== this.reportShown) return;
    this.confusion.show(note ? null : report.confusion, title, note);
    await nextTask();
    if (shown !== this.reportShown) return;
    if (await this.mistakes.show(note ? null : report.misclassified, title, note) && shown === this.reportShown) {
      this.root.dataset.report = String(selected.id);
    }
  }

  // main.js: the worker died (its MNIST and any run went with it) / a new one is ready.
  workerStopped() {
    this.loaded = false;
    this.start.disabled = true;
  }

  workerReady() {
    if (!this.root.hidden) this.open({ focus: false });   // the panel was in use: load MNIST into the new worker
  }

  togglePause() {
    this.paused = !this.paused;
    this.pause.textContent = this.paused ? "Resume" : "Pause";
    this.pause.setAttribute("aria-pressed", String(this.paused));
    this.root.dataset.paused = String(this.paused);
    this.worker()?.request({ type: this.paused ? "trainPause" : "trainResume" });
    if (this.paused) this.status.textContent = this.status.textContent.replace(/^[^·]*/, "Paused ");
  }

  setRunning(running) {
    const active = document.activeElement;
    this.root.dataset.running = String(running);
    this.start.disabled = running || !this.loaded;
    this.pause.disabled = this.stop.disabled = !running;
    for (const el of this.form.elements) el.disabled = running;
    this.paused = false;
    this.pause.textContent = "Pause";
    this.root.dataset.paused = "false";
    // The focused control was just disabled (or focus was already lost): the next useful one.
    if (active === document.body || (active && this.root.contains(active) && active.disabled)) {
      (running ? this.pause : this.start.disabled ? this.openButton : this.start).focus();
    }
  }
}
