// Wires the page: the pad works at once; Python boots in a module worker meanwhile; every
// finished stroke (and Undo, Clear, a model change) asks for a new prediction, at most one
// in flight: a drawing made while one is computing is sent, latest only, when it returns.
// If the worker dies it is restarted (a few times, with backoff); the pad is the page's, so the
// drawing stays and is read again by the new worker.
import { Pad } from "./pad.js";
import { Prediction } from "./prediction.js";
import { ProbabilityBars } from "./probability-bars.js";
import { ModelInput } from "./model-input.js";
import { ModelSelect } from "./model-select.js";
import { Status } from "./status.js";
import { WorkerMessenger } from "./worker-messenger.js";
import { setupReading } from "./reading-setup.js";
import { TrainPanel } from "./train-panel.js";
import { MyModels } from "./my-models.js";
import { Teach } from "./teach.js";

const $ = (selector) => document.querySelector(selector);
const WORKER_URL = new URL("../worker/inkling-worker.js", import.meta.url);

const prediction = new Prediction($("[data-testid=prediction]"), $(".confidence"), $("[data-testid=announce]"));
const bars = new ProbabilityBars($(".bars"));
const modelInput = new ModelInput($("[data-testid=model-input]"));
const status = new Status($("#status"), { onRetry: () => { deaths.length = 0; start(); } });
const models = new ModelSelect($("[data-testid=model-select]"), { onChange: () => changed() });
// A stroke begun tells the worker to hold its background work (it would delay this stroke's reading).
const pad = new Pad($("[data-testid=pad]"), {
  onStroke: (kind) => changed(kind), onStart: () => messenger?.notify({ type: "drawing" }),
});

let messenger = null;
let lab = null;           // the Lab (web/lab/lab-panel.js) once opened: its workers read the pad for lab-N models
let labLoading = null;    // the promise of it while its modules load
let lastInput = null;     // the 28x28 input of the pad's last reading (the Lab's code view follows it)
let ready = false;
let inFlight = false;
let queued = false;
let epoch = 0;   // bumped when a result in flight no longer fits the pad (Undo, Clear, model)
const deaths = [];        // when workers died lately (performance.now()), for bounded restarts
const RESTARTS = 3;       // at most this many automatic restarts within DEATH_WINDOW_MS
const DEATH_WINDOW_MS = 120_000;
let restartNote = "";     // said in the status until the next stroke after a restart
// Who reads with `model`: a Lab script's model is read by the Lab worker holding it (its host,
// web/lab/lab-hosts.js), whatever the pad's own worker is doing; any other by the pad's worker.
function workerFor(model) {
  return lab?.host(model) ?? (ready ? messenger : null);
}
// Pictures, camera, number, "Why": follow-ups after a prediction, and pictures read instead.
const reading = setupReading({ worker: workerFor, model: () => models.value,
                               pad, prediction, bars, modelInput, onWeightsFiles: (files) => myModels.import(files) });
// My models (kept in IndexedDB, export/import) and Teach mode (samples, fine-tuning).
const myModels = new MyModels($(".my-models"), { worker: () => (ready ? messenger : null), select: models,
                                                 message: reading.message, onChosen: () => changed() });
const teach = new Teach($(".teach"), {
  worker: () => (ready ? messenger : null), model: () => models.value,
  onTuned: (r) => { models.addModel(r); changed(); return myModels.keep(r); },
});
// Train panel: MNIST is fetched only when it opens; a trained model drives the pad at once.
const train = new TrainPanel($(".train"), $("[data-testid=train-open]"), {
  worker: () => (ready ? messenger : null),
  onTrained: (model) => { models.addModel(model); changed(); myModels.keep({ ...model, source: "trained in the page" }); },
});

function showEmpty() {
  prediction.clear();
  bars.clear();
  modelInput.clear();
  reading.clear();
  teach.clear();
}

function changed(kind = "model") {
  if (kind !== "stroke") epoch++;
  else restartNote = "";
  if (pad.isEmpty) {
    queued = false;
    showEmpty();
    return;
  }
  predict();
}

async function predict() {
  const worker = workerFor(models.value);
  if (!worker || pad.isEmpty) return;
  if (inFlight) { queued = true; return; }
  // A reading queued behind the last one waits for the stroke now being drawn: its end asks for
  // one, so a half-drawn stroke is never read (and data-strokes counts finished strokes).
  if (pad.drawing) { queued = false; return; }
  inFlight = true;
  queued = false;
  const sentEpoch = epoch;
  const { width, height, points, counts, strokes } = pad.strokeData();   // read from its strokes
  const model = models.value;
  const viaLab = worker !== messenger;   // a script's predict_proba, in the Lab worker hosting it
  try {
    const r = await worker.request({ type: "predict", model, width, height, points, counts }, [points.buffer, counts.buffer]);
    if (sentEpoch === epoch) {
      prediction.show({ ...r, strokes });
      bars.show(r.probabilities, r.digit ?? r.number_digits?.[r.why_index] ?? null);
      modelInput.show(r.input);
      lastInput = r.input;
      teach.show(r, model);
      reading.padShown(r);   // the "Why" follows, from the same worker
      if (status.state === "ready") {
        status.ready(`Ready${restartNote}`);
        status.detail(`· read in ${Math.round(r.ms)} ms`);
      }
    }
  } catch (error) {
    if (viaLab) labFailed(model, error);
    else if (ready && sentEpoch === epoch && !error.workerDied) status.warn(`Couldn't read that drawing: ${error.message}. Your drawing is kept; try another stroke.`);
  } finally {
    inFlight = false;
  }
  if (queued) predict();
}

