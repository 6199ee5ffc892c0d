// The Lab (issue 18): an editor on a from-scratch NumPy MLP, run in a Python worker of its own
// (lab-runner.js), its output and charts as they come, "Use for the pad" (the script's model stays
// in that worker, its host: lab-hosts.js), the code view of the pad's model and exercises. This
// module and everything it imports load only when the Lab is first opened (main.js imports it
// then), so a first visit fetches none of it.

import { LabRunner } from "./lab-runner.js";
import { LabHosts } from "./lab-hosts.js";
import { LabEditor } from "./lab-editor.js";
import { LabOutput } from "./lab-output.js";
import { LabCharts } from "./lab-charts.js";
import { CodeView } from "./code-view.js";
import { Exercises } from "./exercises.js";

const MARKUP = `
  <h2 id="lab-title">Lab: the NumPy behind the reading</h2>
  <p class="lab-intro">Python runs here, in a worker of its own. Edit the network, Run it (Ctrl+Enter),
    then use it for the pad. <span class="lab-state" aria-live="polite"></span></p>
  <div class="toolbar">
    <button type="button" class="button primary" data-testid="lab-run" disabled>Run</button>
    <button type="button" class="button" data-testid="lab-stop" disabled>Stop</button>
    <button type="button" class="button" data-testid="lab-use" disabled>Use for the pad</button>
    <button type="button" class="button lab-download">Download .py</button>
    <label class="button upload">Open .py <input type="file" data-testid="lab-file" accept=".py,text/x-python,text/plain"></label>
  </div>
  <div class="lab-work">
    <div class="lab-editor" data-testid="lab-editor"></div>
    <div class="lab-side">
      <pre class="lab-output" data-testid="lab-output" aria-label="Output" aria-live="off" tabindex="0"></pre>
      <div class="lab-charts" hidden></div>
    </div>
  </div>
  <section class="lab-code" data-testid="lab-code" aria-labelledby="lab-code-title">
    <h3 id="lab-code-title">The pad's model, layer by layer
      <button type="button" class="button small code-refresh">Show for the selected model and drawing</button></h3>
    <p class="code-note"></p>
    <ol class="code-layers"></ol>
  </section>
  <section class="lab-exercises" aria-labelledby="lab-exercises-title">
    <h3 id="lab-exercises-title">Exercises: write the backward pass</h3>
  </section>`;

export class LabPanel {
  // models: the page's ModelSelect; onUse(model): a script's model joins the pad (listed, selected);
  // onLost(names, reason): those models are gone (their host died or was let go);
  // exportModel(name) -> Promise<zip>;
  // input(): the drawing the pad last read (Float32Array 784) or null.
  constructor(parent, { models, onUse, onLost, exportModel, input }) {
    const css = Object.assign(document.createElement("link"), { rel: "stylesheet", href: new URL("./lab.css", import.meta.url).href });
    document.head.append(css);
    this.root = document.createElement("section");
    this.root.className = "lab";
    this.root.setAttribute("aria-labelledby", "lab-title");
    this.root.innerHTML = MARKUP;
    parent.append(this.root);
    const $ = (s) => this.root.querySelector(s);
    this.buttons = { run: $("[data-testid=lab-run]"), stop: $("[data-testid=lab-stop]"), use: $("[data-testid=lab-use]") };
    this.stateText = $(".lab-state");
    this.output = new LabOutput($("[data-testid=lab-output]"));
    this.charts = new LabCharts($(".lab-charts"));
    this.onUse = onUse;
    this.used = 0;                 // lab-1, lab-2, … for this page's life
    this.canUse = false;           // the last run defined predict_proba
    this.runner = new LabRunner({
      onState: (state, detail) => this.stateChanged(state, detail),
      onEvent: (m) => this.event(m),
    });
    this.hosts = new LabHosts({ onLost, onOutput: (name, m) => this.output.write(m.text, m.stream) });
    this.editorBox = $("[data-testid=lab-editor]");
    this.codeView = new CodeView($("[data-testid=lab-code]"), { runner: this.runner, isScript: (m) => this.hosts.owns(m),
                                                                         model: () => models.value, exportModel, input });
    this.exercises = new Exercises($(".lab-exercises"), { runner: this.runner });
    models.select.addEventListener("change", () => { if (this.editor) this.codeView.show(); });   // follows the pad's model
    this.buttons.run.addEventListener("click", () => this.run());
    this.buttons.stop.addEventListener("click", () => this.stop());
    this.buttons.use.addEventListener("click", () => this.use());
    $(".lab-download").addEventListener("click", () => this.download());
    $("[data-testid=lab-file]").addEventListener("change", (e) => this.openFile(e.target));
    this.restart();
  }

