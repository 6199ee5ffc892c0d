// Two live charts of every run of the session, overlaid (one colour a run, the selected run drawn
// thicker): training loss against epochs (a point per ~100 ms chunk of the worker) and test
// accuracy after each epoch. Drawn with uPlot (npm "uplot", copied to dist/vendor/ by build.py),
// loaded the first time a chart is drawn. Redraws are batched: at most one every REDRAW_MS,
// so training news (~10 a second) never turns into a long main-thread task.

import { nextTask } from "./next-task.js";

const REDRAW_MS = 300;
const AXIS = { stroke: "#4f5766", grid: { stroke: "#e2e6ee", width: 1 }, ticks: { stroke: "#d5dbe5", width: 1 } };

// Legend markers filled with the run's colour (uPlot's default is its area fill: none here).
const markerFill = (u, i) => {
  const stroke = u.series[i].stroke;
  return typeof stroke === "function" ? stroke(u, i) : stroke;
};

// uPlot formats numbers with `new Intl.NumberFormat(navigator.language)` when its module loads,
// which throws on a tag that is no language (WebKitGTK under a C locale says "C"): such a tag
// is replaced by the first valid one of navigator.languages, else "en-US", before the import.
function validLanguage() {
  const valid = (tag) => { try { return Intl.getCanonicalLocales(tag).length === 1; } catch { return false; } };
  if (valid(navigator.language)) return;
  const tag = (navigator.languages ?? []).find(valid) ?? "en-US";
  Object.defineProperty(navigator, "language", { value: tag, configurable: true });
}

// One import, kept even when it fails: a module that failed to evaluate must not be imported
// again (an engine may hand back the half-loaded module); the charts say why instead.
let uPlotModule = null;
function loadUPlot() {
  if (!uPlotModule) {
    validLanguage();
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("../vendor/uPlot.min.css", import.meta.url).href;
    document.head.append(css);
    uPlotModule = import("../vendor/uPlot.esm.js").then((m) => m.default);
  }
  return uPlotModule;
}

// One chart: which run field it plots and how its axes read.
class RunChart {
  constructor(root, { field, yLabel, yFormat, points }) {
    this.root = root;
    this.box = root.querySelector(".chart-box");
    this.field = field;             // "loss" | "accuracy": run[field] = {x: [], y: []}
    this.yLabel = yLabel;
    this.yFormat = yFormat;
    this.points = points;           // draw each point (sparse data: one per epoch)
    this.plot = null;
    this.ids = [];                  // the runs the plot has a series for, in order
    this.selectedId = null;
  }

  size() {
    const width = Math.max(200, Math.floor(this.box.clientWidth));
    return { width, height: width < 480 ? 190 : 230 };
  }

  // Building a uPlot costs a style and layout pass (~20 ms here): done once; a new run only
  // adds a series, a new selection only changes line widths.
  draw(uPlot, runs, selectedId) {
    const shown = runs.filter((r) => r[this.field].x.length > 0);
    if (!shown.length) return;
    const data = uPlot.join(shown.map((r) => [r[this.field].x, r[this.field].y]));
    const ids = shown.map((r) => r.id);
    if (!this.plot || this.ids.some((id, i) => ids[i] !== id)) {
      this.plot?.destroy();
      this.plot = new uPlot(this.options(shown, selectedId), data, this.box);
    } else {
      for (const run of shown.slice(this.ids.length)) this.plot.addSeries(this.seriesOptions(run, selectedId));
      if (selectedId !== this.selectedId) this.emphasise(selectedId, ids);
      this.plot.setData(data);
    }
    this.ids = ids;
    this.selectedId = selectedId;
    const points = shown.reduce((n, r) => n + r[this.field].x.length, 0);
    this.root.dataset.series = String(shown.length);
    this.root.dataset.points = String(points);
    const last = shown.map((r) => `run ${r.id} ${this.yFormat(r[this.field].y.at(-1))}`).join(", ");
    this.box.setAttribute("aria-label", `${this.yLabel} by epoch${last ? `: latest ${last}` : ""}`);
  }

