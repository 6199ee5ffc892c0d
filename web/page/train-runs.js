// Every training run of this page session, in memory (plain data, so it could be saved later):
// its settings, the points of its curves, how it ended and its final test report.
// The Train panel feeds it the worker's states; the charts, the runs table and the report views
// read it. Nothing here touches the DOM.

// Okabe-Ito colours (told apart with colour blindness too), all readable on white.
export const RUN_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#14161b"];

export class TrainRuns {
  constructor() {
    this.runs = [];          // oldest first
    this.selectedId = null;  // the run highlighted in the charts and shown in the report
  }

  // A new run with the options sent to trainStart; it becomes the selected one.
  begin(settings) {
    const id = this.runs.length + 1;
    const run = {
      id, settings: { ...settings }, colour: RUN_COLOURS[(id - 1) % RUN_COLOURS.length],
      running: true, stopped: false, name: null,
      loss: { x: [], y: [] },          // x: epochs done (fractional), y: mean batch loss of a chunk
      accuracy: { x: [], y: [] },      // x: epoch, y: test accuracy in %
      testAccuracy: null, seconds: 0, imagesPerS: 0, steps: 0, totalSteps: 0,
      report: null,                    // {confusion: Int32Array(100), tested, accuracy, misclassified}
    };
    this.runs.push(run);
    this.selectedId = id;
    return run;
  }

  get current() { return this.runs.at(-1) ?? null; }
  get selected() { return this.runs.find((r) => r.id === this.selectedId) ?? null; }
  select(id) { if (this.runs.some((r) => r.id === id)) this.selectedId = id; }

  // One worker state ({event: "train", state}) of the current run.
  update(state) {
    const run = this.current;
    if (!run?.running) return;
    run.steps = state.step;
    run.totalSteps = state.total_steps;
    run.seconds = state.elapsed_s ?? run.seconds;
    run.imagesPerS = state.images_per_s;
    if (state.chunk_loss != null && state.total_steps > 0) {
      run.loss.x.push((state.step / state.total_steps) * state.epochs);
      run.loss.y.push(state.chunk_loss);
    }
    for (const h of state.history.slice(run.accuracy.x.length)) {
      run.accuracy.x.push(h.epoch);
      run.accuracy.y.push(100 * h.test_accuracy);
    }
    run.testAccuracy = state.test_accuracy;
  }

  // The trainStart answer: {name, test_accuracy, stopped, ...}; error: why it failed, if it did.
  end(result, error = null) {
    const run = this.current;
    if (!run) return;
    run.running = false;
    run.name = result?.name ?? null;
    run.stopped = !!result?.stopped;
    run.error = error;
    if (result) run.testAccuracy = result.test_accuracy ?? null;
  }

  setReport(id, report) {
    const run = this.runs.find((r) => r.id === id);
    if (run) run.report = report;
  }
}