  // A fresh Lab worker (at first, and to try again after it failed to start or died).
  restart() {
    this.runner.start().then((info) => this.started(info), () => {});
  }

  started({ starter, exercises, bootMs }) {
    this.editor ??= new LabEditor(this.editorBox, { storageKey: "inkling-lab-script", fallback: starter,
                                                    onRun: () => this.run(), label: "Lab script (Python)" });
    this.exercises.build(exercises);
    this.stateChanged(this.runner.state);   // Run needed the editor
    this.output.note(`Python ready for the Lab in ${(bootMs / 1000).toFixed(1)} s.`);
    if (!this.codeView.root.dataset.layers) this.codeView.show();
  }

  open() {
    this.root.hidden = false;
    this.root.scrollIntoView({ block: "start" });
  }

  stateChanged(state, detail) {
    const running = state === "running";
    const idle = state === "idle";
    this.root.dataset.state = state;
    this.buttons.run.disabled = state === "failed" ? false : !idle || !this.editor;   // failed: Run starts Python again
    this.buttons.run.textContent = state === "failed" ? "Restart Python" : "Run";
    this.buttons.stop.disabled = !running;
    this.buttons.use.disabled = !idle || !this.canUse;
    this.exercises.enable(idle);
    this.stateText.textContent = { starting: "Starting Python…", idle: "Ready.", running: "Running…",
                                   lending: "Handing predict_proba to the pad…",
                                   failed: `Python stopped: ${detail}` }[state];
  }

  event(message) {
    if (message.event === "output") this.output.write(message.text, message.stream);
    else if (message.event === "chart") this.charts.add(message.name, message.x, message.y);
    else if (message.event === "progress") this.stateText.textContent = message.text;
  }

  async run() {
    if (this.runner.state === "failed") return this.restart();
    if (this.runner.state !== "idle" || !this.editor) return;
    this.canUse = false;
    this.charts.clear();
    this.output.note("▶ Run");
    const t0 = performance.now();
    try {
      const r = await this.runner.busy({ type: "run", code: this.editor.text });
      this.output.flush();
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      if (r.stopped) this.output.note(`■ Stopped after ${s} s. Python restarts; the pad reads on with its model.`);
      else {
        this.canUse = r.predict;
        this.output.note(r.ok ? `✓ Done in ${s} s${r.predict ? ": predict_proba is defined, \"Use for the pad\" reads with it." : "."}`
          : `✗ ${r.error}`);
      }
    } catch (error) {
      this.output.note(`✗ ${error.message}`);
    }
    this.stateChanged(this.runner.state);
  }

  stop() {
    this.output.note("■ Stopping…");
    this.runner.stop();
  }

  async use() {
    const name = `lab-${++this.used}`;
    try {
      const { model, host } = await this.runner.lend(name);
      this.canUse = false;           // that run's Python is the model's now; the next run is a fresh one's
      this.hosts.adopt(name, host);  // before onUse: main.js asks the hosts where to send the pad's requests
      this.output.note(`${name} now reads the pad (it is in the model list), in the Python of that run; ` +
                       "a fresh Python starts for the next run.");
      this.onUse(model);
    } catch (error) {
      this.output.note(`✗ Not used for the pad: ${error.message}`);
    }
  }

  // The pad's requests for a lab model go to its host, the worker holding the script's function.
  owns(model) { return this.hosts.owns(model); }
  host(model) { return this.hosts.get(model); }
  get models() { return this.hosts.names; }

  download() {
    const url = URL.createObjectURL(new Blob([this.editor?.text ?? ""], { type: "text/x-python" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: "inkling-lab.py" });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async openFile(input) {
    const file = input.files?.[0];
    input.value = "";
    if (!file || !this.editor) return;
    if (file.size > 1_000_000) { this.output.note(`✗ ${file.name} is over 1 MB: not a script to open here.`); return; }
    this.editor.text = await file.text();   // one change: Undo brings the old script back
    this.output.note(`Opened ${file.name} (Ctrl+Z in the editor brings the previous text back).`);
  }
}
