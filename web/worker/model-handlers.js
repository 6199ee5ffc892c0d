// The worker's model-library requests (issue 4): export, import, stored models, fine-tuning
// (listed here, not in inkling-worker.js's header).
// Python side: py/inkling/worker/library.py. Every model travels as its one-file .zip export.
//
// {type: "exportModel", model, info: {test_accuracy, created, source}}
//                                -> {zip: Uint8Array, filename}
// {type: "importModel", files: [{name, bytes: Uint8Array}]}   a .zip, or a manifest.json + its .npy files
//                                -> {name, test_accuracy, parameters, input, source, zip}; every array,
//                                   shape, dtype and sha256 checked and a forward pass tried, else an error
// {type: "registerStored", name, zip} -> {name, test_accuracy, parameters, input, source}
// {type: "fineTune", model, samples: Float32Array(N*784), labels: Uint8Array(N)}
//                                -> {name, before: {user, mnist}, after: {user, mnist}, samples, mnist_test,
//                                    lr, attempts, prepare_s, features_s, tune_s, eval_s, zip, ...}
//                                   needs MNIST (trainData) first. Runs in ~100 ms chunks (py/inkling/worker/tuning.py),
//                                   posting {event: "finetune", state: {phase, done, total, attempt}} after each,
//                                   so predictions are answered meanwhile. If a prepareTuning of the same
//                                   model is under way, it waits for it (its events go on meanwhile).
// {type: "prepareTuning", model}  -> {model, finished, cancelled, phases, prepare_s, features_s}
//                                   the one-time part of fineTune (MNIST prepared and read through the
//                                   model's frozen body: up to a minute for the CNN), started by the page
//                                   when the user shows intent, in the background, in ~100 ms chunks with
//                                   {event: "finetune-prep", model, state} after each. Asking again for the
//                                   same model joins the run under way; another model replaces it.

import { pythonCaller } from "./python-call.js";

const bytesOf = (typed) => new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
const CHUNK_MS = 100;

// ensureModel(name): resolves once model `name`'s weights are where inkling.worker.app reads them (for a
// worker that fetches shipped weights lazily); the default assumes they are there already.
export function modelHandlers(ready, { ensureModel = async () => {} } = {}) {
  const call = pythonCaller(ready, "inkling.worker.library");
  const tuning = pythonCaller(ready, "inkling.worker.tuning");
  let tuningNow = false;
  let prep = null;       // {model, cancelled, promise} of the preparation under way

  async function runPrep(p) {
    await ensureModel(p.model);
    if (p.cancelled) return { model: p.model, cancelled: true };
    let state = await tuning("prepare", { model: p.model });
    while (!state.finished) {
      await turn();                                     // let predictions in
      if (p.cancelled) return { model: p.model, cancelled: true };   // a newer prepare replaced this one
      state = await tuning("prepare_chunk", { budget_ms: CHUNK_MS });
      self.postMessage({ event: "finetune-prep", model: p.model, state });
    }
    return { ...state, model: p.model, cancelled: false };
  }

  return {
    async exportModel({ model, info }) {
      await ensureModel(model);
      return call("export_model", { model, info: JSON.stringify(info ?? {}) });
    },

    importModel({ files }) {
      if (!files?.length) throw new Error("no file to import");
      const data = new Uint8Array(files.reduce((n, f) => n + f.bytes.length, 0));
      let at = 0;
      for (const f of files) { data.set(f.bytes, at); at += f.bytes.length; }
      const index = JSON.stringify(files.map((f) => [f.name, f.bytes.length]));
      return call("import_files", { index }, { data });
    },

    registerStored({ name, zip }) {
      return call("register_stored", { name }, { data: zip });
    },

    prepareTuning({ model }) {
      if (prep?.model === model) return prep.promise;
      if (prep) prep.cancelled = true;
      const p = { model, cancelled: false };
      p.promise = runPrep(p).finally(() => { if (prep === p) prep = null; });
      prep = p;
      return p.promise;
    },

    async fineTune({ model, samples, labels }) {
      if (tuningNow) throw new Error("a fine-tuning is already in progress");
      tuningNow = true;
      try {
        if (prep?.model === model) await prep.promise.catch(() => {});   // its work is cached for us
        else if (prep) prep.cancelled = true;                            // the CPU is ours now
        await ensureModel(model);
        let state = await tuning("start", { model }, { samples: bytesOf(samples), labels: bytesOf(labels) });
        while (!state.finished) {
          await turn();                                   // let predictions in
          state = await tuning("chunk", { budget_ms: CHUNK_MS });
          self.postMessage({ event: "finetune", state });
        }
        return await tuning("finish");
      } finally {
        tuningNow = false;
      }
    },
  };
}
