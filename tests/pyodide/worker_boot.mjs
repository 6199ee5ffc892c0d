// The worker's boot path (web/worker/runtime-snapshot.js + wheel-install.js) in real Pyodide under
// Node 20, on the wheels and weights of a built dist/:
//
//   node tests/pyodide/worker_boot.mjs DIST
//
// Boots Pyodide, runs the snapshot's PREPARE (its PREIMPORTS), installs numpy and inkling with
// installWheels, then does what the worker does before "ready" (import numpy, import inkling.app,
// load the default model) and predicts once; then imports numpy.random and numpy.fft, whose
// extension modules installWheels leaves to Python's import. Prints one line of JSON:
//   {"ok": true, "late_imports": [stdlib modules imported after PREPARE], "installed": [...],
//    "digit": <what it reads in an upright stroke>, "probabilities": [10 floats],
//    "dynlibs": {"installed": [...], "ready": [...], "later": [...]}   (.so files loaded so far),
//    "later_draws": [3 floats from numpy.random], "seconds": {...}}
//   {"ok": false, "error": "..."}   (exit status 1)
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const { PREPARE } = await import(path.join(repo, "web/worker/runtime-snapshot.js"));
const { installWheels } = await import(path.join(repo, "web/worker/wheel-install.js"));

function report(object, status) {
  process.stdout.write(JSON.stringify(object) + "\n");
  process.exitCode = status;
}

async function main() {
  const dist = path.resolve(process.argv[2]);
  const folder = (prefix) => path.join(dist, readdirSync(dist).find((d) => d.startsWith(prefix)));
  const lock = JSON.parse(readFileSync(path.join(folder("app-"), "pyodide-lock.json"), "utf8"));
  const seconds = {};
  let start = performance.now();
  const { loadPyodide } = await import(path.join(repo, "node_modules/pyodide/pyodide.mjs"));
  const pyodide = await loadPyodide({ indexURL: path.join(repo, "node_modules/pyodide") + path.sep });
  pyodide.runPython(PREPARE);
  const modules = () => new Set(pyodide.runPython("import sys; list(sys.modules)").toJs());
  const prepared = modules();
  seconds.boot = (performance.now() - start) / 1000;

  start = performance.now();
  const wheels = ["numpy", "inkling"].map((name) => {
    const file = path.resolve(folder("pyodide-"), lock.packages[name].file_name);
    return { name, bytes: new Uint8Array(readFileSync(file)) };
  });
  await installWheels(pyodide, wheels);
  seconds.install = (performance.now() - start) / 1000;
  const dynlibs = () => Object.keys(pyodide._module.LDSO.loadedLibsByName)
    .filter((name) => name.includes("/site-packages/")).map((name) => name.split("/site-packages/")[1]).sort();
  const loaded = { installed: dynlibs() };

  start = performance.now();
  pyodide.FS.mkdirTree("/weights");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder("weights-") }, "/weights");
  pyodide.runPython(`
import json, numpy, inkling.app
default = json.load(open("/weights/manifest.json"))["default"]
inkling.app.load_model(default, warm=False)
`);
  seconds.ready = (performance.now() - start) / 1000;
  loaded.ready = dynlibs();
  const stdlib = pyodide.runPython(`
import sys
[name for name, module in sys.modules.items()
 if not name.split(".")[0] in ("numpy", "inkling", "__main__")
 and (getattr(module, "__file__", None) or "/lib/python312.zip").startswith("/lib/python312.zip")]
`).toJs();
  const late = stdlib.filter((name) => !prepared.has(name));
  const result = pyodide.runPython(`
pad = bytearray(280 * 280)
for y in range(40, 240):          # a "1": one upright stroke
    pad[y * 280 + 132:y * 280 + 148] = bytes([255]) * 16
r = inkling.app.predict(bytes(pad), 280, 280, model=default)
[r["digit"], [float(p) for p in r["probabilities"]]]
`).toJs();
  start = performance.now();
  const draws = pyodide.runPython(`
import numpy.fft, numpy.random
[float(v) for v in numpy.random.default_rng(0).random(3)]
`).toJs();
  seconds.later = (performance.now() - start) / 1000;
  loaded.later = dynlibs();
  report({ ok: true, late_imports: late, installed: Object.keys(pyodide.loadedPackages),
           digit: result[0] ?? null, probabilities: result[1], dynlibs: loaded, later_draws: draws,
           seconds }, 0);
}

main().catch((error) => report({ ok: false, error: String(error?.message || error) }, 1));
