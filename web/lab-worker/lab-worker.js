// The Lab's module worker: a Pyodide of its own (numpy, and inkling with its .py sources), so a
// script the user runs never blocks the pad, and Stop can end any run by terminating this worker
// (the page then starts a fresh one: Python has no way to interrupt a busy loop here otherwise).
// Started only when the Lab opens (page/lab/lab-runner.js), through page/worker-messenger.js.
// After "use", this worker becomes the host of that model (lab/lab-hosts.js): it runs no more
// scripts and answers only the pad's predict / explain / readImage for it, as the main worker does.
//
// Requests  {type: "init"}            -> {starter, exercises: [{id, title, text, template}], bootMs}
//           {type: "run", code}       -> {ok, error, predict}   (inkling.worker.lab_session.run)
//                                        fetches MNIST first (once) when the code calls load_mnist
//           {type: "use", name}       -> {name}   the last run's predict_proba becomes model `name`
//           {type: "predict", model, width, height, points: Float32Array, counts: Int32Array}
//                                     -> as the main worker's predict from the pad's strokes
//           {type: "explain" | "readImage", ...} -> as the main worker's (worker/reading-handlers.js);
//                                        the "Why" of a script's model is by occlusion (method "occlusion")
//           {type: "layers", zip: Uint8Array, input: Float32Array(784)} -> {layers: [...]}  (code view)
//           {type: "check", exercise, code} -> {passed, max_error, relative_error, message}
//           {type: "ping"}            -> {event: "alive"}
// Events    {event: "progress", text}          while booting
//           {event: "output", stream: "stdout"|"stderr", text}   as Python writes it
//           {event: "chart", name, x, y}       inkling.lab.chart(name, x, y)
//           {event: "fatal", message}          Python failed for good; the worker closes itself

import { APP_DIR, PYODIDE_DIR } from "../build-info.js";
import { bootRuntime } from "../worker/runtime-snapshot.js";
import { fetchMnist } from "../worker/train-handlers.js";
import { fetchWheels } from "../worker/wheel-install.js";
import { isFatal, pythonCaller } from "../worker/python-call.js";
import { readingHandlers, strokeBuffers } from "../worker/reading-handlers.js";

const HERE = new URL("./", import.meta.url);
const PYODIDE = new URL(`../${PYODIDE_DIR}`, HERE);
const LOCK = new URL(`../${APP_DIR}pyodide-lock.json`, HERE);   // the runtime reads it at start
const MNIST_DIR = "/mnist";            // INKLING_MNIST_DIR: where inkling.data.mnist reads the IDX files
const started = performance.now();

async function download(url, init = {}) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// Python's output, as it comes (no waiting for a newline): the page's output pane streams it.
function streamTo(stream) {
  const decoder = new TextDecoder();
  return { write: (bytes) => {
    self.postMessage({ event: "output", stream, text: decoder.decode(bytes, { stream: true }) });
    return bytes.length;
  }, isatty: true };   // a terminal to Python: line-buffered, so each print comes at once
}

async function boot() {
  self.postMessage({ event: "progress", text: "Loading Python and NumPy for the Lab…" });
  const wheels = fetchWheels(download, new URL("lab-lock.json", HERE), HERE.href, ["numpy", "inkling"]);
  wheels.catch(() => {});   // reported by bootRuntime's await
  const { loadPyodide } = await import(new URL("pyodide.mjs", PYODIDE).href);
  const { pyodide, done } = await bootRuntime(
    (options) => loadPyodide({ ...options, env: { INKLING_MNIST_DIR: MNIST_DIR } }),
    { indexURL: PYODIDE.href, lockFileURL: LOCK.href }, null, wheels);
  done();
  pyodide.setStdout(streamTo("stdout"));
  pyodide.setStderr(streamTo("stderr"));
  const lab = pyodide.pyimport("inkling.lab");
  lab.set_sink((name, x, y) => self.postMessage({ event: "chart", name, x, y }));
  lab.destroy();
  return { pyodide };
}

const ready = boot();
ready.catch(() => {});   // every request reports it
const call = pythonCaller(ready, "inkling.worker.lab_session");
const callApp = pythonCaller(ready, "inkling.worker.app");   // where "use" registered the script's model

// MNIST, fetched and sha256-checked as the Train panel does (train-handlers.js), then written raw
// where inkling.lab.load_mnist reads it (which checks the IDX files' sha256 again). Once a worker.
let mnist = null;
function loadMnist() {
  mnist ??= (async () => {
    const { pyodide } = await ready;
    const say = (text) => self.postMessage({ event: "output", stream: "stdout", text });
    say("Loading MNIST (11 MB, checked against the site's sha256)…\n");
    let shown = 0;
    const { files } = await fetchMnist((loaded, total) => {
      const tenth = Math.floor((10 * loaded) / total);
      if (tenth > shown) { shown = tenth; say(`  ${10 * tenth} %\n`); }
    });
    const proxy = pyodide.runPython("import inkling.data.mnist as m; {k: v[0] for k, v in m.FILES.items()}");
    const names = proxy.toJs({ dict_converter: Object.fromEntries });
    proxy.destroy();
    pyodide.FS.mkdirTree(MNIST_DIR);
    for (const [name, bytes] of files) pyodide.FS.writeFile(`${MNIST_DIR}/${names[name]}`, bytes);
  })();
  mnist.catch(() => { mnist = null; });   // a failed download may be tried again
  return mnist;
}

const handlers = {
  async init() {
    const [starter, exercises] = await Promise.all([call("starter"), call("exercise_list")]);
    return { starter, exercises, bootMs: Math.round(performance.now() - started) };
  },
  async run({ code }) {
    if (/\bload_mnist\b/.test(code)) await loadMnist();
    return call("run", { code });
  },
  use: ({ name }) => call("use_for_pad", { name }),
  async predict({ model, width, height, points, counts }) {
    const r = await callApp("predict", { width, height, model, alpha: null }, strokeBuffers(points, counts));
    return { ...r, digit: r.digit ?? null };   // Python's None arrives as undefined
  },
  ...readingHandlers(callApp),
  layers: ({ zip, input }) => call("layers", {}, { zip_data: zip, input }),
  check: ({ exercise, code }) => call("check", { exercise, code }),
};

// The last line of a Python traceback is what the page shows (the whole one went to stderr).
function reason(error) {
  const lines = String(error?.message ?? error).trim().split("\n").filter((l) => l.trim());
  return lines.length ? lines[lines.length - 1].trim() : "unknown error";
}

self.addEventListener("message", async ({ data }) => {
  const { id, type } = data ?? {};
  if (type === "ping") return self.postMessage({ event: "alive" });
  try {
    if (!Object.hasOwn(handlers, type)) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const result = await handlers[type](data);
    const transfer = [...new Set(Object.values(result ?? {}).filter(ArrayBuffer.isView).map((a) => a.buffer))];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    if (isFatal(error)) {
      self.postMessage({ event: "fatal", message: `Python failed for good (${reason(error)})` });
      return self.close();
    }
    self.postMessage({ id, error: reason(error) });
  }
});
