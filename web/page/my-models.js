// "My models" (issue 4): the models the user trained, imported or fine-tuned, kept in IndexedDB
// (store.js) and listed with name, date and MNIST test accuracy; registered in the worker again
// after a reload. Export downloads the current model (shipped ones too) as one .zip; Import takes
// a .zip (or a manifest.json with its .npy files) from the file input or dropped on the page.
// The worker checks every import (py/inkling/worker/library.py); a bad one only costs a message.

import * as store from "./store.js";

const $in = (root, sel) => root.querySelector(sel);
const MAX_IMPORT_BYTES = 100e6;    // the shipped CNN exports to ~0.7 MB; refuse before reading
const percent = (acc) => (typeof acc === "number" ? `${(100 * acc).toFixed(2)} %` : "not measured");
const day = (iso) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

export class MyModels {
  // worker(): the messenger once Python is ready; select: the ModelSelect; message: the Message line;
  // onChosen(): the selected model changed (a new prediction is due).
  constructor(root, { worker, select, message, onChosen }) {
    Object.assign(this, { root, worker, select, message, onChosen });
    this.list = $in(root, "[data-testid=my-models]");
    this.empty = $in(root, ".my-models-empty");
    this.exportButton = $in(root, "[data-testid=export-weights]");
    this.records = new Map();      // name -> stored record (without its zip)
    this.exportButton.addEventListener("click", () => this.exportCurrent());
    const input = $in(root, "[data-testid=import-weights]");
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      input.value = "";            // the same file chosen again is a new change
      if (files.length) this.import(files);
    });
    this.list.addEventListener("click", (e) => {
      const button = e.target.closest("[data-testid=delete-model]");
      if (button) this.remove(button.closest("li").dataset.name);
    });
  }

  // After the worker is ready: every stored model registered again and listed (not selected).
  async restore() {
    let records = [];
    try {
      records = await store.models.all();
    } catch (error) {
      this.message.warn(`Your saved models can't be read here: ${error.message}`);
    }
    records.sort((a, b) => a.created.localeCompare(b.created));
    for (const record of records) {
      try {
        const r = await this.worker().request({ type: "registerStored", name: record.name, zip: record.zip });
        this.select.addModel({ ...r, test_accuracy: record.test_accuracy }, { select: false });
        this.records.set(record.name, { ...record, zip: undefined });
      } catch (error) {
        this.records.set(record.name, { ...record, zip: undefined, broken: error.message });
      }
    }
    this.render();
    this.root.dataset.restored = String(records.length);
  }

  // A model the worker now has (trained, imported, fine-tuned) saved with its .zip export.
  async keep({ name, test_accuracy, parameters, source, zip }) {
    const record = { name, created: new Date().toISOString(), test_accuracy: test_accuracy ?? null,
                     parameters: parameters ?? null, source: source || "", zip };
    try {
      if (!record.zip) {
        const info = { test_accuracy: record.test_accuracy, created: record.created, source: record.source };
        record.zip = (await this.worker().request({ type: "exportModel", model: name, info })).zip;
      }
      await store.models.put(record);
      this.records.set(name, { ...record, zip: undefined });
      this.render();
    } catch (error) {
      this.message.warn(`${name} works on the pad but couldn't be saved for next time: ${error.message}`);
    }
  }

  async exportCurrent() {
    const messenger = this.worker();
    if (!messenger) return this.message.warn("Python is still loading: export again in a moment.");
    const model = this.select.value;
    const kept = this.records.get(model);
    const info = kept ? { test_accuracy: kept.test_accuracy, created: kept.created, source: kept.source } : {};
    try {
      const { zip, filename } = await messenger.request({ type: "exportModel", model, info });
      const url = URL.createObjectURL(new Blob([zip], { type: "application/zip" }));
      const link = Object.assign(document.createElement("a"), { href: url, download: filename });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.message.info(`Exported ${model} as ${filename} (${(zip.length / 1e6).toFixed(2)} MB): ` +
                        `load it in Python with inkling.load("${filename}").`);
    } catch (error) {
      this.message.error(`Couldn't export ${model}: ${error.message}`);
    }
  }

  async import(files) {
    const messenger = this.worker();
    const what = files.length === 1 ? `“${files[0].name}”` : `those ${files.length} files`;
    if (!messenger) return this.message.warn(`Python is still loading: import ${what} again in a moment.`);
    const size = files.reduce((n, f) => n + f.size, 0);
    if (size > MAX_IMPORT_BYTES) {
      return this.message.error(`Couldn't import ${what}: ${(size / 1e6).toFixed(0)} MB is more than a model's weights ` +
                                `(at most ${MAX_IMPORT_BYTES / 1e6} MB). The current model is unchanged.`);
    }
    try {
      const parts = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      const r = await messenger.request({ type: "importModel", files: parts });
      this.select.addModel(r);
      this.onChosen?.();
      this.message.info(`Imported ${what} as ${r.name}: every array checked; it reads the pad now.`);
      await this.keep({ ...r, source: r.source || "imported" });
    } catch (error) {
      this.message.error(`Couldn't import ${what}: ${error.message}. The current model is unchanged.`);
    }
  }

  async remove(name) {
    try {
      await store.models.remove(name);
    } catch (error) {
      return this.message.error(`Couldn't delete ${name}: ${error.message}`);
    }
    this.records.delete(name);
    const wasCurrent = this.select.value === name;
    const lostFocus = this.list.contains(document.activeElement);   // its Delete button goes with it
    this.select.removeModel(name);
    this.render();
    if (lostFocus) (this.list.querySelector("[data-testid=delete-model]") ?? this.root.querySelector("[data-testid=export-weights]")).focus();
    this.message.info(`Deleted ${name} from this browser.`);
    if (wasCurrent) this.onChosen?.();
  }

  render() {
    const items = [...this.records.values()].map((r) => {
      const li = document.createElement("li");
      li.dataset.name = r.name;
      const name = Object.assign(document.createElement("b"), { textContent: r.name });
      const facts = document.createElement("span");
      facts.className = "facts";
      facts.textContent = ` · ${day(r.created)} · MNIST test ${percent(r.test_accuracy)}` +
        (r.source ? ` · ${r.source}` : "") + (r.broken ? ` · can't be loaded: ${r.broken}` : "");
      const del = Object.assign(document.createElement("button"), { type: "button", className: "button small", textContent: "Delete" });
      del.dataset.testid = "delete-model";
      del.setAttribute("aria-label", `Delete ${r.name}`);
      li.append(name, facts, del);
      return li;
    });
    this.list.replaceChildren(...items);
    this.empty.hidden = items.length > 0;
  }
}
