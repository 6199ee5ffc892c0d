// Teach mode (issue 4): under the Prediction, "Wrong? It's a …" saves the 28x28 input the model
// just read with the right digit to IndexedDB (store.js samples, kept across reloads); "Fine-tune
// on my digits" adapts the current model to them in the worker (py/inkling/training/finetune.py, with an
// MNIST replay) and shows accuracy on the samples and on the MNIST test set, before and after.
// MNIST is the Train panel's data: asked for (trainData) here if it isn't loaded yet.
// The one-time part of a fine-tuning (MNIST prepared and read through the model's frozen body:
// ~40 s for the CNN in chromium) starts in the background as soon as the user shows intent (the
// pointer on "Wrong? It's a …", a sample saved, the pointer on "Fine-tune"), for the model in use,
// again whenever it changes (prepare()), so a click on "Fine-tune" finds it done, or waits for the
// rest of it with its progress shown.

import * as store from "./store.js";

const $in = (root, sel) => root.querySelector(sel);
const pct = (x) => (x == null ? "–" : `${(100 * x).toFixed(2)} %`);
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const PHASES = {
  "prepare-test": "Preparing MNIST test images (once)", "prepare-train": "Preparing MNIST replay images (once)",
  "features-test": "Reading MNIST test images through the model (once per model)",
  "features-train": "Reading MNIST replay images through the model (once per model)",
  tune: "Fine-tuning: step", start: "Starting",
};

export class Teach {
  // worker(): the messenger once Python is ready; model(): the selected model's name;
  // onTuned(result): a fine-tuned model is registered in the worker (add, select, keep it).
  constructor(root, { worker, model, onTuned }) {
    Object.assign(this, { root, worker, model, onTuned });
    this.digit = $in(root, "[data-testid=teach-digit]");
    this.status = $in(root, "[data-testid=teach-status]");
    this.clearButton = $in(root, "[data-testid=teach-clear]");
    this.tuneButton = $in(root, "[data-testid=fine-tune]");
    this.result = $in(root, "[data-testid=fine-tune-result]");
    this.prepNote = $in(root, "[data-testid=teach-prep]");
    this.intent = false;           // the user has shown they mean to fine-tune (this session)
    this.prepModel = null;         // the model prepared (or being prepared) for in the worker
    this.tuning = null;            // the model being fine-tuned (busy), else null
    this.input = null;             // {input: Float32Array(784), model} of the prediction shown
    this.count = 0;
    this.digit.addEventListener("change", () => this.save());
    this.clearButton.addEventListener("click", () => this.clearSamples());
    this.tuneButton.addEventListener("click", () => this.fineTune());
    // Intent, seconds before a sample is saved or a click: the pointer on "Wrong? It's a …" or on
    // "Fine-tune" (with samples), or the select focused from the keyboard.
    const intent = () => { this.intent = true; this.prepare(); };
    this.digit.addEventListener("pointerenter", () => { if (!this.digit.disabled) intent(); });
    this.digit.addEventListener("focus", intent);
    this.tuneButton.addEventListener("pointerenter", () => { if (this.count) intent(); });
    this.refreshCount();
  }

  // A prediction is on screen: its input can be taught.
  show(r, model) {
    this.input = r.digit === null ? null : { input: Float32Array.from(r.input), model };
    this.digit.disabled = !this.input;
    this.digit.value = "";
    if (model) this.prepare();     // the model may have changed since the last preparation
  }

  clear() { this.show({ digit: null }, this.model()); }

  async refreshCount() {
    try {
      this.count = await store.samples.count();
    } catch {
      this.count = 0;
    }
    this.tuneButton.disabled = this.busy || this.count === 0;
    if (this.count === 0 && document.activeElement === this.clearButton) {   // not lost to <body>
      (this.digit.disabled ? this.status : this.digit).focus();
    }
    this.clearButton.disabled = this.count === 0;
    this.root.dataset.samples = String(this.count);
    if (!this.status.textContent) this.status.textContent = this.count ? `${plural(this.count, "sample")} saved` : "";
  }

  async save() {
    const label = Number(this.digit.value);
    if (this.digit.value === "" || !this.input) return;
    try {
      await store.samples.add({ input: this.input.input, label, created: new Date().toISOString(), model: this.input.model });
      this.count = await store.samples.count();
      this.status.textContent = `Saved as a ${label} · ${plural(this.count, "sample")}`;
      this.intent = true;
      this.prepare();
    } catch (error) {
      this.status.textContent = `Couldn't save that sample: ${error.message}`;
    }
    this.digit.value = "";
    this.refreshCount();
  }

  async clearSamples() {
    await store.samples.clear();
    this.status.textContent = "Samples cleared";
    this.refreshCount();
  }

