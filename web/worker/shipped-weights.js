// The shipped weights (weights/manifest.json + <model>/<array>.npy), fetched lazily and checked.
//
// Only the manifest and the default model's files are fetched at boot; another model's files are
// fetched the first time it is asked for. Every file is checked against the manifest's sha256
// before it is written into Pyodide's file system (inkling.nn.weights checks again when it loads).
// A model with a file that fails is refused: never offered again, and the page is told
// {event: "model-refused", model, file, fallback}. If the default itself is refused, the most
// accurate shipped model whose files pass becomes the default.

import { sha256Hex } from "./sha256.js";

export class WeightsRefused extends Error {}

export class ShippedWeights {
  // baseUrl: the weights/ folder; download(url) -> Uint8Array; fsDir: inkling.worker.app.WEIGHTS_DIR.
  constructor({ baseUrl, download, fsDir }) {
    this.baseUrl = baseUrl;
    this.download = download;
    this.fsDir = fsDir;
    this.fetched = new Map();     // model name -> promise of its checked [path, bytes] pairs
    this.installed = new Set();   // model names whose files are in Pyodide's file system
    this.refused = new Map();     // model name -> the file that failed
  }

  // manifest.json: {models: [{name, test_accuracy, parameters}], defaultModel}, all listed models.
  async readManifest() {
    this.manifestBytes = await this.download(new URL("manifest.json", this.baseUrl));
    this.manifest = JSON.parse(new TextDecoder().decode(this.manifestBytes));
    const names = Object.keys(this.manifest.models || {});
    if (!names.length) throw new Error("weights/manifest.json lists no models");
    const entry = (name) => this.manifest.models[name];
    this.models = names.map((name) => ({
      name, test_accuracy: entry(name).test_accuracy ?? null, parameters: entry(name).parameters ?? null,
    }));
    this.defaultModel = names.includes(this.manifest.default) ? this.manifest.default : names[0];
    return { models: this.models, defaultModel: this.defaultModel };
  }

  isShipped(name) { return Object.hasOwn(this.manifest?.models ?? {}, name); }
  offered() { return this.models.filter((m) => !this.refused.has(m.name)); }

  // The default's files, or, if one fails, the next most accurate model's that pass.
  async fetchDefault() {
    const others = this.models.filter((m) => m.name !== this.defaultModel)
      .sort((a, b) => (b.test_accuracy ?? 0) - (a.test_accuracy ?? 0)).map((m) => m.name);
    for (const name of [this.defaultModel, ...others]) {
      try {
        await this.fetchModel(name);
        this.defaultModel = name;
        return name;
      } catch (error) {
        if (!(error instanceof WeightsRefused)) throw error;
      }
    }
    throw new Error("no shipped model's weights passed their integrity check (sha256)");
  }

  // Every file of model `name`, each checked; a WeightsRefused (and an event) if one fails.
  fetchModel(name) {
    if (this.refused.has(name)) return Promise.reject(this.refusal(name));
    if (!this.fetched.has(name)) {
      const files = Object.values(this.manifest.models[name].files);
      const checked = Promise.all(files.map(async ({ path, sha256 }) => {
        const bytes = await this.download(new URL(path, this.baseUrl));
        if ((await sha256Hex(bytes)) !== sha256) throw new WeightsRefused(path);
        return [path, bytes];
      }));
      this.fetched.set(name, checked.catch((error) => {
        this.fetched.delete(name);              // a network failure may be tried again
        if (!(error instanceof WeightsRefused)) throw error;
        this.refused.set(name, `weights/${error.message}`);
        const fallback = name === this.defaultModel ? null : this.defaultModel;
        self.postMessage({ event: "model-refused", model: name, file: this.refused.get(name), fallback });
        throw this.refusal(name);
      }));
    }
    return this.fetched.get(name);
  }

  refusal(name) {
    return new WeightsRefused(`the ${name} model is not offered: its weights file ${this.refused.get(name)} ` +
                              "failed its integrity check (sha256)");
  }

  // Fetch (if need be), check and write model `name`'s files where inkling.worker.app reads them.
  async install(pyodide, name) {
    if (this.installed.has(name)) return;
    const files = await this.fetchModel(name);
    if (!pyodide.FS.analyzePath(`${this.fsDir}/manifest.json`).exists) {
      pyodide.FS.mkdirTree(this.fsDir);
      pyodide.FS.writeFile(`${this.fsDir}/manifest.json`, this.manifestBytes);
    }
    for (const [path, bytes] of files) {
      const full = `${this.fsDir}/${path}`;
      pyodide.FS.mkdirTree(full.slice(0, full.lastIndexOf("/")));
      pyodide.FS.writeFile(full, bytes);
    }
    this.installed.add(name);
    this.fetched.delete(name);                  // the bytes live in the file system now
  }
}
