// Module worker: boots Pyodide with numpy and inkling (both wheels fetched and hash-checked by
// wheel-install.js while the runtime boots), fetches the default model's weights in parallel
// (shipped-weights.js: others when first used, all checked) and loads it, and answers the page
// (page/worker-messenger.js: envelope). Later visits restore all that from a memory snapshot
// (runtime-snapshot.js) that the first visit takes once its boot is done.
//
// Requests  {type: "init"}  -> {models: [{name, test_accuracy, parameters}], default, bootMs, timings}
//           {type: "predict", model, width, height, alpha: Uint8Array}      the pad's pixels, or
//           {type: "predict", model, width, height, points: Float32Array, counts: Int32Array}   its strokes
//                            -> {digit: int|null, probabilities: Float32Array(10), input: Float32Array(784), ms}
//                               from strokes also {number, number_digits, number_confidence, number_boxes,
//                               why_index}: several digits give digit null, and the probabilities and
//                               input of digit why_index (the least sure); see page/stroke-data.js
//           {type: "explain", ...} and {type: "readImage", ...}: see reading-handlers.js
//           {type: "trainData" | "trainStart" | "trainPause" | "trainResume" | "trainStop" | "trainReport"}: see train-handlers.js
//           {type: "memory"} -> {wasmHeapBytes, mallocBytes, gcObjects, models}   (soak benchmark, tests)
//           {type: "ping"}   -> {event: "alive"} at once (page/worker-messenger.js's watchdog)
//           {type: "drawing"}  no answer: a stroke began on the pad (background work waits)
// Events    {event: "progress", stage: "runtime"|"model", text}
//           {event: "models", models, default}       as soon as the manifest is read
//           {event: "model-refused", model, file, fallback}   a weights file failed its sha256 check
//           {event: "fatal", message}                Pyodide failed for good; the worker closes itself
// Only plain data and typed arrays cross; every PyProxy made here is destroyed.

import { APP_DIR, PYODIDE_DIR, WEIGHTS_DIR } from "../build-info.js";
import { isFatal, pythonCaller } from "./python-call.js";
import { readingHandlers, strokeBuffers } from "./reading-handlers.js";
import { bootRuntime, findSnapshot, snapshotPlace } from "./runtime-snapshot.js";
import { ShippedWeights } from "./shipped-weights.js";
import { fetchWheels } from "./wheel-install.js";
import { trainHandlers } from "./train-handlers.js";
import { modelHandlers } from "./model-handlers.js";
import { DRAWN, readDrawnOne } from "./warm-up.js";
import { compileKernel, loadKernel } from "./kernel.js";

const SITE = new URL("../", import.meta.url);          // dist/, wherever it is served from
const PYODIDE = new URL(PYODIDE_DIR, SITE);            // content-hashed folders (build.py)
const APP = new URL(APP_DIR, SITE);
const WEIGHTS = new URL(WEIGHTS_DIR, SITE);
const FS_WEIGHTS = "/weights";                         // inkling.worker.app.WEIGHTS_DIR
const MAX_WARM_READINGS = 5;                           // before a first visit's ready (boot below)
const started = performance.now();

// When each boot step ended (ms since this worker started; `origin` is performance.timeOrigin,
// so a page can place them on its own clock): answered by init, read by bench/load.py.
const timings = { origin: performance.timeOrigin };
const mark = (name) => { timings[name] = Math.round(performance.now()); };
const progress = (stage, text) => self.postMessage({ event: "progress", stage, text });