  // Once the user has shown intent: MNIST loaded and the current model's fine-tuning prepared in
  // the worker, in the background (prepareTuning; a no-op for the model already prepared).
  async prepare() {
    const messenger = this.worker();
    const model = this.model();
    if (!this.intent || !messenger || !model || model === this.prepModel) return;
    this.prepModel = model;
    Object.assign(this.root.dataset, { prep: "running", prepModel: model });
    try {
      this.prepNote.textContent = "Loading MNIST to fine-tune…";
      await messenger.request({ type: "trainData" });
      const r = await messenger.request({ type: "prepareTuning", model });
      if (r.cancelled || this.prepModel !== model) return;        // the model changed meanwhile
      Object.assign(this.root.dataset, { prep: "ready", prepPhases: r.phases.join(","),
        prepPrepareMs: String(Math.round(r.prepare_s * 1000)), prepFeaturesMs: String(Math.round(r.features_s * 1000)) });
      this.prepNote.textContent = `Ready to fine-tune ${model}`;
    } catch (error) {
      if (this.prepModel !== model) return;
      this.prepModel = null;                                     // tried again on the next intent
      this.root.dataset.prep = "failed";
      this.prepNote.textContent = `Couldn't prepare fine-tuning: ${error.message}`;
    }
  }

  // Worker news: MNIST downloading (the Train panel's data), then the fine-tuning's phases (its
  // preparation's, in the background, in the small note until the user waits for it).
  onEvent(message) {
    if (message.event === "finetune-prep" && !this.busy) {
      if (message.model !== this.prepModel) return;
      const { phase, done, total } = message.state;
      const words = PHASES[phase]?.replace(/ \(.*\)$/, "");
      if (words && total) this.prepNote.textContent = `Getting ready to fine-tune: ${words[0].toLowerCase()}${words.slice(1)} ${Math.round((100 * done) / total)} %`;
      return;
    }
    if (message.event === "train-data" && !this.busy && this.root.dataset.prep === "running") {
      this.prepNote.textContent = `Downloading MNIST to fine-tune… ${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB`;
    }
    if (!this.busy) return;
    // Only this fine-tune's news: once it has answered, the model it made (already on the pad while
    // onTuned runs) starts a preparation of its own, whose news must not replace the result.
    if (message.event === "finetune-prep" && message.model !== this.tuning) return;
    if (message.event === "train-data") {
      this.result.textContent = `Downloading MNIST for the replay… ${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB`;
    } else if (message.event === "finetune" || message.event === "finetune-prep") {
      const { phase, done, total, attempt } = message.state;
      const of = total ? ` ${done.toLocaleString("en")} of ${total.toLocaleString("en")}` : "";
      const words = PHASES[phase] ?? PHASES[phase.split("-")[0]] ?? phase;
      this.result.textContent = `${words}${of}${attempt > 1 ? ` (try ${attempt}, smaller steps)` : ""}…`;
    }
  }

  async fineTune() {
    const messenger = this.worker();
    if (!messenger) { this.result.textContent = "Python is still loading: try again in a moment."; return; }
    const model = this.model();
    this.busy = true;
    this.tuning = model;
    if (document.activeElement === this.tuneButton) this.result.focus();   // its progress, then its outcome
    this.tuneButton.disabled = true;
    this.root.dataset.tuning = "true";
    try {
      const records = await store.samples.all();
      this.result.textContent = "Loading MNIST (for the replay and the test)…";
      await messenger.request({ type: "trainData" });
      this.result.textContent = `Fine-tuning ${model} on ${plural(records.length, "digit")}…`;
      const samples = new Float32Array(records.length * 784);
      records.forEach((r, i) => samples.set(r.input, i * 784));
      const labels = Uint8Array.from(records, (r) => r.label);
      const t0 = performance.now();
      const r = await messenger.request({ type: "fineTune", model, samples, labels }, [samples.buffer, labels.buffer]);
      const seconds = (performance.now() - t0) / 1000;
      this.result.textContent = `${r.name}: your ${plural(r.samples, "digit")} ${pct(r.before.user)} → ${pct(r.after.user)} · ` +
        `MNIST test (${r.mnist_test.toLocaleString("en")} images) ${pct(r.before.mnist)} → ${pct(r.after.mnist)} · ` +
        `${seconds.toFixed(1)} s (training ${r.tune_s.toFixed(1)} s)`;
      Object.assign(this.root.dataset, {
        beforeUser: r.before.user, afterUser: r.after.user, beforeMnist: r.before.mnist,
        afterMnist: r.after.mnist, tuneMs: String(Math.round(seconds * 1000)), trainMs: String(Math.round(r.tune_s * 1000)),
        prepareMs: String(Math.round(r.prepare_s * 1000)), featuresMs: String(Math.round(r.features_s * 1000)),
        evalMs: String(Math.round(r.eval_s * 1000)), attempts: String(r.attempts), phases: r.phases.join(","),
      });
      await this.onTuned?.(r);
    } catch (error) {
      this.result.textContent = `Fine-tuning failed: ${error.message}. ${model} is unchanged.`;
    } finally {
      this.busy = false;
      this.tuning = null;
      this.root.dataset.tuning = "false";
      this.refreshCount();
    }
  }
}
