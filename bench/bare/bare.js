// The load benchmark's bare page (bench/load.py): Pyodide + numpy from the same server and the
// same files as the app, loaded the plain way, on the main thread; nothing else.
import { APP_DIR, PYODIDE_DIR } from "./build-info.js";

const runtime = new URL(PYODIDE_DIR, location.href);
const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
const pyodide = await loadPyodide({
  indexURL: runtime.href,
  lockFileURL: new URL(`${APP_DIR}pyodide-lock.json`, location.href).href,
});
await pyodide.loadPackage("numpy", { messageCallback: () => {} });
pyodide.runPython("import numpy");
document.documentElement.dataset.state = "ready";
