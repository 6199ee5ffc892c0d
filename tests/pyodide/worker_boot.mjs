// The worker's boot path (web/worker/runtime-snapshot.js, numpy-in-snapshot.js, wheel-install.js)
// in real Pyodide under Node 20, on the wheels and weights of a built dist/:
//
//   node tests/pyodide/worker_boot.mjs DIST [--tamper]
//
// Boots twice in one process, as a first and a second visit do: a plain boot (loadPyodide, PREPARE,
// numpy and inkling installed, numpy imported), then what the worker does before "ready" (import
// inkling.worker.app, load the default model), after which it takes the memory snapshot; then a boot
// restored from it and the same steps, which must import nothing. After each: one prediction, the
// WebAssembly kernel loaded from the inkling wheel (as the worker does once ready) and the same
// prediction, then numpy.random and numpy.fft, whose extension modules are left to Python's import,
// and inkling modules that the snapshot does not hold. With --tamper, the layout stored with the snapshot is
// altered (its GOT checksum) before the second boot, which must then refuse it and boot the plain
// way. Prints one line of JSON:
//   {"ok": true, "fresh": BOOT, "restored": BOOT, "warnings": [console.warn lines]}, where BOOT is
//   {"restored": bool, "models_at_boot": models inkling.worker.app has loaded before the steps to "ready",
//    "late_imports": [stdlib and inkling modules imported by the steps to "ready"],
//    "installed": [...], "digit": <what it reads in an upright stroke>, "probabilities": [10 floats],
//    "dynlibs": {"ready": [...], "later": [...]} (.so files loaded so far),
//    "numpy": [results of a few numpy calls], "kernel": {"loaded", "backend", "probabilities"}, "later_draws": [3 floats from numpy.random], "seconds": {...}}
//   {"ok": false, "error": "..."}   (exit status 1)
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const { bootRuntime, pack, snapshotPlace, unpack } = await import(path.join(repo, "web/worker/runtime-snapshot.js"));

function report(object, status) {
  process.stdout.write(JSON.stringify(object) + "\n");
  process.exitCode = status;
}

const NUMPY_CHECKS = `
import numpy as np
a = np.arange(12, dtype=np.float32).reshape(3, 4)
[float((a @ a.T).sum()), float(np.einsum("ij,kj->ik", a, a).sum()), float(np.linalg.inv(np.eye(3) * 4)[1, 1]),
 repr(np.float64(1.5)), str(np.array([1.25, 2.5])), float(np.sort(np.array([3.0, 1.0, 2.0]))[0])]
`;

async function bootOnce(loadPyodide, folder, lock, stored) {
  const seconds = {};
  let start = performance.now();
  const wheel = (name) => ({ name, bytes: new Uint8Array(readFileSync(path.resolve(folder("pyodide-"), lock.packages[name].file_name))) });
  const indexURL = folder("pyodide-") + path.sep;   // the trimmed stdlib, its rest fetched on demand
  const place = stored === null ? snapshotPlace(...["pyodide-", "app-", "weights-"].map((f) => pathToFileURL(folder(f) + path.sep))) : null;
  const { pyodide, restored, done } = await bootRuntime(
    loadPyodide, { indexURL, lockFileURL: path.join(folder("app-"), "pyodide-lock.json") }, stored, Promise.resolve([wheel("numpy"), wheel("inkling")]), { place });
  seconds.boot = (performance.now() - start) / 1000;
  const modules = () => new Set(pyodide.runPython("import sys; list(sys.modules)").toJs());
  const atBoot = modules();   // restored: exactly the snapshot's modules
  const modelsAtBoot = pyodide.runPython(`
import sys
len(getattr(sys.modules.get("inkling.worker.app"), "_models", {}))
`);

  start = performance.now();
  pyodide.FS.mkdirTree("/weights");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder("weights-") }, "/weights");
  pyodide.runPython(`
import json, inkling.worker.app
default = json.load(open("/weights/manifest.json"))["default"]
inkling.worker.app.load_model(default, warm=False)
`);
  const { taken } = done();   // the plain boot takes its snapshot here, as the worker does
  seconds.ready = (performance.now() - start) / 1000;
  const dynlibs = () => Object.keys(pyodide._module.LDSO.loadedLibsByName)
    .filter((name) => name.startsWith("/lib/python3.12/site-packages/"))
    .map((name) => name.split("/site-packages/")[1]).sort();
  const loaded = { ready: dynlibs() };
  const imported = pyodide.runPython(`
import sys
[name for name, module in sys.modules.items()
 if name.split(".")[0] == "inkling" or not name.split(".")[0] in ("numpy", "__main__")
 and (getattr(module, "__file__", None) or "/lib/python312.zip").startswith("/lib/python312.zip")]
`).toJs();
  const result = pyodide.runPython(`
pad = bytearray(280 * 280)
for y in range(40, 240):          # a "1": one upright stroke
    pad[y * 280 + 132:y * 280 + 148] = bytes([255]) * 16
r = inkling.worker.app.predict(bytes(pad), 280, 280, model=default)
[r["digit"], [float(p) for p in r["probabilities"]]]
`).toJs();
  const numpy = pyodide.runPython(NUMPY_CHECKS).toJs();
  // What the worker does once ready: the WebAssembly kernel from the installed wheel, then the same read.
  const kernel = pyodide.runPython(`
import inkling.nn.ops
loaded = inkling.nn.ops.use_wasm_kernel()
r = inkling.worker.app.predict(bytes(pad), 280, 280, model=default)
{"loaded": loaded, "backend": inkling.nn.ops.backend(), "probabilities": [float(p) for p in r["probabilities"]]}
`).toJs({ dict_converter: Object.fromEntries });
  start = performance.now();
  const draws = pyodide.runPython(`
import numpy.fft, numpy.random
import inkling.worker.read_requests, inkling.worker.studio   # from the files the boot wrote (not in the snapshot's heap)
[float(v) for v in numpy.random.default_rng(0).random(3)]
`).toJs();
  seconds.later = (performance.now() - start) / 1000;
  loaded.later = dynlibs();
  return {
    boot: { restored, models_at_boot: modelsAtBoot, late_imports: imported.filter((name) => !atBoot.has(name)),
            installed: Object.keys(pyodide.loadedPackages), digit: result[0] ?? null, probabilities: result[1],
            dynlibs: loaded, numpy, kernel, later_draws: draws, seconds },
    taken: taken && new Uint8Array(await taken.pack().arrayBuffer()),
  };
}

async function main() {
  const dist = path.resolve(process.argv[2]);
  const folder = (prefix) => path.join(dist, readdirSync(dist).find((d) => d.startsWith(prefix)));
  const lock = JSON.parse(readFileSync(path.join(folder("app-"), "pyodide-lock.json"), "utf8"));
  const { loadPyodide } = await import(path.join(repo, "node_modules/pyodide/pyodide.mjs"));
  const warnings = [];
  console.warn = (...args) => warnings.push(args.join(" "));
  const fresh = await bootOnce(loadPyodide, folder, lock, null);
  if (!fresh.taken) throw new Error("the plain boot took no snapshot");
  let stored = fresh.taken;
  if (process.argv.includes("--tamper")) {
    const { layout, snapshot } = unpack(stored);
    stored = new Uint8Array(await pack({ ...layout, got: "0:0" }, snapshot).arrayBuffer());
  }
  const restored = await bootOnce(loadPyodide, folder, lock, stored);
  report({ ok: true, fresh: fresh.boot, restored: restored.boot, snapshot_bytes: fresh.taken.length, warnings }, 0);
}

main().catch((error) => report({ ok: false, error: String(error?.message || error) }, 1));