async function download(url, init = {}) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new Error(`cannot fetch ${url.pathname}: ${e.message}`, { cause: e });
  }
  if (!response.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// pyodide.mjs is imported from the site as it is: every host must send .mjs as JavaScript
// (Vercel, Netlify and GitHub Pages do; deploy/nginx.conf adds the type Debian's nginx lacks).
// indexURL is passed explicitly, so nothing depends on where the module thinks it is.
async function importPyodide() {
  return import(new URL("pyodide.mjs", PYODIDE).href);
}

// Only the default model's weights at boot (fetched while the runtime loads); others when first used.
const weights = new ShippedWeights({ baseUrl: WEIGHTS, download, fsDir: FS_WEIGHTS });

async function fetchDefaultWeights() {
  const { models, defaultModel } = await weights.readManifest();
  self.postMessage({ event: "models", models, default: defaultModel });
  return weights.fetchDefault();
}

async function boot() {
  mark("bootStart");
  const lockFileURL = new URL("pyodide-lock.json", APP).href;
  const wheels = fetchWheels(download, lockFileURL, PYODIDE.href, ["numpy", "inkling"]);   // while the runtime boots
  wheels.catch(() => {});   // reported below, once the runtime is up
  const kernel = wheels.then(([, app]) => compileKernel(app));   // compiled while the runtime boots
  kernel.catch(() => {});
  // No Cache Storage (an insecure origin): no snapshot is read or taken, the runtime boots the plain way.
  const place = typeof caches === "undefined" ? null : snapshotPlace(PYODIDE.href, APP.href, WEIGHTS.href);
  const snapshot = place && findSnapshot(place);   // read while pyodide.mjs loads
  const defaultWeights = fetchDefaultWeights();
  defaultWeights.catch(() => {});  // reported below, once Python is up (or instead of it)
  progress("runtime", "Loading Python and NumPy…");
  const { loadPyodide } = await importPyodide();
  mark("imported");
  const stored = await snapshot;
  mark("snapshotRead");
  const { pyodide, restored, done } = await bootRuntime(loadPyodide, { indexURL: PYODIDE.href, lockFileURL },
                                                       stored, wheels, { place, mark });
  mark(restored ? "pyodideRestored" : "pyodideLoaded");   // numpy imported, inkling installed
  const app = pyodide.pyimport("inkling.worker.app");   // restored: already imported, as the model is loaded
  progress("model", "Loading model…");
  const defaultModel = await defaultWeights;
  mark("weightsFetched");
  await weights.install(pyodide, defaultModel);
  mark("weightsInstalled");
  const loadModel = app.load_model;
  loadModel.callKwargs(defaultModel, { warm: false }).destroy();   // reads and checks the weights (restored: loaded)
  loadModel.destroy();
  app.destroy();
  mark("modelLoaded");
  const read = pythonCaller(Promise.resolve({ pyodide }), "inkling.worker.app");
  // A first visit reads a drawn digit before it takes its snapshot, which then holds the reading
  // modules' imports: a cold runtime's first reading (hundreds of ms in WebKit) must not fall on
  // the user's first stroke.
  if (!restored) await readDrawnOne(read, defaultModel);
  const { save } = done();   // a first visit's snapshot is taken here (packed when saved): what a warm load finds
  mark("snapshotTaken");
  const ops = pythonCaller(Promise.resolve({ pyodide }), "inkling.nn.ops");
  const loaded = await loadKernel(pyodide, await kernel.catch(() => null), ops).catch((e) => console.warn(reason(e)));
  if (!loaded) console.warn("Inkling: no WebAssembly SIMD kernel; NumPy's einsum does the products");
  mark("kernelLoaded");
  if (!restored) {
    // Readings through the kernel, again while one is still clearly faster than the one before:
    // an engine runs a function's first calls in slower tiers (WebKit for several readings, V8
    // for one or two). A warm load does these after ready, in the background (below).
    for (let k = 0, last = Infinity; k < MAX_WARM_READINGS; k++) {
      const t0 = performance.now();
      await readDrawnOne(read, defaultModel);
      const ms = performance.now() - t0;
      if (k >= DRAWN && ms > 0.8 * last) break;   // each drawing read once at least
      last = ms;
    }
    warmed.add("predict");
    mark("warmedUp");
  }
  return { pyodide, defaultModel, save };   // save(): the last background step below
}

const warmed = new Set();   // "predict", "explain": ran with the products as they are now
const ready = boot();
ready.catch(() => {});  // every request reports the failure

// After ready, work that makes later requests faster, in the background, a step at a time. A step
// starts only while no request is waiting or being handled and, but for a warm load's first
// warm-ups, once the user has left the worker alone for QUIET_MS (no request, no stroke begun:
// the page says {type: "drawing"} at each pointerdown), so that it does not hold up a prediction.
// 1. After a warm load, a few readings of a drawn digit with the default model (warm-up.js), unless
//    a user's prediction came first (a first visit did them before ready); then a "Why".
// 2. A first visit's memory snapshot packed and stored for the next (22 MB into Cache Storage).
// Requests that last (MNIST's download, a training run) do not hold it back; a run waits for it.
const LASTING = new Set(["trainData", "trainStart"]);
const QUIET_MS = 1000;
let handling = 0;        // other requests received and not yet answered
let lastRequest = 0;     // performance.now() when the last one came, or a stroke began
// Background warm-ups (warm-up.js) run only while the code they would warm has not run yet.
const WARM_UPS = 3;   // each a step: WebKit runs a function's first calls in slower tiers of its engine
function warmUp(what, { quiet = true } = {}) {
  const run = async ({ defaultModel }) => {
    // A broken model is reported by the requests that use it.
    if (!warmed.has(what)) await readDrawnOne(callPython, defaultModel, what).catch(() => {});
    mark(`warmed ${what}`);
  };
  return { run, quiet };
}
let backgroundDone;
const backgroundFinished = new Promise((resolve) => { backgroundDone = resolve; });
const background = [
  ...Array(WARM_UPS).fill(warmUp("predict", { quiet: false })),
  warmUp("explain"),
  { quiet: true, run: async ({ save }) => {
    await save().catch((e) => console.warn(`Inkling: Python memory snapshot not stored (${e.message})`));
    mark("snapshotStored");
  } },
];
let backgroundRunning = false;
async function runBackground() {
  if (backgroundRunning) return;
  backgroundRunning = true;
  try {
    const booted = await ready;
    while (background.length) {
      const wait = background[0].quiet ? lastRequest + QUIET_MS - performance.now() : 0;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));   // messages waiting go first
      if (handling > 0) return;   // resumed when the requests are answered
      if (background[0].quiet && performance.now() - lastRequest < QUIET_MS) continue;   // a stroke began
      try {
        await background.shift().run(booted);
      } catch (error) {   // a step that fails leaves the app as it was: the others still run
        console.warn(`Inkling: a background step failed (${reason(error)})`);
      }
    }
    backgroundDone();
  } finally {
    backgroundRunning = false;
  }
}
ready.then(() => { lastRequest = performance.now(); return runBackground(); }, () => {});   // no boot: the requests report why