  // An empty plot (series are added with the runs), built before the first run: building a uPlot
  // is a style and layout pass (~50 ms on a busy machine) that would otherwise fall in the first
  // second of training.
  prepare(uPlot) {
    if (!this.plot) this.plot = new uPlot(this.options([], null), [[]], this.box);
  }

  seriesOptions(run, selectedId) {
    return {
      label: `Run ${run.id}`,
      stroke: run.colour,
      width: run.id === selectedId ? 3 : 1.5,
      spanGaps: true,
      points: { show: this.points || undefined, size: run.id === selectedId ? 9 : 6, fill: run.colour },
      value: (u, v) => (v == null ? "–" : this.yFormat(v)),
    };
  }

  // The selected run's line thicker, the others thin (paths are rebuilt by the next setData).
  emphasise(selectedId, ids) {
    ids.forEach((id, i) => {
      const s = this.plot.series[i + 1];
      s.width = id === selectedId ? 3 : 1.5;
      s.points.size = id === selectedId ? 9 : 6;
      s._paths = null;
    });
  }

  options(shown, selectedId) {
    const series = shown.map((r) => this.seriesOptions(r, selectedId));
    return {
      ...this.size(),
      scales: { x: { time: false } },
      axes: [{ ...AXIS, label: "epoch", size: 40, labelSize: 18 },
             { ...AXIS, label: this.yLabel, size: 50, labelSize: 18, values: (u, ticks) => ticks.map(this.yFormat) }],
      series: [{ label: "epoch", value: (u, v) => (v == null ? "–" : v.toFixed(2)) }, ...series],
      legend: { live: false, markers: { fill: markerFill } },
      cursor: { points: { size: 7 } },
    };
  }

  resize() { this.plot?.setSize(this.size()); }

  fail(text) {
    this.root.dataset.failed = "true";
    this.box.textContent = text;
    this.box.setAttribute("aria-label", text);
  }
}

export class TrainCharts {
  constructor(lossRoot, accuracyRoot) {
    this.charts = [
      new RunChart(lossRoot, { field: "loss", yLabel: "training loss", yFormat: (v) => v.toFixed(2), points: false }),
      new RunChart(accuracyRoot, { field: "accuracy", yLabel: "test accuracy %", yFormat: (v) => v.toFixed(1), points: true }),
    ];
    this.timer = null;
    this.lastDraw = 0;
    this.pending = null;
    new ResizeObserver(() => this.charts.forEach((c) => c.resize())).observe(lossRoot.parentElement);
  }

  // Ask for a redraw with these runs; drawn at once if the last one is old, else a little later.
  // Fetch uPlot (and apply its CSS) ahead of the first run, e.g. when the panel opens.
  preload() { loadUPlot().catch(() => {}); }   // flush() reports a failure

  // fn(chart) for each chart, each in a task of its own: building a uPlot is a style and layout
  // pass, and two in one task made a 57-65 ms task at a run's start on a busy machine.
  async eachInATask(fn) {
    for (const [i, chart] of this.charts.entries()) {
      if (i > 0) await nextTask();
      fn(chart);
    }
  }

  // The empty charts, one a task, ahead of the first run (the panel calls this once MNIST is in).
  async prepare() {
    const uPlot = await loadUPlot().catch(() => null);
    if (!uPlot) return;   // flush() says so when a run is drawn
    await this.eachInATask((chart) => chart.prepare(uPlot));
  }

  update(runs, selectedId) {
    this.pending = { runs, selectedId };
    if (this.timer) return;
    const wait = Math.max(0, this.lastDraw + REDRAW_MS - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  async flush() {
    let uPlot;
    try {
      uPlot = await loadUPlot();
    } catch (error) {
      this.timer = null;
      for (const chart of this.charts) chart.fail(`The chart could not load (${error.message}). Reload the page to try again.`);
      return;
    }
    this.lastDraw = performance.now();
    const drawn = this.pending;
    await this.eachInATask((chart) => chart.draw(uPlot, drawn.runs, drawn.selectedId));
    this.timer = null;
    if (this.pending !== drawn) this.update(this.pending.runs, this.pending.selectedId);   // news meanwhile
  }
}
