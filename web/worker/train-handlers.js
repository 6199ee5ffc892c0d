// The worker's training requests (issue 4): MNIST fetched on demand, a run in ~100 ms chunks.
//
// {type: "trainData"}  -> {files: {name: shape}, bytes, ms}   fetches dist/mnist/ (once), checks each
//                        file's sha256 against mnist/manifest.json, gunzips it, hands it to Python.
//                        Events {event: "train-data", loaded, total} while it downloads.
// {type: "trainStart", model, hidden, optimizer, lr, batch_size, epochs, augment, subset}
//                     -> {name, test_accuracy, parameters, steps, stopped} once the run ends
//                        (finished or stopped). Events {event: "train", state} after every chunk.
// {type: "trainPause"} / {type: "trainResume"} / {type: "trainStop"} -> {state}
// {type: "trainReport"} -> the last finished run's final test evaluation (inkling.training.run_report):
//                        {confusion: Int32Array(100) (row = true digit), tested, accuracy,
//                         misclassified: {index, label, predicted: Int32Array(k), proba: Float32Array(10k),
//                         images: Uint8Array(784k), total}}, or {tested: 0} if it stopped before one.
//
// The run yields to the event loop between chunks, so predictions and Pause/Stop are answered
// within one chunk; a paused run waits on a promise and costs nothing.

import { pythonCaller } from "./python-call.js";
import { sha256Hex } from "./sha256.js";

const MNIST = new URL("../mnist/", import.meta.url);
const CHUNK_MS = 100;

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Every file of the manifest, with a running byte count for the page's progress bar (the Lab
// worker, web/lab-worker/, fetches MNIST with it too).
export async function fetchMnist(onProgress) {
  const manifestResponse = await fetch(new URL("manifest.json", MNIST));
  if (!manifestResponse.ok) throw new Error(`cannot fetch mnist/manifest.json: HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  const entries = Object.entries(manifest.files);
  const total = entries.reduce((sum, [, f]) => sum + f.bytes, 0);
  let loaded = 0;
  const files = await Promise.all(entries.map(async ([name, entry]) => {
    const response = await fetch(new URL(entry.path, MNIST));
    if (!response.ok) throw new Error(`cannot fetch mnist/${entry.path}: HTTP ${response.status}`);
    const reader = response.body.getReader();
    const parts = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.length;
      onProgress(loaded, total);
    }
    const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
    if ((await sha256Hex(bytes)) !== entry.sha256) {
      throw new Error(`mnist/${entry.path} differs from mnist/manifest.json (sha256)`);   // the panel says how to retry
    }
    return [name, await gunzip(bytes)];
  }));
  return { files, total };
}

export function trainHandlers(ready) {
  const call = pythonCaller(ready, "inkling.worker.studio");
  let data = null;       // the promise of the trainData answer, shared by every caller
  let run = null;        // {paused, stop, wake} of the run in progress

  async function loadData() {
    const t0 = performance.now();
    const { files, total } = await fetchMnist((loaded, all) =>
      self.postMessage({ event: "train-data", loaded, total: all }));
    const shapes = {};
    for (const [name, bytes] of files) shapes[name] = Array.from(await call("set_data", { name }, { raw: bytes }));
    return { files: shapes, bytes: total, ms: performance.now() - t0 };
  }

  const pause = () => new Promise((resolve) => { run.wake = resolve; });
  const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

  return {
    trainData() {
      data ??= loadData();
      data.catch(() => { data = null; });   // a failed download may be tried again
      return data;
    },

    async trainStart(options) {
      if (run) throw new Error("a training run is already in progress");
      await (data ?? Promise.reject(new Error("MNIST is not loaded: ask trainData first")));
      const { model, hidden, optimizer, lr, batch_size, epochs, augment, subset } = options;
      run = { paused: false, stop: false, wake: null };
      try {
        let state = await call("start", { model, hidden, optimizer, lr, batch_size, epochs, augment,
                                          subset: subset || null });
        self.postMessage({ event: "train", state });
        while (!state.done && !run.stop) {
          await turn();                                   // let predict / pause / stop in
          if (run.paused && !run.stop) await pause();
          if (run.stop) break;
          state = await call("run_chunk", { budget_ms: CHUNK_MS });
          self.postMessage({ event: "train", state: { ...state, paused: run.paused } });
        }
        return { ...(await call("finish")), stopped: !state.done };
      } finally {
        run = null;
      }
    },

    trainReport() {
      if (run) throw new Error("a training run is in progress: ask for its report when it ends");
      return call("report", { limit: 48 });
    },

    trainPause() { if (run) run.paused = true; return { paused: !!run }; },
    trainResume() {
      if (run) { run.paused = false; run.wake?.(); run.wake = null; }
      return { paused: false };
    },
    trainStop() {
      if (run) { run.stop = true; run.wake?.(); run.wake = null; }
      return { stopping: !!run };
    },
  };
}
