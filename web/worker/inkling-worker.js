// Module worker: boots Pyodide, installs numpy + inkling from the trimmed lock file, fetches the
// weights in parallel, and answers the page (see page/worker-messenger.js for the envelope).
//
// Requests  {type: "init"}  -> {models: [{name, test_accuracy, parameters}], default, bootMs}
//           {type: "predict", model, width, height, alpha: Uint8Array}
//                            -> {digit: int|null, probabilities: Float32Array(10), input: Float32Array(784), ms}
//           {type: "explain", ...} and {type: "readImage", ...}: see reading-handlers.js
//           {type: "trainData" | "trainStart" | "trainPause" | "trainResume" | "trainStop"}: see train-handlers.js
// Events    {event: "progress", stage: "runtime"|"numpy"|"model", text}
//           {event: "models", models, default}       as soon as the manifest is read
// Only plain data and typed arrays cross; every PyProxy made here is destroyed.

import { pythonCaller } from "./python-call.js";
import { readingHandlers } from "./reading-handlers.js";
import { trainHandlers } from "./train-handlers.js";
import { modelHandlers } from "./model-handlers.js";

const SITE = new URL("../", import.meta.url);          // dist/, wherever it is served from
const PYODIDE = new URL("pyodide/", SITE);
const WEIGHTS = new URL("weights/", SITE);
const FS_WEIGHTS = "/weights";                         // inkling.app.WEIGHTS_DIR
const started = performance.now();

const progress = (stage, text) => self.postMessage({ event: "progress", stage, text });

async function download(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`cannot fetch ${url.pathname}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// manifest.json, then every file it lists, the default model's first; all at once.
async function fetchWeights() {
  const manifestBytes = await download(new URL("manifest.json", WEIGHTS));
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  const names = Object.keys(manifest.models || {});
  if (!names.length) throw new Error("weights/manifest.json lists no models");
  const models = names.map((name) => ({
    name, test_accuracy: manifest.models[name].test_accuracy ?? null,
    parameters: manifest.models[name].parameters ?? null,
  }));
  const defaultModel = names.includes(manifest.default) ? manifest.default : names[0];
  self.postMessage({ event: "models", models, default: defaultModel });
  const order = [defaultModel, ...names.filter((n) => n !== defaultModel)];
  const paths = order.flatMap((n) => Object.values(manifest.models[n].files).map((f) => f.path));
  const files = await Promise.all(paths.map(async (path) => [path, await download(new URL(path, WEIGHTS))]));
  return { manifestBytes, files, models, defaultModel };
}

// pyodide.mjs is imported from a blob of its bytes: some static hosts (Debian's nginx 1.22 with its
// stock mime.types, for one) send .mjs as application/octet-stream, which module imports refuse.
// pyodide.mjs has no imports of its own and indexURL is passed explicitly, so nothing depends on
// the module's own URL.
async function importPyodide() {
  const source = await download(new URL("pyodide.mjs", PYODIDE));
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function boot() {
  const weights = fetchWeights();
  weights.catch(() => {});  // reported below, once Python is up (or instead of it)
  progress("runtime", "Loading Python runtime…");
  const { loadPyodide } = await importPyodide();
  const pyodide = await loadPyodide({
    indexURL: PYODIDE.href,
    lockFileURL: new URL("pyodide-lock.json", PYODIDE).href,
  });
  progress("numpy", "Loading NumPy…");
  const failures = [];
  await pyodide.loadPackage(["numpy", "inkling"], {
    messageCallback: () => {},
    errorCallback: (message) => failures.push(message),
  });
  if (failures.length) throw new Error(`package install failed: ${failures.join("; ")}`);
  const app = pyodide.pyimport("inkling.app");   // throws if inkling is missing or broken
  progress("model", "Loading model…");
  const { manifestBytes, files, models, defaultModel } = await weights;
  pyodide.FS.mkdirTree(FS_WEIGHTS);
  pyodide.FS.writeFile(`${FS_WEIGHTS}/manifest.json`, manifestBytes);
  for (const [path, bytes] of files) {
    const full = `${FS_WEIGHTS}/${path}`;
    pyodide.FS.mkdirTree(full.slice(0, full.lastIndexOf("/")));
    pyodide.FS.writeFile(full, bytes);
  }
  const loadModel = app.load_model;
  loadModel(defaultModel).destroy();   // reads and checks the weights, warms the model up
  loadModel.destroy();
  app.destroy();
  return { pyodide, models, defaultModel };
}

const ready = boot();
ready.catch(() => {});  // every request reports the failure

// The last line of a Python traceback ("ValueError: ...") is what a person needs to read.
function reason(error) {
  const text = String(error?.message ?? error).trim();
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return error?.type && lines.length ? lines[lines.length - 1] : text;
}

const callApp = pythonCaller(ready, "inkling.app");
const handlers = {
  ...readingHandlers(callApp),
  ...trainHandlers(ready),
  ...modelHandlers(ready),

  async init() {
    const { models, defaultModel } = await ready;
    return { models, default: defaultModel, bootMs: Math.round(performance.now() - started) };
  },

  async predict({ model, width, height, alpha }) {
    if (!(alpha instanceof Uint8Array)) throw new Error("predict needs the pad's alpha channel as a Uint8Array");
    const r = await callApp("predict", { width, height, model }, { alpha });
    return { digit: r.digit ?? null, probabilities: r.probabilities, input: r.input, ms: r.ms };
  },
};

self.addEventListener("message", async ({ data }) => {
  const { id, type } = data ?? {};
  try {
    if (!Object.hasOwn(handlers, type)) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const result = await handlers[type](data);
    const transfer = [...new Set(Object.values(result).filter(ArrayBuffer.isView).map((a) => a.buffer))];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    if (type !== "init") console.warn(error);
    self.postMessage({ id, error: reason(error) });
  }
});