// A lab model's predict_proba raised: say so, and the pad reads with the shipped default again.
// (Its host's death is labLost's news: the Lab's hosts tell it before the pending request fails.)
function labFailed(model, error) {
  if (error.workerDied) return;
  reading.message.error(`${model} could not read the drawing: ${error.message}. Reading with ${models.defaultName} instead.`);
  models.select.value = models.defaultName;   // still listed: the user may fix the script and pick it again
  changed();
}

// Lab models gone (their host died, or was let go for a newer one): out of the select, said why;
// the pad reads with the default if one of them was reading it.
function labLost(names, reason) {
  const wasReading = names.includes(models.value);
  for (const name of names) models.removeModel(name);   // the default is selected if it was
  reading.message.warn(`${names.join(", ")} left the model list: ${reason}.` +
                       (wasReading ? ` The pad reads with ${models.value} again.` : ""));
  if (wasReading) changed();
}

// The Lab: its code is imported on the first click, so a first visit fetches none of it.
async function openLab() {
  labLoading ??= import("../lab/lab-panel.js").then(({ LabPanel }) => new LabPanel($("main.app"), {
    models,
    onUse: (model) => { models.addModel(model); changed(); },
    onLost: labLost,
    exportModel: async (model) => {
      if (!ready) throw new Error("the pad's Python is still loading");
      return (await messenger.request({ type: "exportModel", model, info: {} })).zip;
    },
    input: () => lastInput,
  }));
  lab = await labLoading;
  lab.open();
}
$("[data-testid=lab-open]").addEventListener("click", () => openLab().catch((error) => {
  labLoading = null;
  reading.message.error(`The Lab could not load: ${error.message}`);
}));

function onEvent(message) {
  if (message.event?.startsWith("finetune") || message.event === "train-data") teach.onEvent(message);  // Teach mode's news
  if (message.event === "progress") status.loading(message.text);
  else if (message.event === "models") models.setModels(message.models, message.default);
  else if (message.event === "model-refused") refused(message);
  else if (message.event?.startsWith("train")) train.onEvent(message);
}

// A shipped model whose weights failed their sha256 check: no longer offered; the pad is read
// again with the default (or whichever model the worker fell back to).
function refused({ model, file, fallback }) {
  models.retain(models.names.filter((n) => n !== model), fallback);
  reading.message.warn(`The ${model} model is not offered: its weights file ${file} failed its ` +
                       `integrity check (sha256). ${fallback ? `Using ${fallback} instead.` : "Using another shipped model."}`);
  changed();
}

function failed(reason) {
  ready = false;
  status.failed(reason);
}

// The worker died (messenger's watchdog, error event, Pyodide fatal error): start a new one after a
// backoff, unless workers keep dying, then the failed state and its "Try again".
function workerDied(reason) {
  ready = false;
  train.workerStopped();
  const now = performance.now();
  deaths.push(now);
  while (deaths[0] < now - DEATH_WINDOW_MS) deaths.shift();
  if (deaths.length > RESTARTS) {
    console.warn(`Inkling: ${reason}; ${deaths.length} times in a row, not restarting`);
    return failed(`${reason} (${deaths.length} times in a row). Your drawing is kept.`);
  }
  const delay = 500 * 2 ** (deaths.length - 1);
  console.warn(`Inkling: ${reason}; restarting it in ${delay} ms`);
  status.loading(`Restarting Python (${reason}). Your drawing is kept.`);
  setTimeout(() => start({ restart: true }), delay);
}

// The worker's boot steps as marks on the page's timeline ("inkling:<step>"), for DevTools and
// for bench/load.py's breakdown of a load.
function markBoot({ origin, ...steps } = {}) {
  for (const [name, t] of Object.entries({ workerStarted: 0, ...steps })) {   // the worker's time origin: 0
    performance.mark(`inkling:${name}`, { startTime: Math.max(0, origin + t - performance.timeOrigin) });
  }
}

async function start({ restart = false } = {}) {
  messenger?.terminate();
  ready = false;
  if (!restart) status.loading("Loading Python runtime…");
  const mine = (messenger = new WorkerMessenger(WORKER_URL, {
    onEvent, onDeath: (reason) => { if (mine === messenger) workerDied(reason); },
  }));
  try {
    const info = await mine.request({ type: "init" });
    if (mine !== messenger) return;
    markBoot(info.timings);
    models.setModels(info.models, info.default);
    const kept = [...info.models.map((m) => m.name), ...(lab?.models ?? [])];   // the Lab's live in their own workers
    const lost = models.retain(kept, info.default);   // refused, or trained in a dead worker
    restartNote = restart ? ` · restarted after the Python worker stopped${lost.length ? ` (${lost.join(", ")} lost)` : ""}` : "";
    ready = true;
    status.ready(`Ready${restartNote}`);
    train.workerReady();
    epoch++;
    predict();   // whatever was drawn while Python was loading
    myModels.restore();   // the models kept from earlier visits, into the worker and the select
  } catch (error) {
    if (mine === messenger && !error.workerDied) failed(error.message);
  }
}

// ?debug: a handle for the soak benchmark and tests, through the same messenger as the pad.
if (new URLSearchParams(location.search).has("debug")) {
  window.__inkling = { request: (message, transfer) => messenger.request(message, transfer),
                       snapshot: () => pad.snapshot(), model: () => models.value, isReady: () => ready };
}

document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z" && !e.target.closest?.("select, .lab")) {   // the Lab's editors undo their own text
    e.preventDefault();
    pad.undo();
  }
});
$("[data-testid=undo]").addEventListener("click", () => pad.undo());
$("[data-testid=clear]").addEventListener("click", () => pad.clear());

start();
