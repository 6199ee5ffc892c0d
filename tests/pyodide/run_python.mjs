// Runs Python inside real Pyodide under Node 20, with the repo's py/ and tests/ importable.
//
//   node tests/pyodide/run_python.mjs [--index DIR] [--worker-install] [--wheel numpy.whl]...
//                                    [--kernel sgemm.so] (FILE.py | -c "CODE")
//
// Boots the Pyodide from node_modules/pyodide (or --index DIR: a built dist/pyodide-<hash>/, with
// its trimmed stdlib, whose lazy_rest finder then reads the rest zips from DIR), installs each
// --wheel from its local file (default: the numpy wheel build.py caches in .cache/wheels) with
// loadPackage, or as the worker does with --worker-install (web/worker/numpy-in-snapshot.js's
// importNumpy for numpy, writeWheel for the others: stored zips only), mounts the repository at /repo (NODEFS),
// puts /repo/py and /repo/tests first on sys.path, then runs the code. Whatever Python prints goes
// to stderr; stdout gets exactly one line of JSON:
//   {"ok": true, "result": <the global RESULT, via json.dumps>, "seconds": {...}}
//   {"ok": false, "error": "<traceback or message>"}            (exit status 1)
// INKLING_MATMUL is passed through to Python's environment. --kernel copies an assembled
// WebAssembly kernel (build.wasm_kernel) into Pyodide's file system and names it in INKLING_SGEMM,
// where inkling.nn.wasm_matmul.load finds it (from py/ there is no wheel to carry it).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importNumpy } from "../../web/worker/numpy-in-snapshot.js";
import { lazyRest } from "../../web/worker/runtime-snapshot.js";
import { writeWheel } from "../../web/worker/wheel-install.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const pyodideDir = path.join(repoRoot, "node_modules", "pyodide");
const defaultWheel = path.join(repoRoot, ".cache", "wheels",
  "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl");

function parseArgs(argv) {
  const wheels = [];
  let code = null;
  let index = pyodideDir;
  let workerInstall = false;
  let kernel = null;
  let filename = "<snippet>";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--wheel") wheels.push(path.resolve(argv[++i]));
    else if (argv[i] === "--kernel") kernel = path.resolve(argv[++i]);
    else if (argv[i] === "--index") index = path.resolve(argv[++i]);
    else if (argv[i] === "--worker-install") workerInstall = true;
    else if (argv[i] === "-c") code = argv[++i];
    else { filename = path.resolve(argv[i]); code = readFileSync(filename, "utf8"); }
  }
  if (code === null) throw new Error("usage: run_python.mjs [--wheel W]... (FILE.py | -c CODE)");
  if (wheels.length === 0) wheels.push(defaultWheel);
  return { wheels, kernel, code, filename, index, workerInstall };
}

function report(object, status) {
  process.stdout.write(JSON.stringify(object) + "\n");
  process.exitCode = status;
}

async function main() {
  const { wheels, kernel, code, filename, index, workerInstall } = parseArgs(process.argv.slice(2));
  const seconds = {};
  let start = performance.now();
  const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
  const env = {};
  if (process.env.INKLING_MATMUL) env.INKLING_MATMUL = process.env.INKLING_MATMUL;
  const KERNEL_PATH = "/kernels/sgemm.so";
  if (kernel) env.INKLING_SGEMM = KERNEL_PATH;
  const pyodide = await loadPyodide({
    indexURL: index + path.sep,
    lockFileURL: path.join(pyodideDir, "pyodide-lock.json"),
    env,
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  seconds.boot = (performance.now() - start) / 1000;

  pyodide.runPython(lazyRest(index + path.sep));   // a trimmed stdlib's finder for its rest
  start = performance.now();
  for (const wheel of wheels) {
    if (!existsSync(wheel)) throw new Error(`wheel not found: ${wheel}`);
    if (workerInstall) {
      const bytes = new Uint8Array(readFileSync(wheel));
      if (path.basename(wheel).startsWith("numpy-")) await importNumpy(pyodide, { name: "numpy", bytes });
      else writeWheel(pyodide, { name: path.basename(wheel), bytes });
      continue;
    }
    // loadPackage does not reject when a package fails to load: collect its errors instead.
    const errors = [];
    await pyodide.loadPackage(wheel, { errorCallback: (m) => errors.push(m), messageCallback: () => {} });
    if (errors.length) throw new Error(`loading ${wheel} failed: ${errors.join("; ")}`);
  }
  seconds.packages = (performance.now() - start) / 1000;

  if (kernel) {
    pyodide.FS.mkdirTree(path.posix.dirname(KERNEL_PATH));
    pyodide.FS.writeFile(KERNEL_PATH, readFileSync(kernel));
  }
  pyodide.FS.mkdirTree("/repo");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: repoRoot }, "/repo");
  pyodide.runPython(`
import os, sys
sys.dont_write_bytecode = True   # keep cpython-312 .pyc files out of the mounted checkout
sys.path[:0] = ["/repo/py", "/repo/tests"]
os.chdir("/repo")
`);

  start = performance.now();
  const globals = pyodide.toPy({ __name__: "__main__", __file__: filename });
  await pyodide.runPythonAsync(code, { globals, filename });
  seconds.run = (performance.now() - start) / 1000;
  const toJson = pyodide.runPython(
    "lambda g: __import__('json').dumps(g.get('RESULT'), default=str)");
  const result = JSON.parse(toJson(globals));
  toJson.destroy();
  globals.destroy();
  report({ ok: true, result, seconds }, 0);
}

main().catch((error) => report({ ok: false, error: String(error && error.message || error) }, 1));