// The last line of a Python traceback ("ValueError: ...") is what a person needs to read.
function reason(error) {
  const text = String(error?.message ?? error).trim();
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return error?.type && lines.length ? lines[lines.length - 1] : text;
}

// inkling.worker.app, with a shipped model's weights fetched and checked first if it is not loaded yet.
const callPython = pythonCaller(ready, "inkling.worker.app");
async function ensureModel(model) {
  if (weights.isShipped(model)) await weights.install((await ready).pyodide, model);
}
async function callApp(name, kwargs = {}, buffers = {}) {
  await ensureModel(kwargs.model);
  return callPython(name, kwargs, buffers);
}

const training = trainHandlers(ready);
const reading = readingHandlers(callApp);
const handlers = {
  ...reading,
  async explain(data) {
    const r = await reading.explain(data);
    warmed.add("explain");
    return r;
  },
  ...training,
  async trainStart(data) {   // a run starts once the snapshot is stored: both would want the thread
    await backgroundFinished;
    return training.trainStart(data);
  },
  ...modelHandlers(ready, { ensureModel }),

  async init() {
    const { defaultModel } = await ready;
    return { models: weights.offered(), default: defaultModel, bootMs: Math.round(performance.now() - started), timings };
  },

  async predict({ model, width, height, alpha, points, counts }) {
    if (points !== undefined) {
      const r = await callApp("predict", { width, height, model, alpha: null }, strokeBuffers(points, counts));
      warmed.add("predict");
      return { ...r, digit: r.digit ?? null };   // Python's None arrives as undefined
    }
    if (!(alpha instanceof Uint8Array)) throw new Error("predict needs the pad's alpha channel as a Uint8Array");
    const r = await callApp("predict", { width, height, model }, { alpha });
    warmed.add("predict");
    return { digit: r.digit ?? null, probabilities: r.probabilities, input: r.input, ms: r.ms };
  },

  // For the soak benchmark and tests: the wasm heap (bytes; it only grows), the bytes malloc has
  // handed out and not had back, and Python's gc-tracked objects after a full collection.
  async memory() {
    const { pyodide } = await ready;
    const python = await callPython("memory");
    return { wasmHeapBytes: pyodide._module.HEAP8.length, mallocBytes: mallocInUse(pyodide._module), ...python };
  },
};

// dlmalloc's mallinfo().uordblks: bytes allocated and in use (struct mallinfo is ten ints, returned
// through a pointer in the wasm32 ABI; the 64 bytes asked for here are counted the same every time).
function mallocInUse(module) {
  const p = module._calloc(1, 64);   // (_malloc itself is not on Pyodide's Module)
  try {
    module._mallinfo(p);
    return module.HEAPU32[(p >> 2) + 7];
  } finally {
    module._free(p);
  }
}

self.addEventListener("message", async ({ data }) => {
  const { id, type } = data ?? {};
  if (type === "ping") return self.postMessage({ event: "alive" });   // the page's watchdog
  if (type === "drawing") { lastRequest = performance.now(); return; }   // a stroke began: no answer
  const counted = !LASTING.has(type);
  if (counted) {
    handling++;
    lastRequest = performance.now();
  }
  try {
    if (!Object.hasOwn(handlers, type)) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const result = await handlers[type](data);
    const transfer = [...new Set(Object.values(result).filter(ArrayBuffer.isView).map((a) => a.buffer))];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    if (isFatal(error)) {
      self.postMessage({ event: "fatal", message: `Python failed for good (${reason(error)})` });
      return self.close();
    }
    if (type !== "init") console.warn(error);
    self.postMessage({ id, error: reason(error) });
  } finally {
    if (counted && --handling === 0) runBackground().catch(() => {});   // a failed boot: nothing to do
  }
});
